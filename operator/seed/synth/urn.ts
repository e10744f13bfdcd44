/**
 * Parents as balls in an urn, one ball per child they should get: drawing
 * without replacement reproduces the allocated fan-out exactly, in any order.
 * A Fenwick tree keeps draws and removals at O(log n) with one array of counts.
 */
export class Urn {
  private readonly tree: Float64Array;
  private remaining: number;
  private readonly size: number;

  constructor(counts: Int32Array) {
    this.size = counts.length;
    this.tree = new Float64Array(this.size + 1);
    this.remaining = 0;
    for (let i = 0; i < this.size; i++) {
      this.remaining += counts[i]!;
      this.tree[i + 1]! += counts[i]!;
      const parent = i + 1 + ((i + 1) & -(i + 1));
      if (parent <= this.size) this.tree[parent]! += this.tree[i + 1]!;
    }
  }

  get left(): number {
    return this.remaining;
  }

  /** The parent holding the ball at uniform position u·remaining (u in [0, 1)); -1 when empty. */
  peek(u: number): number {
    if (this.remaining <= 0) return -1;
    let target = Math.floor(u * this.remaining);
    let pos = 0;
    for (let step = 1 << Math.floor(Math.log2(this.size)); step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.size && this.tree[next]! <= target) {
        pos = next;
        target -= this.tree[next]!;
      }
    }
    return pos;
  }

  take(index: number): void {
    this.remaining -= 1;
    for (let i = index + 1; i <= this.size; i += i & -i) this.tree[i]! -= 1;
  }
}
