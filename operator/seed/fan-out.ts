import type { FanOut } from './model';

// Children per parent along a foreign key: the reference a synthesis aims at
// and how far a seeded table came from it. Synthesis (allocateChildren) and
// the fidelity report share quotaCounts, so both mean the same thing by
// "production's fan-out at this many parents".

/**
 * Production's fan-out at `parents` whole parents: each bucket gets its share
 * of the parents, rounded on the cumulative share (so no share is off by more
 * than half a parent). Returns [children, parents] buckets.
 */
export function quotaCounts(production: FanOut | undefined, parents: number): Array<[number, number]> {
  const buckets = production?.buckets.filter(([, w]) => w > 0) ?? [];
  const source: Array<[number, number]> = buckets.length > 0 ? buckets : [[1, 1]];
  const weight = source.reduce((s, [, w]) => s + w, 0);
  const out: Array<[number, number]> = [];
  let cumulative = 0;
  let given = 0;
  for (const [n, w] of source) {
    cumulative += w;
    const until = Math.round((parents * cumulative) / weight);
    if (until > given) out.push([n, until - given]);
    given = Math.max(given, until);
  }
  return out;
}

function fanOutCdf(f: FanOut, scale = 1): (x: number) => number {
  const total = f.buckets.reduce((s, [, p]) => s + p, 0) || 1;
  return (x) => f.buckets.reduce((s, [n, p]) => (n * scale <= x ? s + p : s), 0) / total;
}

/**
 * KS distance between two fan-out distributions (children per parent, weighted
 * by parents). `expectedScale` stretches `a` when children were asked for at a
 * different ratio than parents; each count is then rounded to a whole child,
 * so the distance tolerates a shift of one child.
 */
export function fanOutDistance(a: FanOut, b: FanOut, expectedScale = 1): number {
  const [fa, fb] = [fanOutCdf(a, expectedScale), fanOutCdf(b)];
  const shift = Math.abs(expectedScale - 1) > 1e-12 ? 1 : 0;
  let worst = 0;
  for (const x of [...a.buckets.map(([n]) => n * expectedScale), ...b.buckets.map(([n]) => n)]) {
    for (const y of [x, x + shift, x - shift]) worst = Math.max(worst, fa(y - shift) - fb(y), fb(y - shift) - fa(y));
  }
  return Math.max(0, worst);
}

const childrenOf = (buckets: Array<[number, number]>): number => buckets.reduce((s, [n, w]) => s + n * w, 0);

/**
 * How far a seeded fan-out is from production's at the seeded number of
 * parents: production's shape in whole parents (quotaCounts), its counts
 * stretched to the children actually asked for.
 */
export function fanOutFidelity(production: FanOut, target: FanOut): number {
  const parents = target.buckets.reduce((s, [, w]) => s + w, 0);
  if (parents === 0) return 0;
  const reference = quotaCounts(production, parents);
  const [want, have] = [childrenOf(reference), childrenOf(target.buckets)];
  const scale = want > 0 && have > 0 ? have / want : 1;
  return fanOutDistance({ parentRows: parents, buckets: reference }, target, scale);
}

export const MIN_JUDGED_PARENTS = 20;

/**
 * Slack above the threshold for `parents` whole parents: one parent's share
 * (the reference itself is half a parent off production). Below 20 parents
 * one parent is 5% of the distribution: the distance is reported, not judged.
 */
export function fanOutGranularity(parents: number): number {
  return parents >= MIN_JUDGED_PARENTS ? 1 / parents : 1;
}
