import type { DataSeedSpec } from '../api/dataseed';
import type { SeedDatabase } from './driver';
import { SeedError } from './errors';
import type { SeedJob } from './jobs';
import { type SchemaInfo, tableId } from './model';
import { planLoadOrder } from './plan';
import { encodeArray } from './postgres/copy-text';
import type { RunOptions, TableResult } from './report';
import { writeTables } from './write-tables';

// The sql and fixtures sources, for teams that already have seed files.

export async function runSql(target: SeedDatabase, sql: string): Promise<TableResult[]> {
  if (sql.trim() === '') throw new SeedError('InvalidSpec', 'the sql source is empty');
  const writer = await target.openWriter();
  const started = Date.now();
  try {
    await writer.begin();
    await writer.execute(sql);
    await writer.commit();
  } catch (err) {
    await writer.rollback();
    throw new SeedError('WriteFailed', `the SQL failed and was rolled back: ${(err as Error).message}`);
  } finally {
    await writer.close();
  }
  return [{ name: 'sql', rows: 0, seconds: (Date.now() - started) / 1000 }];
}

function toText(value: unknown, isArray: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (isArray && Array.isArray(value)) return encodeArray(value.map((v) => (v === null ? null : String(v))));
  if (typeof value === 'object') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? null;
}

/** Fixture rows (table name to a list of rows), in foreign-key order, in one transaction. */
export async function runFixtures(
  target: SeedDatabase,
  schema: SchemaInfo,
  fixtures: Record<string, Array<Record<string, unknown>>>,
  spec: DataSeedSpec,
  opts: RunOptions,
): Promise<TableResult[]> {
  const problems: string[] = [];
  const jobs: SeedJob[] = [];
  for (const [name, rows] of Object.entries(fixtures)) {
    const table = schema.tables.find((t) => tableId(t) === name || t.name === name);
    if (!table) {
      problems.push(`fixtures: table ${name} does not exist`);
      continue;
    }
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    for (const c of columns)
      if (!table.columns.some((x) => x.name === c)) problems.push(`fixtures: column ${name}.${c} does not exist`);
    const infos = columns.map((c) => table.columns.find((x) => x.name === c));
    jobs.push({
      table,
      columns,
      rows: () => rows.length,
      deferred: [],
      // eslint-disable-next-line @typescript-eslint/require-await -- the writer takes an AsyncIterable; these rows are already in memory
      chunks: async function* () {
        yield target.codec.encodeRows(rows.map((r) => columns.map((c, i) => toText(r[c], infos[i]?.isArray ?? false))));
      },
    });
  }
  if (problems.length > 0) throw new SeedError('InvalidSpec', 'fixtures do not match the schema', problems);
  return writeTables(target, jobs, planLoadOrder(schema), {
    parallelism: 1,
    reset: spec.reset,
    signal: opts.signal,
    foreignKeys: spec.foreignKeyChecks,
    deferredKeys: new Set(),
    truncate: schema.tables,
  });
}
