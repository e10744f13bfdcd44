import type { Dependence } from '../model';

// A number given a category, from the profile's per-category quantiles: the
// category that explains most of the number's variance (the correlation
// ratio η², estimated from the quantiles) is the one it is drawn under.

type Conditional = NonNullable<Dependence['conditionals']>[number];

/** Below this share of variance explained, the category is not worth conditioning on. */
export const MIN_EXPLAINED = 0.02;

/** Mean and variance of a piecewise-linear quantile function (uniform between equally spaced quantiles). */
export function quantileMoments(q: readonly number[]): { mean: number; variance: number } {
  const pieces = q.length - 1;
  if (pieces < 1) return { mean: q[0] ?? 0, variance: 0 };
  let mean = 0;
  let square = 0;
  for (let i = 0; i < pieces; i++) {
    const [a, b] = [q[i]!, q[i + 1]!];
    mean += (a + b) / 2 / pieces;
    square += (a * a + a * b + b * b) / 3 / pieces;
  }
  return { mean, variance: Math.max(0, square - mean * mean) };
}

/** The share of the number's variance its category explains. */
export function explained(c: Conditional): number {
  const total = c.groups.reduce((s, g) => s + g.rows, 0);
  if (total <= 0) return 0;
  const moments = c.groups.map((g) => ({ w: g.rows / total, ...quantileMoments(g.quantiles) }));
  const mean = moments.reduce((s, m) => s + m.w * m.mean, 0);
  const between = moments.reduce((s, m) => s + m.w * (m.mean - mean) ** 2, 0);
  const within = moments.reduce((s, m) => s + m.w * m.variance, 0);
  return between + within > 0 ? between / (between + within) : 0;
}

/** The value at u of piecewise-linear quantiles. */
export function interpolate(q: readonly number[], u: number): number {
  const pieces = q.length - 1;
  if (pieces < 1) return q[0]!;
  const scaled = Math.max(0, Math.min(1, u)) * pieces;
  const i = Math.min(pieces - 1, Math.floor(scaled));
  return q[i]! + (q[i + 1]! - q[i]!) * (scaled - i);
}

/**
 * The share a category explains by chance alone: with k groups over n rows, η² of independent columns is about
 * (k−1)/(n−1). A share must clear three times that too, so a small table does not condition a number on noise.
 */
export function chanceShare(c: Conditional): number {
  const rows = c.groups.reduce((s, g) => s + g.rows, 0);
  return rows > 1 ? (3 * Math.max(0, c.groups.length - 1)) / (rows - 1) : 1;
}

/** The most explaining category of `column` among the candidates, as a quantile function of (category value, u). */
export function conditionalQuantile(
  column: string,
  candidates: readonly Conditional[],
): { given: string; quantile: (value: string, u: number) => number | undefined } | undefined {
  let best: { c: Conditional; share: number } | undefined;
  for (const c of candidates) {
    if (c.column !== column) continue;
    const share = explained(c);
    if (share >= Math.max(MIN_EXPLAINED, chanceShare(c)) && (!best || share > best.share)) best = { c, share };
  }
  if (!best) return undefined;
  const groups = new Map(best.c.groups.map((g) => [g.value, g.quantiles]));
  return {
    given: best.c.given,
    quantile: (value, u) => {
      const q = groups.get(value);
      return q && q.length > 0 ? interpolate(q, u) : undefined;
    },
  };
}
