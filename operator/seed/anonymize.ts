import { changesAnyColumn, compileLineTransform } from './anonymize-rows';
import type { RowCodec, SeedDatabase } from './driver';
import { SeedError } from './errors';
import type { SeedJob } from './jobs';
import type { Keyed as KeyedHash } from './keyed';
import { type SchemaInfo, type TableInfo, tableId } from './model';
import type { LoadPlan } from './plan';
import type { ProgressMeter } from './progress';
import type { ColumnPlan, RulePlan } from './rules';
import { writtenPlans } from './synth/table';

type Predicate = (tableId: string) => string | undefined;

/** Tables with no kept rows get the predicate FALSE: they are emptied, not copied whole. */
function predicateFor(predicate: Predicate, id: string, subset: boolean): string | undefined {
  const p = predicate(id);
  return p ?? (subset ? 'FALSE' : undefined);
}

export function anonymizeJobs(
  source: SeedDatabase,
  schema: SchemaInfo,
  plan: RulePlan,
  load: LoadPlan,
  keyed: KeyedHash,
  predicate: Predicate,
  batchRows: number,
  codec: RowCodec,
  meter: ProgressMeter,
  subset: boolean,
  unchanged: Map<string, number>,
): SeedJob[] {
  const deferredCols = new Map<string, Set<string>>();
  for (const d of load.deferred) {
    const set = deferredCols.get(d.table) ?? new Set<string>();
    d.fk.columns.forEach((c) => set.add(c));
    deferredCols.set(d.table, set);
  }
  return schema.tables.map((table) => {
    const id = tableId(table);
    const plans = writtenPlans(plan.columns.get(id) ?? []);
    const columns = plans.map((p) => p.column.name);
    const where = predicateFor(predicate, id, subset);
    let written = 0;
    const nulledHere = deferredCols.get(id) ?? new Set<string>();
    const unchangedHere = new Map<string, number>();
    const transformLines = compileLineTransform(plans, keyed, codec, nulledHere, unchangedHere);
    const deferred = load.deferred
      .filter((d) => d.table === id)
      .map((d) => {
        const keyPlans = table.primaryKey.map((c) => plans.find((p) => p.column.name === c)!);
        const fkPlans = d.fk.columns.map((c) => plans.find((p) => p.column.name === c)!);
        const parentWhere = predicate(d.fk.refTable);
        // A deferred key whose parent row is not in the subset is left NULL (it is nullable), never orphaned.
        const keepFk = parentWhere
          ? `(${d.fk.columns.map((c) => `"${c}"`).join(', ')}) IN (SELECT ${d.fk.refColumns.map((c) => `"${c}"`).join(', ')} FROM ${quoted(d.fk.refTable)} WHERE ${parentWhere})`
          : undefined;
        const rowsWhere =
          [where, keepFk]
            .filter((x) => x !== undefined)
            .map((x) => `(${x})`)
            .join(' AND ') || undefined;
        const t = compileLineTransform([...keyPlans, ...fkPlans], keyed, codec, new Set());
        return {
          fk: d.fk,
          keyColumns: table.primaryKey,
          setColumns: d.fk.columns,
          chunks: async function* () {
            for await (const lines of source.readLines(
              table,
              [...table.primaryKey, ...d.fk.columns],
              rowsWhere,
              batchRows,
            ))
              yield t(lines);
          },
        };
      });
    return {
      table,
      columns,
      rows: () => written,
      deferred,
      chunks: async function* (signal?: AbortSignal) {
        if (!changesAnyColumn(plans, nulledHere)) {
          // Nothing to mask: production's bytes go straight to the target, counted by their newlines.
          for await (const chunk of source.readChunks(table, columns, where)) {
            let n = 0;
            for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) n += 1;
            written += n;
            meter.add(id, n);
            yield chunk;
          }
          return;
        }
        for await (const lines of source.readLines(table, columns, where, batchRows, signal)) {
          written += lines.length;
          meter.add(id, lines.length);
          yield transformLines(lines);
        }
        for (const [column, n] of unchangedHere)
          unchanged.set(`${id}.${column}`, (unchanged.get(`${id}.${column}`) ?? 0) + n);
      },
    };
  });
}

function quoted(id: string): string {
  const dot = id.indexOf('.');
  return `"${id.slice(0, dot)}"."${id.slice(dot + 1)}"`;
}

/**
 * Checks rules against CHECK constraints before anything is written: a sample
 * of source rows is transformed and each constraint evaluated on it in the target.
 */
export async function preflightChecks(
  source: SeedDatabase,
  target: SeedDatabase,
  schema: SchemaInfo,
  plan: RulePlan,
  keyed: KeyedHash,
  predicate: Predicate,
): Promise<void> {
  const problems: string[] = [];
  const writer = await target.openWriter();
  try {
    for (const table of schema.tables) {
      const plans = writtenPlans(plan.columns.get(tableId(table)) ?? []);
      const masked = new Set(plans.filter((p) => p.spec && p.spec.transform !== 'keep').map((p) => p.column.name));
      const checks = table.checks.filter((c) => c.columns.some((col) => masked.has(col)));
      if (checks.length === 0) continue;
      const sample = await sampleTransformed(source, table, plans, keyed, target.codec, predicate(tableId(table)));
      for (const check of checks) {
        const idx = check.columns.map((c) => plans.findIndex((p) => p.column.name === c));
        if (idx.some((i) => i < 0)) continue;
        const rows = sample.map((r) => idx.map((i) => r[i]!));
        const types = idx.map((i) => plans[i]!.column.type);
        const bad = await writer.countCheckViolations(check.expression, check.columns, types, rows);
        if (bad > 0)
          problems.push(
            `${tableId(table)}: the rules on ${check.columns.join(', ')} break CHECK ${check.name} (${check.expression}) in ${bad} of ${rows.length} sampled rows`,
          );
      }
    }
  } finally {
    await writer.close();
  }
  if (problems.length > 0) throw new SeedError('RuleConflict', 'rules conflict with CHECK constraints', problems);
}

async function sampleTransformed(
  source: SeedDatabase,
  table: TableInfo,
  plans: ColumnPlan[],
  keyed: KeyedHash,
  codec: RowCodec,
  where: string | undefined,
) {
  const transform = compileLineTransform(plans, keyed, codec, new Set());
  const sql = where ? `${where} LIMIT 200` : 'TRUE LIMIT 200';
  const rows: Array<Array<string | null>> = [];
  for await (const lines of source.readLines(
    table,
    plans.map((p) => p.column.name),
    sql,
    200,
  )) {
    for (const line of transform(lines).split('\n'))
      if (line !== '') rows.push(codec.splitLine(line).map((field) => codec.decodeField(field)));
    if (rows.length >= 200) break;
  }
  return rows.slice(0, 200);
}
