import type { Difference, Inconclusive } from '../finding';
import { DATA_SEVERITY } from '../severity';
import type { ColumnStatistics, DatabaseStatistics, TableStatistics } from './model';
import { tableMatches } from './schema-compare';

export interface DataComparisonOptions {
  /** Only these tables (schema.table or table); all common tables when absent. */
  tables?: string[];
  expectedRowRatio: number;
  tolerances: { rowCount: number; nullFraction: number; distinct: number };
}

export interface DataComparison {
  differences: Difference[];
  inconclusive: Inconclusive[];
}

function difference(
  resource: string,
  path: string,
  staging: unknown,
  production: unknown,
  severity: Difference['severity'],
  message: string,
): Difference {
  const d: Difference = { category: 'data', resource, path, expected: false, severity, message };
  if (staging !== undefined) d.staging = staging;
  if (production !== undefined) d.production = production;
  return d;
}

function selected(table: string, wanted: string[] | undefined): boolean {
  return wanted === undefined || tableMatches(table, wanted);
}

/** Distinct values as PostgreSQL estimates them, as an absolute count. */
function distinctCount(column: ColumnStatistics, rows: number): number {
  return column.distinct >= 0 ? column.distinct : -column.distinct * rows;
}

function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

/** Rows as compared: the exact count when there is one, else the estimate, with a note saying which. */
function rowsOf(side: string, t: TableStatistics): { rows: number; note: string } {
  if (t.exactRows !== undefined) return { rows: t.exactRows, note: `${side}: count(*)` };
  return {
    rows: t.rows,
    note: `${side}: estimate from pg_class.reltuples${t.countSkipped ? ` (${t.countSkipped})` : ''}`,
  };
}

/** Autovacuum's own rule for when a table needs ANALYZE again: 50 rows plus 10% of the table. */
function beyondThreshold(changed: number, rows: number): boolean {
  return changed > 50 + 0.1 * rows;
}

/**
 * Whether a table's statistics no longer describe it. n_mod_since_analyze
 * alone overstates it: rows written in the session that ran ANALYZE are
 * counted after it (a seed that loads and analyses on one connection looks
 * stale). So where count(*) agrees with reltuples the statistics are only
 * suspect (named in findings), and stale (columns not compared) where the
 * count disagrees, or, without a count, where the counter says so.
 */
export function freshness(t: TableStatistics): 'fresh' | 'suspect' | 'stale' {
  if (t.rows < 0 || t.lastAnalyzed === null) return 'stale';
  if (t.exactRows !== undefined && beyondThreshold(Math.abs(t.exactRows - t.rows), Math.max(t.exactRows, t.rows)))
    return 'stale';
  if (!beyondThreshold(t.modifiedSinceAnalyze ?? 0, Math.max(t.rows, t.exactRows ?? 0))) return 'fresh';
  return t.exactRows === undefined ? 'stale' : 'suspect';
}

export function isStale(t: TableStatistics): boolean {
  return freshness(t) === 'stale';
}

/** "staging statistics are stale: 500 rows modified since ANALYZE at …", or nothing. */
function staleness(side: string, t: TableStatistics, level: 'suspect' | 'stale' = 'stale'): string | undefined {
  const f = freshness(t);
  if (f === 'fresh' || (level === 'stale' && f !== 'stale')) return undefined;
  if (t.rows < 0 || !t.lastAnalyzed) return `${side} was never analysed`;
  const count =
    t.exactRows !== undefined && t.exactRows !== Math.round(t.rows)
      ? ` (pg_class.reltuples says ${Math.round(t.rows)} rows, count(*) ${t.exactRows})`
      : '';
  return `${side} statistics are ${f}: ${t.modifiedSinceAnalyze ?? 0} rows modified since ANALYZE at ${t.lastAnalyzed}${count}`;
}

function compareRows(
  resource: string,
  s: TableStatistics,
  p: TableStatistics,
  options: DataComparisonOptions,
): Difference[] {
  const expected = options.expectedRowRatio;
  const sr = rowsOf('staging', s);
  const pr = rowsOf('production', p);
  const estimated = [
    s.exactRows === undefined && staleness('staging', s),
    p.exactRows === undefined && staleness('production', p),
  ].filter((x): x is string => typeof x === 'string');
  const how = ` (${sr.note}; ${pr.note}${estimated.length > 0 ? `; ${estimated.join('; ')}, so the estimate may be far off: run ANALYZE` : ''})`;
  if (pr.rows === 0) {
    return sr.rows === 0
      ? []
      : [
          difference(
            resource,
            'rows',
            Math.round(sr.rows),
            0,
            DATA_SEVERITY.rowCount,
            `staging has ${Math.round(sr.rows)} rows, production none${how}`,
          ),
        ];
  }
  const ratio = sr.rows / pr.rows;
  const deviation = Math.abs(ratio - expected) / expected;
  if (deviation <= options.tolerances.rowCount) return [];
  return [
    difference(
      resource,
      'rows',
      Math.round(sr.rows),
      Math.round(pr.rows),
      DATA_SEVERITY.rowCount,
      `row-count ratio is ${round(ratio)}, expected ${expected} ± ${options.tolerances.rowCount * 100}%${how}`,
    ),
  ];
}

