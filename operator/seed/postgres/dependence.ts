import type { ClientBase } from 'pg';
import type { ColumnProfile, Dependence, TableInfo } from '../model';
import { quoteIdent, quoteTable } from './introspect';

// How a table's columns move together, from two aggregate queries; no row
// leaves the server. Correlations are numbers (one per pair), never values, so
// they are taken for every numeric and date column, personal ones included.
// Contingency counts name values, so they are taken only for columns whose
// profile already holds all their values (most common values that passed the
// content scan), and every cell outside those values is dropped.

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float', 'numeric']);
const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz']);
/** Bounds on the work: pairs grow with the square of the columns. */
export const MAX_CORRELATED_COLUMNS = 16;
export const MAX_CATEGORICAL_COLUMNS = 10;
/** A column is categorical for the joint model when its most common values hold this share of its non-null values, and are at most this many. */
const MIN_MCV_COVERAGE = 0.98;
export const MAX_CATEGORIES = 40;

/** Primary-key and foreign-key columns are labels: their dependence is the fan-out's business. */
function keyColumns(table: TableInfo): Set<string> {
  return new Set([...table.primaryKey, ...table.foreignKeys.flatMap((fk) => fk.columns)]);
}

/** Numbers and dates whose correlation the profile measures, in table order. */
export function correlatedColumns(table: TableInfo): string[] {
  const keys = keyColumns(table);
  return table.columns
    .filter(
      (c) => !c.isArray && !c.generated && !keys.has(c.name) && (NUMERIC.has(c.baseType) || TEMPORAL.has(c.baseType)),
    )
    .map((c) => c.name)
    .slice(0, MAX_CORRELATED_COLUMNS);
}

/** Columns whose values the profile holds entirely, in few categories. */
export function categoricalColumns(table: TableInfo, profiles: Record<string, ColumnProfile>): string[] {
  const keys = keyColumns(table);
  return table.columns
    .filter((c) => {
      const p = profiles[c.name];
      if (
        !p?.mostCommon ||
        p.personal ||
        p.refused ||
        c.isArray ||
        keys.has(c.name) ||
        c.baseType === 'json' ||
        c.baseType === 'jsonb'
      )
        return false;
      const covered = p.mostCommon.freqs.reduce((s, f) => s + f, 0);
      return p.mostCommon.values.length <= MAX_CATEGORIES && covered >= MIN_MCV_COVERAGE * (1 - p.nullFrac);
    })
    .map((c) => c.name)
    .slice(0, MAX_CATEGORICAL_COLUMNS);
}

/** The column as a float: dates as days since 2000-01-01, timestamps as seconds. */
function asNumber(table: TableInfo, name: string): string {
  const column = table.columns.find((c) => c.name === name)!;
  const col = quoteIdent(name);
  if (column.baseType === 'date') return `(${col} - DATE '2000-01-01')::float8`;
  if (TEMPORAL.has(column.baseType)) return `extract(epoch FROM ${col})::float8`;
  return `${col}::float8`;
}

export function pairsOf<T>(xs: readonly T[]): Array<[T, T]> {
  const out: Array<[T, T]> = [];
  for (let i = 0; i < xs.length; i++) for (let j = i + 1; j < xs.length; j++) out.push([xs[i]!, xs[j]!]);
  return out;
}

async function correlations(client: ClientBase, table: TableInfo): Promise<Dependence['correlations']> {
  const names = correlatedColumns(table);
  if (names.length < 2) return [];
  const inner = names.flatMap((n, i) => [
    `${asNumber(table, n)} AS x${i}`,
    `percent_rank() OVER (ORDER BY ${quoteIdent(n)}) AS r${i}`,
  ]);
  const pairs = pairsOf(names.map((_, i) => i));
  const outer = pairs.flatMap(([i, j]) => [
    `corr(x${i}, x${j})`,
    `corr(CASE WHEN x${i} IS NOT NULL AND x${j} IS NOT NULL THEN r${i} END, CASE WHEN x${i} IS NOT NULL AND x${j} IS NOT NULL THEN r${j} END)`,
  ]);
  const res = await client.query({
    text: `SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${quoteTable(table)}) s`,
    rowMode: 'array',
  });
  const row = (res.rows[0] ?? []) as unknown[];
  // A constant column has no correlation (NULL): it is independent of everything.
  return pairs.map(([i, j], k) => ({
    columns: [names[i]!, names[j]!] as [string, string],
    pearson: finite(row[2 * k]),
    spearman: finite(row[2 * k + 1]),
  }));
}

function finite(v: unknown): number {
  const n = Number(v);
  return v !== null && Number.isFinite(n) ? Math.max(-1, Math.min(1, n)) : 0;
}

