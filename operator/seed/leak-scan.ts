import { createHash } from 'node:crypto';
import type { SeedDatabase } from './driver';
import type { SchemaInfo } from './model';
import { tableId } from './model';
import type { ColumnPlan } from './rules';

// After an anonymize run, looks for production values in masked columns. Only
// transforms whose outputs are practically never a real value are scanned
// (emails, numbers, hashes): a fake first name that happens to be a real one is no leak.

const SCANNED = new Set(['email', 'phone', 'digits', 'iban', 'cardNumber', 'hash', 'template', 'lorem', 'mask', 'username', 'street']);

export interface LeakHit {
  column: string;
  values: number;
}

/** 52 bits of SHA-256 as a number: a Set of numbers is a fraction of the memory of a Set of strings. */
const fingerprint = (v: string): number => {
  const d = createHash('sha256').update(v).digest();
  return d.readUInt32BE(0) * 0x100000 + (d.readUInt32BE(4) >>> 12);
};

export function scannedColumns(plans: Map<string, ColumnPlan[]>): Array<{ table: string; plan: ColumnPlan }> {
  return [...plans].flatMap(([table, cols]) => cols.filter((p) => p.spec && SCANNED.has(p.spec.transform)).map((plan) => ({ table, plan })));
}

/**
 * Fingerprints up to `limit` distinct source values per column (memory bounded),
 * then counts target values with a matching fingerprint. Reports counts, never values.
 */
export async function scanForLeaks(source: SeedDatabase, target: SeedDatabase, schema: SchemaInfo, plans: Map<string, ColumnPlan[]>, limit: number): Promise<LeakHit[]> {
  const tables = new Map(schema.tables.map((t) => [tableId(t), t]));
  const hits: LeakHit[] = [];
  for (const { table, plan } of scannedColumns(plans)) {
    const info = tables.get(table);
    if (!info) continue;
    const seen = new Set<number>();
    for await (const values of source.readDistinct(info, plan.column.name, limit)) for (const v of values) seen.add(fingerprint(v));
    let found = 0;
    for await (const values of target.readDistinct(info, plan.column.name, limit)) for (const v of values) if (seen.has(fingerprint(v))) found += 1;
    if (found > 0) hits.push({ column: `${table}.${plan.column.name}`, values: found });
  }
  return hits;
}
