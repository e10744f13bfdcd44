import fc from 'fast-check';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './rate-limiter';

describe('ItemExponentialFailureRateLimiter', () => {
  it('doubles from 5 ms per failure and caps at 1000 s', () => {
    const limiter = new ItemExponentialFailureRateLimiter();
    const delays = Array.from({ length: 30 }, () => limiter.when('a'));
    expect(delays.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(delays[27]).toBe(1_000_000);
    expect(Math.max(...delays)).toBe(1_000_000);
    expect(limiter.numRequeues('a')).toBe(30);
  });

  it('keeps items independent and resets on forget (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.boolean()), { maxLength: 200 }), (ops) => {
        const limiter = new ItemExponentialFailureRateLimiter(5, 1_000_000);
        const failures = new Map<string, number>();
        for (const [item, isForget] of ops) {
          if (isForget) {
            limiter.forget(item);
            failures.delete(item);
            expect(limiter.numRequeues(item)).toBe(0);
          } else {
            const n = failures.get(item) ?? 0;
            expect(limiter.when(item)).toBe(Math.min(5 * 2 ** n, 1_000_000));
            failures.set(item, n + 1);
          }
        }
      }),
    );
  });

  it('refuses nonsense bounds', () => {
    expect(() => new ItemExponentialFailureRateLimiter(0, 10)).toThrow(/baseDelayMs/);
    expect(() => new ItemExponentialFailureRateLimiter(10, 5)).toThrow(/maxDelayMs/);
  });
});

describe('BucketRateLimiter', () => {
  it('lets a burst through, then spaces calls by 1/qps', () => {
    const now = 0;
    const limiter = new BucketRateLimiter(10, 100, () => now);
    const delays = Array.from({ length: 103 }, () => limiter.when());
    expect(delays.slice(0, 100).every((d) => d === 0)).toBe(true);
    expect(delays.slice(100).map((d) => Math.round(d))).toEqual([100, 200, 300]);
  });

  it('never schedules more than burst + qps*T calls in any window of T (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 300 }),
        (qps, burst, gaps) => {
          let now = 0;
          const limiter = new BucketRateLimiter(qps, burst, () => now);
          const scheduled: number[] = [];
          for (const gap of gaps) {
            now += gap;
            const delay = limiter.when();
            expect(delay).toBeGreaterThanOrEqual(0);
            scheduled.push(now + delay);
          }
          // Reservations are handed out in order, so scheduled times never go backwards.
          for (let i = 1; i < scheduled.length; i++)
            expect(scheduled[i]!).toBeGreaterThanOrEqual(scheduled[i - 1]! - 1e-6);
          for (let i = 0; i < scheduled.length; i++) {
            for (let j = i; j < scheduled.length; j++) {
              const windowMs = scheduled[j]! - scheduled[i]!;
              expect(j - i + 1).toBeLessThanOrEqual(burst + (qps * windowMs) / 1000 + 1e-6);
            }
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('MaxOfRateLimiter', () => {
  it('returns the largest delay and forgets in every limiter (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('x', 'y'), { maxLength: 120 }), (items) => {
        let now = 0;
        const exp = new ItemExponentialFailureRateLimiter(5, 1_000_000);
        const bucket = new BucketRateLimiter(10, 5, () => now);
        const refExp = new ItemExponentialFailureRateLimiter(5, 1_000_000);
        const refBucket = new BucketRateLimiter(10, 5, () => now);
        const max = new MaxOfRateLimiter(exp, bucket);
        for (const item of items) {
          now += 7;
          expect(max.when(item)).toBe(Math.max(refExp.when(item), refBucket.when()));
        }
        max.forget('x');
        expect(max.numRequeues('x')).toBe(0);
      }),
    );
  });

  it('default limiter starts at 5 ms for a fresh item', () => {
    const limiter = defaultControllerRateLimiter(() => 0);
    expect(limiter.when('k')).toBe(5);
    expect(limiter.when('k')).toBe(10);
    limiter.forget('k');
    expect(limiter.when('k')).toBe(5);
  });
});