async function contingencies(
  client: ClientBase,
  table: TableInfo,
  profiles: Record<string, ColumnProfile>,
): Promise<Dependence['contingencies']> {
  const names = categoricalColumns(table, profiles);
  if (names.length < 2) return [];
  const k = names.length;
  const cols = names.map(quoteIdent);
  const pairs = pairsOf(names.map((_, i) => i));
  const sets = pairs.map(([i, j]) => `(${cols[i]}, ${cols[j]})`).join(', ');
  const sql = `SELECT GROUPING(${cols.join(', ')})::int AS g, ${cols.map((c, i) => `${c}::text AS v${i}`).join(', ')}, count(*)::float8 AS n
    FROM ${quoteTable(table)} GROUP BY GROUPING SETS (${sets})`;
  const res = await client.query({ text: sql, rowMode: 'array' });
  const full = (1 << k) - 1;
  const allowed = names.map((n) => new Set(profiles[n]!.mostCommon!.values));
  const byMask = new Map(
    pairs.map(([i, j]) => [
      full ^ (1 << (k - 1 - i)) ^ (1 << (k - 1 - j)),
      { i, j, cells: [] as Array<[string, string, number]> },
    ]),
  );
  for (const raw of res.rows as unknown[][]) {
    const pair = byMask.get(Number(raw[0]));
    if (!pair) continue;
    const [a, b] = [raw[1 + pair.i], raw[1 + pair.j]];
    // Only values the profile already holds (scanned most common values); NULLs are the null fraction's business.
    if (typeof a !== 'string' || typeof b !== 'string' || !allowed[pair.i]!.has(a) || !allowed[pair.j]!.has(b))
      continue;
    pair.cells.push([a, b, Number(raw[1 + k])]);
  }
  return [...byMask.values()].map((p) => ({
    columns: [names[p.i]!, names[p.j]!] as [string, string],
    cells: p.cells.sort((x, y) => y[2] - x[2]),
  }));
}

/** Deciles: a profile lives in a ConfigMap (1 MiB), and per-category quantiles multiply by categories × numbers. */
export const CONDITIONAL_QUANTILES = Array.from({ length: 11 }, (_, i) => i / 10);
/** Categories with more values than this condition nothing (the same bound on the ConfigMap's size). */
const MAX_CONDITIONING_VALUES = 20;

/** Numbers and dates as numbers for conditional quantiles: dates and timestamps in days since 1970, as the samplers read them. */
function asDays(table: TableInfo, name: string): string {
  const column = table.columns.find((c) => c.name === name)!;
  const col = quoteIdent(name);
  if (column.baseType === 'date') return `(${col} - DATE '1970-01-01')::float8`;
  if (TEMPORAL.has(column.baseType)) return `(extract(epoch FROM ${col}) / 86400)::float8`;
  return `${col}::float8`;
}

/**
 * Quantiles of each kept number or date per value of each category, in one
 * GROUPING SETS scan: what lets a drug keep its dose once both are synthesized.
 */
async function conditionals(
  client: ClientBase,
  table: TableInfo,
  profiles: Record<string, ColumnProfile>,
): Promise<NonNullable<Dependence['conditionals']>> {
  const given = categoricalColumns(table, profiles).filter(
    (n) => profiles[n]!.mostCommon!.values.length <= MAX_CONDITIONING_VALUES,
  );
  const numbers = correlatedColumns(table).filter((n) => {
    const p = profiles[n];
    return (
      p !== undefined &&
      !p.personal &&
      !p.refused &&
      (p.histogram !== undefined || p.mostCommon !== undefined) &&
      !given.includes(n)
    );
  });
  if (given.length === 0 || numbers.length === 0) return [];
  const cols = given.map(quoteIdent);
  const at = `ARRAY[${CONDITIONAL_QUANTILES.join(', ')}]::float8[]`;
  const sql = `SELECT GROUPING(${cols.join(', ')})::int AS g, ${cols.map((c, i) => `${c}::text AS v${i}`).join(', ')},
      ${numbers.map((n, j) => `count(${quoteIdent(n)})::float8 AS n${j}, percentile_cont(${at}) WITHIN GROUP (ORDER BY ${asDays(table, n)}) AS q${j}`).join(', ')}
    FROM ${quoteTable(table)} GROUP BY GROUPING SETS (${cols.map((c) => `(${c})`).join(', ')})`;
  const res = await client.query({ text: sql, rowMode: 'array' });
  const k = given.length;
  const full = (1 << k) - 1;
  const allowed = given.map((n) => new Set(profiles[n]!.mostCommon!.values));
  const out = new Map<string, NonNullable<Dependence['conditionals']>[number]>();
  for (const raw of res.rows as unknown[][]) {
    const i = given.findIndex((_, gi) => Number(raw[0]) === (full ^ (1 << (k - 1 - gi))));
    const value = raw[1 + i];
    if (i < 0 || typeof value !== 'string' || !allowed[i]!.has(value)) continue;
    numbers.forEach((n, j) => {
      const rows = Number(raw[1 + k + 2 * j]);
      const quantiles = raw[2 + k + 2 * j];
      if (!(rows > 0) || !Array.isArray(quantiles)) return;
      const key = `${given[i]}\u0000${n}`;
      if (!out.has(key)) out.set(key, { given: given[i]!, column: n, groups: [] });
      out.get(key)!.groups.push({ value, rows, quantiles: quantiles.map((q) => Number(Number(q).toPrecision(9))) });
    });
  }
  return [...out.values()];
}

export async function profileDependence(
  client: ClientBase,
  table: TableInfo,
  profiles: Record<string, ColumnProfile>,
): Promise<Dependence> {
  return {
    correlations: await correlations(client, table),
    contingencies: await contingencies(client, table, profiles),
    conditionals: await conditionals(client, table, profiles),
  };
}
