import type { ClientBase } from 'pg';
import type {
  ColumnProfile,
  FanOut,
  ForeignKey,
  PiiKind,
  Profile,
  SchemaInfo,
  TableInfo,
  TableProfile,
} from '../model';
import { tableId } from '../model';
import { decodeArray } from './copy-text';
import { quoteIdent, quoteTable } from './introspect';
import { firstPersonal } from '../content-scan';
import { profileDependence } from './dependence';

// A profile is built from the statistics catalogue and aggregate queries only:
// no row of production ever leaves the server. Values (most common values,
// histogram bounds, array elements, JSON keys) are kept only for columns whose
// rule allows it, and never one that looks personal (content-scan.ts); every
// other column keeps counts, null fraction, distinct count, range (numbers and
// dates) and lengths (text). README.md lists the queries.

/** Whether a column is personal, and (for profiles that are stored) whether its rule lets the profile keep values. */
export interface PersonalClassifier {
  (table: TableInfo, column: string): PiiKind | undefined;
  valuesAllowed?: (table: TableInfo, column: string) => boolean;
}

export interface ProfileOptions {
  /** Run ANALYZE first so pg_stats is fresh (needs the right to analyze; skipped if refused). */
  analyze: boolean;
  /**
   * Whether a column is personal; such columns keep only aggregates. Its
   * valuesAllowed, when set, decides which other columns keep values; without
   * it (a profile compared in memory, never stored) every other column does.
   */
  personal: PersonalClassifier;
  /** Most fan-out buckets kept per foreign key. */
  maxFanOutBuckets?: number;
  log?: (message: string) => void;
}

interface StatsRow {
  attname: string;
  null_frac: number;
  n_distinct: number;
  avg_width: number;
  most_common_vals: string | null;
  most_common_freqs: number[] | null;
  histogram_bounds: string | null;
  most_common_elems: string | null;
  most_common_elem_freqs: number[] | null;
  elem_count_histogram: number[] | null;
}

const STATS_SQL = `
SELECT attname, null_frac, n_distinct, avg_width, most_common_vals::text, most_common_freqs, histogram_bounds::text,
       most_common_elems::text, most_common_elem_freqs, elem_count_histogram
FROM pg_stats WHERE schemaname = $1 AND tablename = $2`;

const NUMERIC_OR_TEMPORAL = new Set(['int2', 'int4', 'int8', 'float', 'numeric', 'date', 'timestamp', 'timestamptz']);
const LENGTH_PERCENTILES = '0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1';

/** Ranges of numbers and dates and length percentiles of text, in one aggregate scan of the table. */
async function aggregates(
  client: ClientBase,
  table: TableInfo,
  personal: ReadonlySet<string>,
): Promise<Map<string, Pick<ColumnProfile, 'range' | 'lengths' | 'distinct'>>> {
  const parts: string[] = [];
  const wanted: Array<{ column: string; kind: 'range' | 'lengths' | 'distinct'; at: number }> = [];
  for (const c of table.columns) {
    const col = quoteIdent(c.name);
    // Personal columns are judged on how many distinct values they have: an exact count, an aggregate.
    if (personal.has(c.name) && c.baseType !== 'json') {
      wanted.push({ column: c.name, kind: 'distinct', at: parts.length });
      parts.push(`count(DISTINCT ${col})::float8`);
    }
    if (c.isArray) continue;
    if (NUMERIC_OR_TEMPORAL.has(c.baseType)) {
      wanted.push({ column: c.name, kind: 'range', at: parts.length });
      parts.push(`min(${col})::text`, `max(${col})::text`);
    } else if (c.baseType === 'text') {
      wanted.push({ column: c.name, kind: 'lengths', at: parts.length });
      parts.push(`percentile_disc(ARRAY[${LENGTH_PERCENTILES}]::float8[]) WITHIN GROUP (ORDER BY char_length(${col}))`);
    }
  }
  const out = new Map<string, Pick<ColumnProfile, 'range' | 'lengths' | 'distinct'>>();
  if (parts.length === 0) return out;
  const res = await client.query({ text: `SELECT ${parts.join(', ')} FROM ${quoteTable(table)}`, rowMode: 'array' });
  const row = (res.rows[0] ?? []) as unknown[];
  for (const w of wanted) {
    if (w.kind === 'distinct') {
      out.set(w.column, { ...out.get(w.column), distinct: Number(row[w.at]) });
    } else if (w.kind === 'range') {
      const [min, max] = [row[w.at], row[w.at + 1]];
      if (typeof min === 'string' && typeof max === 'string')
        out.set(w.column, { ...out.get(w.column), range: { min, max } });
    } else if (Array.isArray(row[w.at])) {
      out.set(w.column, { ...out.get(w.column), lengths: (row[w.at] as unknown[]).map(Number) });
    }
  }
  return out;
}

