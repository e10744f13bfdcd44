import { pickCumulative, type Rng } from './rng';
import type { Sampler } from './samplers';
import { Stratified } from './stratified';

// Low-cardinality columns drawn together: a Chow–Liu tree (the spanning tree
// of largest mutual information, from the profile's contingency counts) in
// which the root is drawn from its marginal and every other column from its
// distribution given its parent's value. A column that determines another in
// production (a drug and its refill count) has a conditional with one value,
// so it stays determining.

export interface Contingency {
  columns: [string, string];
  cells: Array<[string, string, number]>;
}

/** Mutual information of a contingency table, in nats. */
export function mutualInformation(cells: ReadonlyArray<[string, string, number]>): number {
  const total = cells.reduce((s, [, , n]) => s + n, 0);
  if (total <= 0) return 0;
  const [ra, rb] = [new Map<string, number>(), new Map<string, number>()];
  for (const [a, b, n] of cells) {
    ra.set(a, (ra.get(a) ?? 0) + n);
    rb.set(b, (rb.get(b) ?? 0) + n);
  }
  let mi = 0;
  for (const [a, b, n] of cells) if (n > 0) mi += (n / total) * Math.log((n * total) / (ra.get(a)! * rb.get(b)!));
  return Math.max(0, mi);
}

export interface TreeNode {
  column: string;
  /** Index of the parent in the returned order; undefined for a root. */
  parent?: number;
  /** Cells of the pair (parent, column), oriented parent first. */
  cells?: Array<[string, string, number]>;
}

/**
 * Prim's maximum spanning tree over mutual information, in an order where
 * every parent comes before its children. Pairs without a contingency (or
 * without information) are not joined: such columns start trees of their own.
 */
export function chowLiuTree(columns: readonly string[], contingencies: readonly Contingency[]): TreeNode[] {
  const pair = new Map<string, { mi: number; cells: Array<[string, string, number]>; first: string }>();
  const keyOf = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);
  for (const c of contingencies)
    pair.set(keyOf(...c.columns), { mi: mutualInformation(c.cells), cells: c.cells, first: c.columns[0] });
  const order: TreeNode[] = [];
  const placed = new Map<string, number>();
  const left = new Set(columns);
  while (left.size > 0) {
    let best: { column: string; parent: string; mi: number } | undefined;
    for (const c of left) {
      for (const [p] of placed) {
        const mi = pair.get(keyOf(c, p))?.mi ?? 0;
        if (mi > 1e-9 && (!best || mi > best.mi)) best = { column: c, parent: p, mi };
      }
    }
    if (!best) {
      const root = columns.find((c) => left.has(c))!;
      placed.set(root, order.length);
      order.push({ column: root });
      left.delete(root);
      continue;
    }
    const info = pair.get(keyOf(best.column, best.parent))!;
    const cells =
      info.first === best.parent ? info.cells : info.cells.map(([a, b, n]) => [b, a, n] as [string, string, number]);
    placed.set(best.column, order.length);
    order.push({ column: best.column, parent: placed.get(best.parent)!, cells });
    left.delete(best.column);
  }
  return order;
}

interface Conditional {
  values: string[];
  cumulative: number[];
  total: number;
  strata: Stratified;
}

/** Draws the tree's columns row by row; values come out in the order of `nodes`. */
export class CategoricalSampler {
  private readonly conditionals: Array<Map<string, Conditional> | undefined>;
  readonly values: string[];

  constructor(
    readonly nodes: readonly TreeNode[],
    private readonly marginal: (column: string) => Sampler,
    rows: number,
  ) {
    this.values = nodes.map(() => '');
    this.conditionals = nodes.map((node) => {
      if (!node.cells) return undefined;
      const byParent = new Map<string, Array<[string, number]>>();
      let total = 0;
      for (const [p, v, n] of node.cells) {
        byParent.set(p, [...(byParent.get(p) ?? []), [v, n]]);
        total += n;
      }
      const out = new Map<string, Conditional>();
      for (const [p, list] of byParent) {
        const sum = list.reduce((s, [, n]) => s + n, 0);
        const cumulative: number[] = [];
        let acc = 0;
        for (const [, n] of list) cumulative.push((acc += n));
        // Stratified within each parent value: a handful of rows still gets the conditional's proportions.
        out.set(p, {
          values: list.map(([v]) => v),
          cumulative,
          total: sum,
          strata: new Stratified(total > 0 ? (rows * sum) / total : 0),
        });
      }
      return out;
    });
  }

  private readonly fallback = new Map<string, Sampler>();

  next(rng: Rng): string[] {
    this.nodes.forEach((node, i) => {
      const given = node.parent === undefined ? undefined : this.conditionals[i]!.get(this.values[node.parent]!);
      if (given) {
        this.values[i] = given.values[pickCumulative(given.cumulative, given.total, given.strata.next(rng))]!;
      } else {
        // A root, or a parent value production never paired with this column: the column's own marginal.
        let sampler = this.fallback.get(node.column);
        if (!sampler) this.fallback.set(node.column, (sampler = this.marginal(node.column)));
        this.values[i] = sampler(rng);
      }
    });
    return this.values;
  }
}
