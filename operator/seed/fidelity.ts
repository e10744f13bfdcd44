import type { ColumnInfo, ColumnProfile, Profile } from './model';
import { tableId } from './model';
import { fanOutFidelity, fanOutGranularity } from './fan-out';
import { dateTextToEpochDays } from './transform/dates';
import { expectedDistinct } from './distinct';
import { type PairFidelity, pairTrendGranularity, pairTrends } from './pair-trends';

// How close the seeded data came to production, computed from two profiles
// (production's and the target's), so memory stays bounded whatever the size.

export interface ColumnFidelity {
  table: string;
  column: string;
  nullFractionDelta: number;
  distinctRatio?: number;
  /**
   * Numbers and dates, personal ones included (from their ranges, aggregates
   * only): the share of the union of both ranges they have in common; 1 is the
   * same range. Reported, not judged.
   */
  rangeOverlap?: number;
  kolmogorovSmirnov?: number;
  totalVariation?: number;
  /** Set when the rules generate the column (it looks personal or its rule is not keep): judged on nulls, distinct values and range. */
  personal?: string;
  /** Personal columns: |distinct / production's distinct at this size - 1| (see distinct.ts). */
  distinctDeviation?: number;
}

export interface TableFidelity {
  table: string;
  expectedRows: number;
  rows: number;
  rowCountDeviation: number;
}

export interface ForeignKeyFidelity {
  table: string;
  foreignKey: string;
  /** KS distance between the distributions of children per parent. */
  fanOutKolmogorovSmirnov: number;
  /** The distance no allocation of this many parents can go below (see fanOutGranularity). */
  granularity: number;
}

export { fanOutDistance, fanOutFidelity, fanOutGranularity, MIN_JUDGED_PARENTS } from './fan-out';

export interface FidelityThresholds {
  maxNullFractionDelta?: number;
  maxKolmogorovSmirnov?: number;
  maxTotalVariation?: number;
  maxRowCountDeviation?: number;
  maxFanOutKolmogorovSmirnov?: number;
  /** Largest 1 - similarity of a column pair's trend (CorrelationSimilarity or ContingencySimilarity). */
  maxPairTrendDistance?: number;
  /** Personal columns: largest relative deviation of the distinct count from production's at this size. */
  maxDistinctDeviation?: number;
  /** Personal numbers and dates: largest 1 - overlap of the ranges. */
  maxRangeDeviation?: number;
}
export type ResolvedThresholds = Required<FidelityThresholds>;

/** The defaults, enforced unless a DataSeed's spec.fidelity or a CLI flag says otherwise. */
export const DEFAULT_THRESHOLDS: Readonly<ResolvedThresholds> = Object.freeze({
  maxNullFractionDelta: 0.01,
  maxKolmogorovSmirnov: 0.1,
  maxTotalVariation: 0.1,
  maxRowCountDeviation: 0.01,
  maxFanOutKolmogorovSmirnov: 0.1,
  // SDMetrics scores a pair 1 - |Δρ|/2: 0.15 lets a correlation of 0.3 vanish but not one of 0.5,
  // and fails a category that determines another drawn independently (bench/sdv-compare.ts).
  maxPairTrendDistance: 0.15,
  // Distinct counts of generated values: within half of production's at this size (names from a word list cannot reach 20,000).
  maxDistinctDeviation: 0.5,
  maxRangeDeviation: 0.1,
});

/** A DataSeed's thresholds over the defaults (the schema bounds each to [0, 1]). */
export function thresholdsOfSpec(
  fidelity: Partial<Record<keyof FidelityThresholds, string>> | undefined,
): ResolvedThresholds {
  return thresholdsWith({ ...fidelity });
}

/** Defaults with the given overrides; an override must be a finite number in [0, 1]. */
export function thresholdsWith(
  overrides: Partial<Record<keyof FidelityThresholds, number | string | undefined>>,
): ResolvedThresholds {
  const out: ResolvedThresholds = { ...DEFAULT_THRESHOLDS };
  for (const key of Object.keys(DEFAULT_THRESHOLDS) as Array<keyof ResolvedThresholds>) {
    const v = overrides[key];
    if (v === undefined) continue;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0 || n > 1)
      throw new RangeError(`${key} must be a number between 0 and 1, got ${JSON.stringify(v)}`);
    out[key] = n;
  }
  return out;
}