function compareColumn(
  resource: string,
  name: string,
  s: ColumnStatistics,
  p: ColumnStatistics,
  rows: { s: number; p: number },
  options: DataComparisonOptions,
): Difference[] {
  const out: Difference[] = [];
  const path = `columns[${name}]`;
  if (Math.abs(s.nullFraction - p.nullFraction) > options.tolerances.nullFraction) {
    out.push(
      difference(
        resource,
        `${path}.nullFraction`,
        round(s.nullFraction),
        round(p.nullFraction),
        DATA_SEVERITY.nullFraction,
        `column ${name} is ${round(s.nullFraction * 100, 1)}% null in staging, ${round(p.nullFraction * 100, 1)}% in production`,
      ),
    );
  }
  // PostgreSQL switches between a count and a fraction near its threshold, so
  // the two are only compared in the same form: counts for columns with few
  // values (they should not scale with the table), fractions for the rest.
  let sv: number | undefined;
  let pv: number | undefined;
  if (s.distinct >= 0 && p.distinct >= 0) [sv, pv] = [s.distinct, p.distinct];
  else if (s.distinct < 0 && p.distinct < 0) [sv, pv] = [-s.distinct, -p.distinct];
  if (sv !== undefined && pv !== undefined && pv > 0 && Math.abs(sv - pv) / pv > options.tolerances.distinct) {
    out.push(
      difference(
        resource,
        `${path}.distinct`,
        round(distinctCount(s, rows.s), 0),
        round(distinctCount(p, rows.p), 0),
        DATA_SEVERITY.distinct,
        `column ${name} has about ${round(distinctCount(s, rows.s), 0)} distinct values in staging, ${round(distinctCount(p, rows.p), 0)} in production`,
      ),
    );
  }
  return out;
}

/**
 * Compares volume (exact counts where they were taken, estimates marked as
 * such) and shape from the statistics catalogues. Tables without statistics,
 * or whose statistics are stale, are inconclusive for their columns, not a pass.
 */
export function compareData(
  staging: DatabaseStatistics,
  production: DatabaseStatistics,
  options: DataComparisonOptions,
): DataComparison {
  const differences: Difference[] = [];
  const inconclusive: Inconclusive[] = [];
  // A listed table that is not there is a spec or environment error, never "no drift" (issue 10).
  for (const [index, pattern] of (options.tables ?? []).entries()) {
    for (const [side, stats] of [
      ['production', production],
      ['staging', staging],
    ] as const) {
      if (![...stats.keys()].some((t) => tableMatches(t, [pattern])))
        throw new Error(
          `spec.categories.data.tables[${index}]: no table ${JSON.stringify(pattern)} in the ${side} database`,
        );
    }
  }
  for (const table of [...production.keys()].filter((t) => !staging.has(t) && selected(t, options.tables)).sort()) {
    const rows = production.get(table)!;
    differences.push(
      difference(
        `Table/${table}`,
        'rows',
        undefined,
        Math.round(rows.exactRows ?? rows.rows),
        DATA_SEVERITY.missingTable,
        `table ${table} exists in production but not in staging`,
      ),
    );
  }
  const tables = [...production.keys()].filter((t) => staging.has(t) && selected(t, options.tables)).sort();
  if (tables.length === 0 && differences.length === 0) {
    inconclusive.push({
      category: 'data',
      resource: 'Database',
      path: '',
      reason: 'no table of the compared schemas exists in both databases: nothing to compare',
    });
  }
  for (const table of tables) {
    const resource = `Table/${table}`;
    const s = staging.get(table)!;
    const p = production.get(table)!;
    const sRows = s.exactRows ?? s.rows;
    const pRows = p.exactRows ?? p.rows;
    if (sRows < 0 || pRows < 0) {
      const side = sRows < 0 ? 'staging' : 'production';
      inconclusive.push({
        category: 'data',
        resource,
        path: 'rows',
        reason: `${table} has no statistics in ${side} and could not be counted: run ANALYZE`,
      });
      continue;
    }
    differences.push(...compareRows(resource, s, p, options));
    if (sRows === 0 || pRows === 0) continue;
    if (s.columns.size === 0 || p.columns.size === 0) {
      const [side, t] = s.columns.size === 0 ? (['staging', s] as const) : (['production', p] as const);
      const remedy =
        t.readable === false
          ? `the ${side} credentials may not SELECT from it, and PostgreSQL shows statistics only of columns they may read: grant SELECT on it`
          : 'run ANALYZE';
      inconclusive.push({
        category: 'data',
        resource,
        path: 'columns',
        reason: `${table} has no column statistics in ${side}: ${remedy}`,
      });
      continue;
    }
    const stale = [staleness('staging', s), staleness('production', p)].filter((x): x is string => x !== undefined);
    if (stale.length > 0) {
      // Null fractions and distinct counts come from the same statistics: compared now they would describe data that is gone.
      inconclusive.push({
        category: 'data',
        resource,
        path: 'columns',
        reason: `${table}: ${stale.join('; ')}; run ANALYZE before comparing its columns`,
      });
      continue;
    }
    const suspect = [staleness('staging', s, 'suspect'), staleness('production', p, 'suspect')].filter(
      (x): x is string => x !== undefined,
    );
    for (const [name, pc] of [...p.columns].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const sc = s.columns.get(name);
      if (!sc) continue;
      const found = compareColumn(resource, name, sc, pc, { s: sRows, p: pRows }, options);
      differences.push(
        ...(suspect.length > 0 ? found.map((d) => ({ ...d, message: `${d.message} (${suspect.join('; ')})` })) : found),
      );
    }
  }
  return { differences, inconclusive };
}
