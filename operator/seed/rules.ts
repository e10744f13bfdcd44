import type { Rule } from '../api/dataseed';
import { TRANSFORMERS } from '../api/transformers/registry';
import { SeededHash } from './keyed';
import { compileTransform, isInjective, type TransformSpec } from './transform/compile';
import { DEFAULT_TRANSFORM, detectPersonal, isKnownSafeType } from './pii';
import { type ColumnInfo, type PiiKind, type SchemaInfo, type TableInfo, tableId, tablesNamed } from './model';

/** Why a column is allowed to be written, or that it is not. */
export type Coverage = 'rule' | 'key' | 'foreignKey' | 'safe' | 'generatedFake' | 'computed' | 'uncovered';

export interface ColumnPlan {
  column: ColumnInfo;
  /** The transform to apply; undefined for columns that are not written (computed). */
  spec: TransformSpec | undefined;
  coverage: Coverage;
  personal?: PiiKind;
  /** Unique or part of a key: the transform must be injective. */
  unique: boolean;
}

export interface RulePlan {
  columns: Map<string, ColumnPlan[]>;
  errors: string[];
  uncovered: string[];
  coverage: { covered: number; total: number; personal: number };
}

export type SourceKind = 'synthesize' | 'anonymize';

/** Maps each rule to its table and column, reporting unknown or ambiguous names by rule index. */
function indexRules(schema: SchemaInfo, rules: Rule[], errors: string[]): Map<string, TransformSpec> {
  const byColumn = new Map<string, TransformSpec>();
  rules.forEach((rule, i) => {
    const tables = tablesNamed(schema, rule.table);
    if (tables.length === 0) return errors.push(`rules[${i}]: table ${rule.table} does not exist`);
    if (tables.length > 1)
      return errors.push(`rules[${i}]: table ${rule.table} is ambiguous; qualify it with its schema`);
    const table = tables[0]!;
    if (!table.columns.some((c) => c.name === rule.column))
      return errors.push(`rules[${i}]: column ${tableId(table)}.${rule.column} does not exist`);
    const id = `${tableId(table)}.${rule.column}`;
    if (byColumn.has(id)) return errors.push(`rules[${i}]: a second rule for ${id}`);
    const spec = { transform: rule.transform, params: rule.params };
    const bad = paramError(
      spec,
      table.columns.find((c) => c.name === rule.column)!,
    );
    if (bad) return errors.push(`rules[${i}] (${id}): transform ${rule.transform}: ${bad}`);
    byColumn.set(id, spec);
  });
  return byColumn;
}

