import type { TableProfile, TableInfo } from '../model';
import type { ColumnPlan } from '../rules';
import { CategoricalSampler, chowLiuTree } from './categorical';
import { copulaOf, type CopulaStream } from './copula';
import type { Rng } from './rng';
import { fromNumber, orderedQuantile, statsSampler } from './samplers';
import { conditionalQuantile } from './conditional';

// The joint model of one table's kept columns: low-cardinality columns drawn
// together through a Chow–Liu tree, numbers and dates through a Gaussian
// copula. Columns outside both (personal, masked, keys, free text) are drawn
// on their own as before. The two blocks are independent of each other.

const ORDERED = new Set(['int2', 'int4', 'int8', 'float', 'numeric', 'date', 'timestamp', 'timestamptz']);
/** Transforms that move a value rather than replace it: their input can come from the copula. */
const VALUE_TRANSFORMS = new Set(['dateShift', 'noise']);
/** A number with at most this many values is a category (a refill count), not a measurement. */
export const MAX_NUMERIC_CATEGORIES = 12;

export interface JointModel {
  /** Columns the model draws; for those not kept, the value is the input of their transform. */
  columns: ReadonlySet<string>;
  /** Draws the next row's values; read them with value(). */
  advance(rng: Rng): void;
  value(column: string, rng: Rng): string;
}

export function jointModel(
  table: TableInfo,
  plans: readonly ColumnPlan[],
  profile: TableProfile | undefined,
  rows: number,
  excluded: ReadonlySet<string>,
): JointModel | undefined {
  const dependence = profile?.dependence;
  if (!dependence || !profile) return undefined;
  const kept = new Set(
    plans
      .filter((p) => p.spec?.transform === 'keep' && !p.personal && !excluded.has(p.column.name))
      .map((p) => p.column.name),
  );
  // Personal numbers and dates whose transform moves a value (dateShift, noise) join the copula through their range:
  // a date of birth keeps its correlation with an age-like column (a correlation is an aggregate, never a value).
  const moved = new Set(
    plans
      .filter(
        (p) =>
          p.spec &&
          VALUE_TRANSFORMS.has(p.spec.transform) &&
          ORDERED.has(p.column.baseType) &&
          !excluded.has(p.column.name),
      )
      .map((p) => p.column.name),
  );
  const info = new Map(table.columns.map((c) => [c.name, c]));

  const categorical = [
    ...new Set([
      ...dependence.contingencies.flatMap((c) => c.columns),
      ...(dependence.conditionals ?? []).map((c) => c.given),
    ]),
  ].filter((name) => {
    const column = info.get(name);
    const values = profile.columns[name]?.mostCommon?.values.length ?? Infinity;
    return (
      kept.has(name) && column !== undefined && (!ORDERED.has(column.baseType) || values <= MAX_NUMERIC_CATEGORIES)
    );
  });
  const inTree = new Set(categorical);
  const contingencies = dependence.contingencies.filter((c) => inTree.has(c.columns[0]) && inTree.has(c.columns[1]));
  // A column with no information about any other is a root of its own, drawn from its marginal as before (and still
  // a category a number can be drawn under).
  const treeNodes = categorical.length > 0 ? chowLiuTree(categorical, contingencies) : [];
  const tree =
    treeNodes.length > 0
      ? new CategoricalSampler(treeNodes, (name) => statsSampler(info.get(name)!, profile.columns[name], rows), rows)
      : undefined;
  const treeIndex = new Map(treeNodes.map((n, i) => [n.column, i]));

  const quantiles = new Map<string, NonNullable<ReturnType<typeof orderedQuantile>>>();
  for (const name of new Set([
    ...dependence.correlations.flatMap((c) => c.columns),
    ...(dependence.conditionals ?? []).map((c) => c.column),
  ])) {
    const column = info.get(name);
    const p = profile.columns[name];
    if (!column || !p || !(kept.has(name) || moved.has(name)) || treeIndex.has(name)) continue;
    const q = orderedQuantile(column, p);
    if (q) quantiles.set(name, q);
  }
  const copulaColumns = [...quantiles.keys()];
  const related = dependence.correlations.filter(
    (c) => quantiles.has(c.columns[0]) && quantiles.has(c.columns[1]) && Math.abs(c.spearman) > 1e-6,
  );
  // A column with no correlated partner stays out of the copula and, unless a category explains it, out of the
  // joint model altogether: its own stratified sampler keeps a small table's marginal to within a row.
  const copula: CopulaStream | undefined =
    copulaColumns.length >= 2 && related.length > 0 ? copulaOf(copulaColumns, related, rows) : undefined;
  const copulaIndex = new Map(copula ? copulaColumns.map((c, i) => [c, i]) : []);
  const uniforms = new Float64Array(copulaColumns.length);
  // A number that depends on a category (a drug's dose) is drawn from its quantiles given the category the tree drew,
  // at the copula's uniform: the category keeps the number, and the numbers keep each other.
  const given = new Map<string, { at: number; quantile: (value: string, u: number) => number | undefined }>();
  for (const name of copulaColumns) {
    const best = conditionalQuantile(
      name,
      (dependence.conditionals ?? []).filter((c) => c.column === name && treeIndex.has(c.given)),
    );
    if (best) given.set(name, { at: treeIndex.get(best.given)!, quantile: best.quantile });
  }

  if (!tree && !copula) return undefined;
  return {
    columns: new Set([...treeIndex.keys(), ...copulaIndex.keys(), ...given.keys()]),
    advance(rng) {
      tree?.next(rng);
      if (copula) copula.next(rng, uniforms);
    },
    value(column, rng) {
      const t = treeIndex.get(column);
      if (t !== undefined) return tree!.values[t]!;
      const u = copula ? uniforms[copulaIndex.get(column)!]! : rng.next();
      const conditional = given.get(column);
      const x = conditional ? conditional.quantile(tree!.values[conditional.at]!, u) : undefined;
      return x === undefined ? quantiles.get(column)!(u, rng) : fromNumber(info.get(column)!, x);
    },
  };
}
