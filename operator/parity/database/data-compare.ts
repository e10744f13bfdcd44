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

function difference(resource: string, path: string, staging: unknown, production: unknown, severity: Difference['severity'], message: string): Difference {
  return { category: 'data', resource, path, staging, production, expected: false, severity, message };
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

function compareRows(resource: string, s: TableStatistics, p: TableStatistics, options: DataComparisonOptions): Difference[] {
  const expected = options.expectedRowRatio;
  if (p.rows === 0) {
    return s.rows === 0 ? [] : [difference(resource, 'rows', s.rows, p.rows, DATA_SEVERITY.rowCount, `staging has about ${s.rows} rows, production none`)];
  }
  const ratio = s.rows / p.rows;
  const deviation = Math.abs(ratio - expected) / expected;
  if (deviation <= options.tolerances.rowCount) return [];
  return [difference(resource, 'rows', Math.round(s.rows), Math.round(p.rows), DATA_SEVERITY.rowCount, `row-count ratio is ${round(ratio)}, expected ${expected} ± ${options.tolerances.rowCount * 100}%`)];
}

function compareColumn(resource: string, name: string, s: ColumnStatistics, p: ColumnStatistics, rows: { s: number; p: number }, options: DataComparisonOptions): Difference[] {
  const out: Difference[] = [];
  const path = `columns[${name}]`;
  if (Math.abs(s.nullFraction - p.nullFraction) > options.tolerances.nullFraction) {
    out.push(difference(resource, `${path}.nullFraction`, round(s.nullFraction), round(p.nullFraction), DATA_SEVERITY.nullFraction, `column ${name} is ${round(s.nullFraction * 100, 1)}% null in staging, ${round(p.nullFraction * 100, 1)}% in production`));
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
      difference(resource, `${path}.distinct`, round(distinctCount(s, rows.s), 0), round(distinctCount(p, rows.p), 0), DATA_SEVERITY.distinct, `column ${name} has about ${round(distinctCount(s, rows.s), 0)} distinct values in staging, ${round(distinctCount(p, rows.p), 0)} in production`),
    );
  }
  return out;
}

/** Compares volume and shape from the statistics catalogues; tables never analysed are inconclusive, not a pass. */
export function compareData(staging: DatabaseStatistics, production: DatabaseStatistics, options: DataComparisonOptions): DataComparison {
  const differences: Difference[] = [];
  const inconclusive: Inconclusive[] = [];
  const tables = [...production.keys()].filter((t) => staging.has(t) && selected(t, options.tables)).sort();
  for (const table of tables) {
    const resource = `Table/${table}`;
    const s = staging.get(table)!;
    const p = production.get(table)!;
    if (s.rows < 0 || p.rows < 0) {
      const side = s.rows < 0 ? 'staging' : 'production';
      inconclusive.push({ category: 'data', resource, path: 'rows', reason: `${table} has no statistics in ${side}: run ANALYZE` });
      continue;
    }
    differences.push(...compareRows(resource, s, p, options));
    if (s.rows === 0 || p.rows === 0) continue;
    if (s.columns.size === 0 || p.columns.size === 0) {
      inconclusive.push({ category: 'data', resource, path: 'columns', reason: `${table} has no column statistics in ${s.columns.size === 0 ? 'staging' : 'production'}: run ANALYZE` });
      continue;
    }
    for (const [name, pc] of [...p.columns].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const sc = s.columns.get(name);
      if (sc) differences.push(...compareColumn(resource, name, sc, pc, { s: s.rows, p: p.rows }, options));
    }
  }
  return { differences, inconclusive };
}