/** Parameters are checked by building the transform once, so a wrong one names its rule before anything runs. */
function paramError(spec: TransformSpec, column: ColumnInfo): string | undefined {
  try {
    compileTransform(spec, { keyed: new SeededHash(0), column, unique: false });
    isInjective(spec, false);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function uniqueColumns(table: TableInfo): Set<string> {
  return new Set([...table.primaryKey, ...table.uniques.flat()]);
}

/** The column a foreign-key column points at, if it is one. */
function referencedColumn(schema: SchemaInfo, table: TableInfo, column: string): string | undefined {
  for (const fk of table.foreignKeys) {
    const at = fk.columns.indexOf(column);
    if (at >= 0 && schema.tables.some((t) => tableId(t) === fk.refTable)) return `${fk.refTable}.${fk.refColumns[at]}`;
  }
  return undefined;
}

/**
 * Decides, before anything is written, what happens to every column: its rule,
 * a key or foreign key (which inherits the referenced column's rule so joins
 * still join), a known-safe type, or — in strict mode — a failure listing it.
 */
export function planRules(
  schema: SchemaInfo,
  rules: Rule[],
  opts: { mode: 'Strict' | 'Permissive'; source: SourceKind },
): RulePlan {
  const errors: string[] = [];
  const explicit = indexRules(schema, rules, errors);
  const tables = new Map(schema.tables.map((t) => [tableId(t), t]));

  // Follows foreign keys to the column whose rule decides, guarding against cycles.
  const effective = (id: string, seen: Set<string>): TransformSpec | undefined => {
    const own = explicit.get(id);
    if (own) return own;
    if (seen.has(id)) return undefined;
    seen.add(id);
    const dot = id.lastIndexOf('.');
    const table = tables.get(id.slice(0, dot));
    const ref = table ? referencedColumn(schema, table, id.slice(dot + 1)) : undefined;
    return ref ? effective(ref, seen) : undefined;
  };

  const columns = new Map<string, ColumnPlan[]>();
  const uncovered: string[] = [];
  let covered = 0;
  let total = 0;
  let personalCount = 0;
  for (const table of schema.tables) {
    const uniques = uniqueColumns(table);
    const plans: ColumnPlan[] = [];
    for (const column of table.columns) {
      const id = `${tableId(table)}.${column.name}`;
      const personal = detectPersonal(column);
      const unique = uniques.has(column.name);
      if (personal) personalCount += 1;
      total += 1;
      if (column.generated) {
        plans.push({ column, spec: undefined, coverage: 'computed', personal, unique });
        covered += 1;
        continue;
      }
      const ref = referencedColumn(schema, table, column.name);
      const own = explicit.get(id);
      let plan: ColumnPlan;
      if (ref) {
        const inherited = effective(ref, new Set([id]));
        if (own && inherited && JSON.stringify(own) !== JSON.stringify(inherited)) {
          errors.push(
            `${id}: its rule differs from the rule of ${ref}, which it references; joins would break (drop the rule, it is inherited)`,
          );
        }
        plan = {
          column,
          spec: own ?? inherited ?? { transform: 'keep' },
          coverage: own ? 'rule' : 'foreignKey',
          personal,
          unique,
        };
      } else if (own) {
        plan = { column, spec: own, coverage: 'rule', personal, unique };
      } else if (table.primaryKey.includes(column.name) && !personal) {
        plan = { column, spec: { transform: 'keep' }, coverage: 'key', personal, unique };
      } else if (!personal && isKnownSafeType(column)) {
        plan = { column, spec: { transform: 'keep' }, coverage: 'safe', personal, unique };
      } else if (personal && opts.source === 'synthesize' && opts.mode === 'Permissive') {
        // Synthesis has no production values of personal columns (the profile drops them): it makes them up.
        plan = { column, spec: DEFAULT_TRANSFORM[personal], coverage: 'generatedFake', personal, unique };
      } else {
        plan = {
          column,
          spec: opts.mode === 'Permissive' ? { transform: 'keep' } : undefined,
          coverage: 'uncovered',
          personal,
          unique,
        };
        const hint = personal
          ? ` (looks like ${personal}; suggested transform: ${DEFAULT_TRANSFORM[personal].transform})`
          : '';
        uncovered.push(`${id}${hint}`);
      }
      if (plan.coverage !== 'uncovered') covered += 1;
      checkAgainstConstraints(id, plan, errors);
      plans.push(plan);
    }
    columns.set(tableId(table), plans);
  }
  if (opts.mode === 'Strict' && uncovered.length > 0) {
    errors.unshift(`strict mode: ${uncovered.length} column(s) have no rule: ${uncovered.join(', ')}`);
  }
  return { columns, errors, uncovered, coverage: { covered, total, personal: personalCount } };
}

/** The transformers that can keep a unique column unique, as the definitions say (always, or given their parameters). */
const INJECTIVE_HINT = TRANSFORMERS.all()
  .filter((d) => d.injective !== false && !d.identity)
  .map((d) => (typeof d.injective === 'boolean' ? d.name : `${d.name} ${d.injective.when}`))
  .join('; ');

function checkAgainstConstraints(id: string, plan: ColumnPlan, errors: string[]): void {
  const spec = plan.spec;
  if (!spec) return;
  if (spec.transform === 'null' && plan.column.notNull) errors.push(`${id}: transform null on a NOT NULL column`);
  if (plan.unique && !isInjective(spec, plan.unique)) {
    errors.push(
      `${id}: transform ${spec.transform} can map distinct values to one, but the column is unique (use ${INJECTIVE_HINT})`,
    );
  }
}
