import { type Clock, systemClock } from './clock';

/** How long to wait before an item may be retried, as client-go's workqueue.RateLimiter. */
export interface RateLimiter {
  /** Delay in ms before `item` is processed again; records one more failure. */
  when(item: string): number;
  /** Clears the item's failure history (after a success). */
  forget(item: string): void;
  /** How many times the item has been retried since it was last forgotten. */
  numRequeues(item: string): number;
}

/** base * 2^failures per item, capped: controller-runtime's 5 ms to 1000 s. */
export class ItemExponentialFailureRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseDelayMs = 5,
    private readonly maxDelayMs = 1_000_000,
  ) {
    if (!(baseDelayMs > 0) || !(maxDelayMs >= baseDelayMs)) {
      throw new Error(
        `exponential rate limiter needs 0 < baseDelayMs <= maxDelayMs; got ${baseDelayMs}, ${maxDelayMs}`,
      );
    }
  }

  when(item: string): number {
    const exponent = this.failures.get(item) ?? 0;
    this.failures.set(item, exponent + 1);
    // 2^exponent overflows to Infinity long before it matters; min() handles that.
    return Math.min(this.baseDelayMs * 2 ** exponent, this.maxDelayMs);
  }

  forget(item: string): void {
    this.failures.delete(item);
  }

  numRequeues(item: string): number {
    return this.failures.get(item) ?? 0;
  }
}

/**
 * A token bucket shared by all items (golang.org/x/time/rate's reservation
 * semantics): each call takes a token, and when the bucket is empty the call
 * is scheduled for when its token will have been refilled.
 */
export class BucketRateLimiter implements RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps = 10,
    private readonly burst = 100,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(qps > 0) || !(burst >= 1))
      throw new Error(`bucket rate limiter needs qps > 0 and burst >= 1; got ${qps}, ${burst}`);
    this.tokens = burst;
    this.last = clock();
  }

  when(): number {
    const now = this.clock();
    const elapsedMs = Math.max(0, now - this.last);
    this.last = Math.max(this.last, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsedMs * this.qps) / 1000);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.qps;
  }

  forget(): void {}

  numRequeues(): number {
    return 0;
  }
}

/** The longest delay any of the limiters asks for. */
export class MaxOfRateLimiter implements RateLimiter {
  private readonly limiters: RateLimiter[];

  constructor(...limiters: RateLimiter[]) {
    if (limiters.length === 0) throw new Error('MaxOfRateLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(item: string): number {
    // Every limiter must see the call, so no short-circuit.
    return this.limiters.map((limiter) => limiter.when(item)).reduce((a, b) => Math.max(a, b));
  }

  forget(item: string): void {
    for (const limiter of this.limiters) limiter.forget(item);
  }

  numRequeues(item: string): number {
    return this.limiters.map((limiter) => limiter.numRequeues(item)).reduce((a, b) => Math.max(a, b));
  }
}

/** controller-runtime's default: per-item 5 ms..1000 s backoff, and 10 qps / burst 100 overall. */
export function defaultControllerRateLimiter(clock: Clock = systemClock): RateLimiter {
  return new MaxOfRateLimiter(
    new ItemExponentialFailureRateLimiter(5, 1_000_000),
    new BucketRateLimiter(10, 100, clock),
  );
}