/** Every value a profile would store for a column, for the content scan. */
function storedValues(p: ColumnProfile): string[] {
  return [
    ...(p.mostCommon?.values ?? []),
    ...(p.histogram ?? []),
    ...(p.elements?.values ?? []),
    ...(p.jsonKeys ?? []).map((k) => k.key),
    ...(p.range ? [p.range.min, p.range.max] : []),
  ];
}

/** Drops every value of a column as soon as one looks personal: a partial histogram would still hold its neighbours. */
export function scanned(p: ColumnProfile): ColumnProfile {
  const kind = firstPersonal(storedValues(p));
  if (!kind) return p;
  const { mostCommon: _m, histogram: _h, elements: _e, jsonKeys: _j, range: _r, ...rest } = p;
  return { ...rest, refused: kind };
}

async function columnProfiles(
  client: ClientBase,
  table: TableInfo,
  opts: ProfileOptions,
): Promise<Record<string, ColumnProfile>> {
  const stats = await client.query<StatsRow>(STATS_SQL, [table.schema, table.name]);
  const byName = new Map(stats.rows.map((r) => [r.attname, r]));
  const aggregated = await aggregates(
    client,
    table,
    new Set(table.columns.filter((c) => opts.personal(table, c.name)).map((c) => c.name)),
  );
  const out: Record<string, ColumnProfile> = {};
  for (const column of table.columns) {
    const s = byName.get(column.name);
    const personal = opts.personal(table, column.name);
    const profile: ColumnProfile = {
      nullFrac: s?.null_frac ?? 0,
      nDistinct: s?.n_distinct ?? -1,
      avgWidth: s?.avg_width ?? 8,
      ...aggregated.get(column.name),
    };
    // JSON documents can hold anything (emails, addresses), so only their key structure is kept.
    const container = column.baseType === 'json' || column.baseType === 'jsonb';
    const values = !personal && (opts.personal.valuesAllowed?.(table, column.name) ?? true);
    if (personal) {
      profile.personal = personal;
    } else if (s && !container && values) {
      if (s.most_common_vals && s.most_common_freqs) {
        profile.mostCommon = {
          values: decodeArray(s.most_common_vals).map((v) => v ?? ''),
          freqs: s.most_common_freqs.map(Number),
        };
      }
      if (s.histogram_bounds) profile.histogram = decodeArray(s.histogram_bounds).map((v) => v ?? '');
      if (s.most_common_elems && s.most_common_elem_freqs) {
        const elements = decodeArray(s.most_common_elems).map((v) => v ?? '');
        profile.elements = {
          values: elements,
          freqs: s.most_common_elem_freqs.slice(0, elements.length).map(Number),
          avgCount: Number(s.elem_count_histogram?.at(-1) ?? 1),
        };
      }
    }
    if (container && !column.isArray && values) {
      profile.jsonKeys = await jsonKeys(client, table, column.name, column.baseType as 'json' | 'jsonb');
    }
    out[column.name] = scanned(profile);
  }
  return out;
}

