import type { DataSeedSpec } from '../api/dataseed';
import { TRANSFORMERS } from '../api/transformers/registry';
import { SeedError } from './errors';
import type { SchemaInfo } from './model';
import { tableId, tablesNamed } from './model';
import type { SubsetRoot } from './postgres/subset';
import { SubsetWhereError, compileSubsetWhere, loadWhereParser } from './postgres/subset-where';
import type { RulePlan } from './rules';

type Subset = NonNullable<NonNullable<DataSeedSpec['source']['anonymize']>['subset']>;

/**
 * The subset's roots with each `where` checked against the root table and the rule plan, and replaced by the SQL
 * rebuilt from it; before production is opened, so a refused condition reads nothing. A column may be filtered on
 * only when the seed copies its values unchanged.
 */
export async function checkedSubsetRoots(schema: SchemaInfo, plan: RulePlan, subset: Subset): Promise<SubsetRoot[]> {
  if (subset.roots.some((r) => r.where !== undefined)) await loadWhereParser();
  return subset.roots.map((root, i) => {
    const field = `spec.source.anonymize.subset.roots[${i}]`;
    const fraction = root.fraction === undefined ? undefined : Number(root.fraction);
    if (root.where === undefined) return { table: root.table, fraction };
    const found = tablesNamed(schema, root.table);
    if (found.length !== 1)
      throw new SeedError(
        'InvalidSpec',
        `${field}.table: ${root.table} ${found.length === 0 ? 'does not exist' : 'is ambiguous; qualify it with its schema'}`,
      );
    const table = found[0]!;
    const plans = plan.columns.get(tableId(table)) ?? [];
    const refuse = (column: string): string | undefined => {
      const spec = plans.find((p) => p.column.name === column)?.spec;
      if (!spec) return 'the seed does not copy it';
      if (TRANSFORMERS.get(spec.transform)?.identity) return undefined;
      return `its rule (${spec.transform}) changes its values, and which rows arrive would tell what production holds`;
    };
    try {
      const where = compileSubsetWhere(
        root.where,
        { name: table.name, columns: table.columns.map((c) => c.name), refuse },
        `${field}.where`,
      );
      return { table: root.table, where, fraction };
    } catch (err) {
      if (err instanceof SubsetWhereError) throw new SeedError('InvalidSpec', err.message);
      throw err;
    }
  });
}