export interface FidelityReport {
  tables: TableFidelity[];
  columns: ColumnFidelity[];
  foreignKeys: ForeignKeyFidelity[];
  /** Column-pair trends, as SDMetrics' quality report measures them (pair-trends.ts). */
  pairs?: PairFidelity[];
  foreignKeyOrphans: number;
  uniqueViolations: number;
  worst: {
    nullFractionDelta?: number;
    kolmogorovSmirnov?: number;
    totalVariation?: number;
    rowCountDeviation?: number;
    fanOutKolmogorovSmirnov?: number;
    /** Smallest column-pair similarity. */
    pairTrendSimilarity?: number;
    distinctDeviation?: number;
    rangeDeviation?: number;
  };
  violations: string[];
  passed: boolean;
}

const ORDERED = new Set(['int2', 'int4', 'int8', 'float', 'numeric', 'date', 'timestamp', 'timestamptz']);

function toX(column: ColumnInfo, text: string): number {
  return ['date', 'timestamp', 'timestamptz'].includes(column.baseType) ? dateTextToEpochDays(text) : Number(text);
}

/** The CDF of the non-null values a profile describes: point masses plus uniform histogram buckets. */
export function profileCdf(
  column: ColumnInfo,
  p: ColumnProfile,
): ((x: number, inclusive: boolean) => number) | undefined {
  const masses = (p.mostCommon?.values ?? []).map((v, i) => [toX(column, v), p.mostCommon!.freqs[i] ?? 0] as const);
  const bounds = (p.histogram ?? []).map((b) => toX(column, b));
  if (masses.some(([x]) => !Number.isFinite(x)) || bounds.some((x) => !Number.isFinite(x))) return undefined;
  if (masses.length === 0 && bounds.length < 2) return undefined;
  const massTotal = masses.reduce((s, [, f]) => s + f, 0);
  const histWeight = bounds.length >= 2 ? Math.max(0, 1 - p.nullFrac - massTotal) : 0;
  const norm = massTotal + histWeight;
  if (norm <= 0) return undefined;
  const buckets = bounds.length - 1;
  return (x, inclusive) => {
    let f = 0;
    for (const [v, w] of masses) if (v < x || (inclusive && v === x)) f += w;
    if (histWeight > 0) {
      if (x >= bounds[buckets]!) f += histWeight;
      else if (x > bounds[0]!) {
        let i = 0;
        while (bounds[i + 1]! <= x) i++;
        const lo = bounds[i]!;
        const hi = bounds[i + 1]!;
        f += (histWeight / buckets) * (i + (hi > lo ? (x - lo) / (hi - lo) : 1));
      }
    }
    return f / norm;
  };
}

export function kolmogorovSmirnov(column: ColumnInfo, a: ColumnProfile, b: ColumnProfile): number | undefined {
  const fa = profileCdf(column, a);
  const fb = profileCdf(column, b);
  if (!fa || !fb) return undefined;
  const points = [
    ...(a.mostCommon?.values ?? []),
    ...(a.histogram ?? []),
    ...(b.mostCommon?.values ?? []),
    ...(b.histogram ?? []),
  ].map((v) => toX(column, v));
  let worst = 0;
  for (const x of points) {
    worst = Math.max(worst, Math.abs(fa(x, true) - fb(x, true)), Math.abs(fa(x, false) - fb(x, false)));
  }
  return worst;
}

/** Total variation over the most common values, the rest pooled as one category. */
export function totalVariation(a: ColumnProfile, b: ColumnProfile): number | undefined {
  if (!a.mostCommon || !b.mostCommon) return undefined;
  const dist = (p: ColumnProfile): Map<string, number> => {
    const m = new Map<string, number>();
    const nonNull = Math.max(1e-12, 1 - p.nullFrac);
    p.mostCommon!.values.forEach((v, i) => m.set(v, (p.mostCommon!.freqs[i] ?? 0) / nonNull));
    m.set('\u0000other', Math.max(0, 1 - [...m.values()].reduce((s, f) => s + f, 0)));
    return m;
  };
  const da = dist(a);
  const db = dist(b);
  // Values common in one profile but below the other's cut-off are pooled there as "other".
  let sum = 0;
  const keys = new Set([...da.keys(), ...db.keys()]);
  const pool = (m: Map<string, number>, own: Map<string, number>): number =>
    [...keys].filter((k) => !own.has(k)).reduce((s, k) => s + (m.get(k) ?? 0), 0);
  for (const k of keys) if (da.has(k) && db.has(k) && k !== '\u0000other') sum += Math.abs(da.get(k)! - db.get(k)!);
  sum += Math.abs((da.get('\u0000other') ?? 0) + pool(da, db) - ((db.get('\u0000other') ?? 0) + pool(db, da)));
  return Math.min(1, sum / 2);
}