/** Top-level keys of JSON objects, their frequency and most common value type, over a bounded sample. */
async function jsonKeys(
  client: ClientBase,
  table: TableInfo,
  column: string,
  type: 'json' | 'jsonb',
): Promise<ColumnProfile['jsonKeys']> {
  const col = type === 'json' ? `${quoteIdent(column)}::jsonb` : quoteIdent(column);
  const sql = `
    WITH s AS (SELECT ${col} AS doc FROM ${quoteTable(table)} WHERE jsonb_typeof(${col}) = 'object' LIMIT 10000)
    SELECT e.key, count(*)::float8 / greatest(1, (SELECT count(*) FROM s)) AS freq, mode() WITHIN GROUP (ORDER BY jsonb_typeof(e.value)) AS type
    FROM s, jsonb_each(s.doc) e GROUP BY e.key ORDER BY count(*) DESC, e.key LIMIT 50`;
  const res = await client.query<{ key: string; freq: number; type: string }>(sql);
  return res.rows.map((r) => ({ key: r.key, freq: Number(r.freq), type: r.type }));
}

/** Children per parent along a foreign key, as aggregate buckets; parents without children included. */
async function fanOut(
  client: ClientBase,
  table: TableInfo,
  fk: ForeignKey,
  parentRows: number,
  maxBuckets: number,
): Promise<FanOut> {
  const cols = fk.columns.map(quoteIdent).join(', ');
  const notNull = fk.columns.map((c) => `${quoteIdent(c)} IS NOT NULL`).join(' AND ');
  const sql = `SELECT n::float8 AS n, count(*)::float8 AS parents FROM (SELECT count(*) AS n FROM ${quoteTable(table)} WHERE ${notNull} GROUP BY ${cols}) s GROUP BY n ORDER BY n`;
  const res = await client.query<{ n: number; parents: number }>(sql);
  let buckets: Array<[number, number]> = res.rows.map((r) => [Number(r.n), Number(r.parents)]);
  const withChildren = buckets.reduce((sum, [, p]) => sum + p, 0);
  if (parentRows > withChildren) buckets.unshift([0, parentRows - withChildren]);
  if (buckets.length > maxBuckets) buckets = compressBuckets(buckets, maxBuckets);
  return { parentRows, buckets };
}

/** Merges adjacent buckets into `max` groups of similar weight, keeping each group's mean. */
export function compressBuckets(buckets: Array<[number, number]>, max: number): Array<[number, number]> {
  const total = buckets.reduce((sum, [, p]) => sum + p, 0);
  const out: Array<[number, number]> = [];
  let acc = 0;
  let weighted = 0;
  for (const [n, p] of buckets) {
    acc += p;
    weighted += n * p;
    if (acc >= total / max || n === buckets.at(-1)![0]) {
      out.push([Math.round(weighted / acc), acc]);
      acc = 0;
      weighted = 0;
    }
  }
  return out;
}

async function exactRows(client: ClientBase, table: TableInfo): Promise<number> {
  const res = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteTable(table)}`);
  return Number(res.rows[0]?.n ?? 0);
}

export async function profileDatabase(client: ClientBase, schema: SchemaInfo, opts: ProfileOptions): Promise<Profile> {
  if (opts.analyze) {
    for (const table of schema.tables) {
      try {
        await client.query(`ANALYZE ${quoteTable(table)}`);
      } catch (err) {
        opts.log?.(`ANALYZE ${tableId(table)} refused (${(err as Error).message}); using existing statistics`);
      }
    }
  }
  const rows = new Map<string, number>();
  for (const table of schema.tables) rows.set(tableId(table), await exactRows(client, table));
  const tables: Record<string, TableProfile> = {};
  for (const table of schema.tables) {
    const fanOuts: Record<string, FanOut> = {};
    for (const fk of table.foreignKeys) {
      fanOuts[fk.name] = await fanOut(client, table, fk, rows.get(fk.refTable) ?? 0, opts.maxFanOutBuckets ?? 200);
    }
    const columns = await columnProfiles(client, table, opts);
    tables[tableId(table)] = {
      rows: rows.get(tableId(table)) ?? 0,
      columns,
      fanOut: fanOuts,
      dependence: await profileDependence(client, table, columns),
    };
  }
  const db = await client.query<{ name: string }>('SELECT current_database() AS name');
  return {
    kind: 'understudy.dev/profile',
    version: 1,
    capturedAt: new Date().toISOString(),
    database: db.rows[0]?.name ?? '',
    schema,
    tables,
  };
}
