import { hash } from 'node:crypto';
import { TRANSFORMERS } from '../api/transformers/registry';
import type { SeedDatabase } from './driver';
import type { SchemaInfo, TableInfo } from './model';
import { tableId } from './model';
import type { ColumnPlan } from './rules';

// Two leak checks after (and during) an anonymize run:
// - the scan: every production value of a masked column looked up among the
//   target's values, for transformers whose outputs cannot be real values by
//   chance (definition `leak.scan`: fake emails at reserved domains, hashes and
//   card numbers over 10^14 values). A fake phone, zip or first name may equal
//   some real one by chance (at 10M rows, several do), which is no leak;
// - the row check (anonymize-rows.ts): a masked value equal to its own original,
//   where the output space makes that chance negligible (`leak.rowCheck`).

/** Whether a masked value equal to its original means the transform leaked (rather than chance); each transformer's definition says. */
export function rowCheckApplies(transform: string, original: string): boolean {
  const check = TRANSFORMERS.get(transform)?.leak.rowCheck ?? 'never';
  if (check !== 'longValues') return check === 'always';
  // Format-preserving: short values (a 3-digit code) can come back unchanged by chance.
  let alnum = 0;
  for (let i = 0; i < original.length; i++) if (/[0-9A-Za-z]/.test(original[i]!)) alnum += 1;
  return alnum >= 7;
}

export interface LeakHit {
  column: string;
  values: number;
  /** Found by the row check (a value equal to its own original) rather than the scan. */
  check?: 'row';
}

/** 52 bits of SHA-256 as a number: a Set of numbers is a fraction of the memory of a Set of strings. */
const fingerprint = (v: string): number => {
  const d = hash('sha256', v, 'buffer');
  return d.readUInt32BE(0) * 0x100000 + (d.readUInt32BE(4) >>> 12);
};

export function scannedColumns(plans: Map<string, ColumnPlan[]>): Array<{ table: string; plan: ColumnPlan }> {
  return [...plans].flatMap(([table, cols]) =>
    cols.filter((p) => p.spec && TRANSFORMERS.get(p.spec.transform)?.leak.scan).map((plan) => ({ table, plan })),
  );
}

/**
 * Fingerprints up to `limit` distinct source values per column (memory bounded),
 * then counts target values with a matching fingerprint. Reports counts, never values.
 */
export async function scanForLeaks(
  source: SeedDatabase,
  target: SeedDatabase,
  schema: SchemaInfo,
  plans: Map<string, ColumnPlan[]>,
  limit: number,
): Promise<LeakHit[]> {
  // Values, not rows: the scan reports how many distinct production values it found.
  const tables = new Map(schema.tables.map((t) => [tableId(t), t]));
  const hits: LeakHit[] = [];
  for (const { table, plan } of scannedColumns(plans)) {
    const info = tables.get(table);
    if (!info) continue;
    // Both databases are read at once; the target's fingerprints are a set too, so its repeats count once.
    const [seen, written] = await Promise.all([
      fingerprints(source, info, plan.column.name, limit),
      fingerprints(target, info, plan.column.name, limit),
    ]);
    let found = 0;
    for (const f of written) if (seen.has(f)) found += 1;
    if (found > 0) hits.push({ column: `${table}.${plan.column.name}`, values: found });
  }
  return hits;
}

async function fingerprints(db: SeedDatabase, table: TableInfo, column: string, limit: number): Promise<Set<number>> {
  const out = new Set<number>();
  for await (const values of db.readDistinct(table, column, limit)) for (const v of values) out.add(fingerprint(v));
  return out;
}
