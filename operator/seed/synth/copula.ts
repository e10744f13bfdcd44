import type { Rng } from './rng';

// A Gaussian copula over a table's numbers and dates: each row gets one
// uniform per column, correlated as production's columns are, and each
// column turns its uniform into a value through its own quantile function,
// so the marginals stay production's. Correlations come from the profile's
// Spearman ρ (aggregates), mapped to the Gaussian scale by 2·sin(πρ/6).

/** The Gaussian copula's correlation that gives Spearman's ρ_s. */
export function gaussianOfSpearman(rho: number): number {
  return 2 * Math.sin((Math.PI * Math.max(-1, Math.min(1, rho))) / 6);
}

/** Lower-triangular L with L·Lᵀ = m, or undefined when m is not positive definite. */
export function cholesky(m: number[][]): number[][] | undefined {
  const n = m.length;
  const l = m.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = m[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 1e-10)) return undefined;
        l[i]![i] = Math.sqrt(s);
      } else {
        l[i]![j] = s / l[j]![j]!;
      }
    }
  }
  return l;
}

/**
 * The factor of the nearest correlation matrix this simple method finds:
 * pairwise correlations need not form a positive definite matrix (they are
 * taken pair by pair, over different non-null rows), so they are shrunk
 * toward independence until it is.
 */
export function correlationFactor(m: number[][]): number[][] {
  for (let shrink = 0; shrink <= 1; shrink += 0.02) {
    const s = m.map((row, i) => row.map((x, j) => (i === j ? 1 : x * (1 - shrink))));
    const l = cholesky(s);
    if (l) return l;
  }
  return m.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
}

/** A standard normal draw (Box–Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * Correlated uniforms, a block of rows at a time: normals correlated by the
 * factor, then each column's ranks within the block, jittered, as uniforms.
 * Ranks keep the dependence and make every column's uniforms stratified (one
 * in each of n equal slices per block), so small tables get production's
 * marginals as closely as independent stratified draws did.
 */
export class CopulaStream {
  private block: Float64Array[] = [];
  private at = 0;
  private size = 0;
  private left: number;

  constructor(
    private readonly factor: number[][],
    total: number,
    private readonly blockSize = 65_536,
  ) {
    this.left = Math.max(1, Math.floor(total));
  }

  get dimensions(): number {
    return this.factor.length;
  }

  /** The next row's uniforms, one per column (the array is reused). */
  next(rng: Rng, out: Float64Array): Float64Array {
    if (this.at >= this.size) this.refill(rng);
    for (let j = 0; j < out.length; j++) out[j] = this.block[j]![this.at]!;
    this.at += 1;
    return out;
  }

  private refill(rng: Rng): void {
    const k = this.factor.length;
    const n = Math.max(1, Math.min(this.blockSize, this.left));
    this.left = Math.max(1, this.left - n);
    const z = Array.from({ length: k }, () => new Float64Array(n));
    const e = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < k; j++) e[j] = normal(rng);
      for (let j = 0; j < k; j++) {
        let s = 0;
        const row = this.factor[j]!;
        for (let t = 0; t <= j; t++) s += row[t]! * e[t]!;
        z[j]![i] = s;
      }
    }
    const order = new Int32Array(n);
    this.block = z.map((col) => {
      for (let i = 0; i < n; i++) order[i] = i;
      const sorted = Array.from(order).sort((a, b) => col[a]! - col[b]!);
      const u = new Float64Array(n);
      sorted.forEach((row, rank) => (u[row] = (rank + rng.next()) / n));
      return u;
    });
    this.size = n;
    this.at = 0;
  }
}

/** A copula over `columns` from pairwise Spearman correlations; pairs not given are independent. */
export function copulaOf(
  columns: readonly string[],
  spearman: ReadonlyArray<{ columns: [string, string]; spearman: number }>,
  rows: number,
): CopulaStream {
  const index = new Map(columns.map((c, i) => [c, i]));
  const m: number[][] = columns.map((_, i) => columns.map((__, j) => (i === j ? 1 : 0)));
  for (const c of spearman) {
    const [i, j] = [index.get(c.columns[0]), index.get(c.columns[1])];
    if (i === undefined || j === undefined) continue;
    m[i]![j] = m[j]![i] = gaussianOfSpearman(c.spearman);
  }
  return new CopulaStream(correlationFactor(m), rows);
}