export function rangeOverlap(column: ColumnInfo, a: ColumnProfile, b: ColumnProfile): number | undefined {
  if (!a.range || !b.range || !ORDERED.has(column.baseType)) return undefined;
  const [a0, a1, b0, b1] = [a.range.min, a.range.max, b.range.min, b.range.max].map((v) => toX(column, v));
  if (![a0, a1, b0, b1].every((x) => Number.isFinite(x))) return undefined;
  const union = Math.max(a1!, b1!) - Math.min(a0!, b0!);
  if (union <= 0) return 1;
  return Math.max(0, Math.min(a1!, b1!) - Math.max(a0!, b0!)) / union;
}

function distinctCount(p: ColumnProfile, rows: number): number {
  return p.nDistinct >= 0 ? p.nDistinct : -p.nDistinct * rows;
}

export function compareProfiles(
  source: Profile,
  target: Profile,
  expectedRows: Map<string, number>,
  given: FidelityThresholds,
  integrity: { foreignKeyOrphans: number; uniqueViolations: number; details: string[] },
): FidelityReport {
  // An unset threshold is the default, never "unchecked": a report cannot pass by omission.
  const thresholds = thresholdsWith(given);
  const tables: TableFidelity[] = [];
  const columns: ColumnFidelity[] = [];
  const foreignKeys: ForeignKeyFidelity[] = [];
  const pairs: PairFidelity[] = [];
  for (const table of target.schema.tables) {
    const id = tableId(table);
    const s = source.tables[id];
    const t = target.tables[id];
    if (!s || !t) continue;
    const expected = expectedRows.get(id) ?? s.rows;
    tables.push({
      table: id,
      expectedRows: expected,
      rows: t.rows,
      rowCountDeviation: expected > 0 ? Math.abs(t.rows - expected) / expected : t.rows > 0 ? 1 : 0,
    });
    if (t.rows === 0 || s.rows === 0) continue;
    for (const fk of table.foreignKeys) {
      const [fs, ft] = [s.fanOut[fk.name], t.fanOut[fk.name]];
      if (fs && ft) {
        foreignKeys.push({
          table: id,
          foreignKey: fk.name,
          fanOutKolmogorovSmirnov: fanOutFidelity(fs, ft),
          granularity: fanOutGranularity(ft.parentRows),
        });
      }
    }
    // Key values are labels: their distribution says nothing; fan-out (above) is what matters for them.
    const keyColumns = new Set([...table.primaryKey, ...table.foreignKeys.flatMap((fk) => fk.columns)]);
    for (const column of table.columns) {
      const sc = s.columns[column.name];
      const tc = t.columns[column.name];
      if (!sc || !tc) continue;
      const f: ColumnFidelity = {
        table: id,
        column: column.name,
        nullFractionDelta: Math.abs(sc.nullFrac - tc.nullFrac),
      };
      const sd = distinctCount(sc, s.rows);
      if (sd > 0) f.distinctRatio = distinctCount(tc, t.rows) / sd;
      const overlap = rangeOverlap(column, sc, tc);
      if (overlap !== undefined) f.rangeOverlap = overlap;
      if (sc.personal) {
        f.personal = sc.personal;
        const want = expectedDistinct(sc, s.rows, t.rows);
        const have = tc.distinct ?? distinctCount(tc, t.rows);
        // Documents and arrays are judged on structure elsewhere; their distinct count is not a shape of production's values.
        const container = column.isArray || column.baseType === 'json' || column.baseType === 'jsonb';
        if (want !== undefined && want > 0 && !container) f.distinctDeviation = Math.abs(have / want - 1);
      }
      if (!sc.personal && !column.isArray && !keyColumns.has(column.name)) {
        if (ORDERED.has(column.baseType)) f.kolmogorovSmirnov = kolmogorovSmirnov(column, sc, tc);
        else f.totalVariation = totalVariation(sc, tc);
      }
      columns.push(f);
    }
    pairs.push(...pairTrends(id, s.dependence, t.dependence, (c) => s.columns[c]?.personal !== undefined));
  }
  const max = (xs: Array<number | undefined>): number | undefined => {
    const v = xs.filter((x): x is number => x !== undefined);
    return v.length ? Math.max(...v) : undefined;
  };
  const worst = {
    nullFractionDelta: max(columns.map((c) => c.nullFractionDelta)),
    kolmogorovSmirnov: max(columns.map((c) => c.kolmogorovSmirnov)),
    totalVariation: max(columns.map((c) => c.totalVariation)),
    rowCountDeviation: max(tables.map((t) => t.rowCountDeviation)),
    fanOutKolmogorovSmirnov: max(foreignKeys.map((f) => f.fanOutKolmogorovSmirnov)),
    pairTrendSimilarity: pairs.length ? Math.min(...pairs.map((p) => p.similarity)) : undefined,
    distinctDeviation: max(columns.map((c) => c.distinctDeviation)),
    rangeDeviation: max(
      columns.filter((c) => c.personal).map((c) => (c.rangeOverlap === undefined ? undefined : 1 - c.rangeOverlap)),
    ),
  };
  const found: Array<{ text: string; excess: number }> = [];
  const check = (name: string, limit: number, values: Array<[string, number | undefined, number?]>): void => {
    for (const [where, v, slack = 0] of values) {
      if (v !== undefined && v > limit + slack + 1e-12)
        found.push({
          text: `${where}: ${name} ${v.toFixed(3)} > ${limit}`,
          excess: (v - slack) / Math.max(limit, 1e-6),
        });
    }
  };
  // One row of a small table is more than a percentage point: a share is judged to within one row.
  const rowsOf = new Map(tables.map((t) => [t.table, t.rows]));
  const oneRow = (c: ColumnFidelity): number => 1 / Math.max(1, rowsOf.get(c.table) ?? 1);
  check(
    'null-fraction difference',
    thresholds.maxNullFractionDelta,
    columns.map((c) => [`${c.table}.${c.column}`, c.nullFractionDelta, oneRow(c)]),
  );
  check(
    'KS distance',
    thresholds.maxKolmogorovSmirnov,
    columns.map((c) => [`${c.table}.${c.column}`, c.kolmogorovSmirnov, oneRow(c)]),
  );
  check(
    'total variation',
    thresholds.maxTotalVariation,
    columns.map((c) => [`${c.table}.${c.column}`, c.totalVariation, oneRow(c)]),
  );
  check(
    'row-count deviation',
    thresholds.maxRowCountDeviation,
    tables.map((t) => [t.table, t.rowCountDeviation]),
  );
  // Sampling error: a trend measured on n rows is about 1/√n off; a range of n uniform draws misses about 2/(n+1) of it.
  check(
    'column-pair trend distance',
    thresholds.maxPairTrendDistance,
    pairs.map((p) => [
      `${p.table}.(${p.columns.join(', ')}) ${p.metric}`,
      1 - p.similarity,
      // About 0.5/√n is one standard deviation of the distance a faithful draw of n rows shows by chance
      // (8 seeds of a 59-row table measured 0.002-0.11, one 0.23): a gate allows three.
      3 * pairTrendGranularity(rowsOf.get(p.table) ?? 1),
    ]),
  );
  const personal = columns.filter((c) => c.personal);
  check(
    'distinct-count deviation',
    thresholds.maxDistinctDeviation,
    personal.map((c) => [
      `${c.table}.${c.column}`,
      c.distinctDeviation,
      pairTrendGranularity(rowsOf.get(c.table) ?? 1),
    ]),
  );
  check(
    'range deviation',
    thresholds.maxRangeDeviation,
    personal.map((c) => [
      `${c.table}.${c.column}`,
      c.rangeOverlap === undefined ? undefined : 1 - c.rangeOverlap,
      2 / (1 + (rowsOf.get(c.table) ?? 1)),
    ]),
  );
  check(
    'fan-out KS',
    thresholds.maxFanOutKolmogorovSmirnov,
    foreignKeys.map((f) => [`${f.table} (${f.foreignKey})`, f.fanOutKolmogorovSmirnov, f.granularity]),
  );
  // Worst offenders first: they are what a message cut to its first lines must name.
  found.sort((a, b) => b.excess - a.excess);
  const violations = [...integrity.details, ...found.map((f) => f.text)];
  return {
    tables,
    columns,
    foreignKeys,
    pairs,
    foreignKeyOrphans: integrity.foreignKeyOrphans,
    uniqueViolations: integrity.uniqueViolations,
    worst,
    violations,
    passed: violations.length === 0 && integrity.foreignKeyOrphans === 0 && integrity.uniqueViolations === 0,
  };
}
