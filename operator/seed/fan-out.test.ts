import fc from 'fast-check';
import { fanOutDistance, fanOutFidelity, fanOutGranularity, quotaCounts } from './fan-out';
import type { FanOut } from './model';

const fanOut = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 15 })
  .map((pairs): FanOut => {
    const m = new Map<number, number>();
    for (const [n, w] of pairs) m.set(n, (m.get(n) ?? 0) + w);
    const buckets = [...m].sort((a, b) => a[0] - b[0]);
    return { parentRows: buckets.reduce((s, [, w]) => s + w, 0), buckets };
  });

describe('fan-out reference and distance', () => {
  it('rounds production to whole parents within half a parent of its distribution', () => {
    fc.assert(
      fc.property(fanOut, fc.integer({ min: 1, max: 5000 }), (prod, parents) => {
        const quota = quotaCounts(prod, parents);
        expect(quota.reduce((s, [, w]) => s + w, 0)).toBe(parents);
        expect(fanOutDistance(prod, { parentRows: parents, buckets: quota })).toBeLessThanOrEqual(0.5 / parents + 1e-9);
      }),
    );
  });

  it('finds the defects the issue reported: 3 of 20 childless and 558 children instead of 500', () => {
    const production: FanOut = {
      parentRows: 40,
      buckets: [
        [0, 2],
        [500, 38],
      ],
    };
    const seeded: FanOut = {
      parentRows: 20,
      buckets: [
        [0, 3],
        [558, 17],
      ],
    };
    expect(fanOutFidelity(production, seeded)).toBeGreaterThan(0.1 + fanOutGranularity(20));
    expect(
      fanOutFidelity(production, {
        parentRows: 20,
        buckets: [
          [0, 1],
          [500, 19],
        ],
      }),
    ).toBe(0);
  });

  it('tolerates one child of rounding when children per parent stretch, and no more', () => {
    const production: FanOut = { parentRows: 100, buckets: [[3, 100]] };
    // Half the children per parent: 1.5 each is 1 or 2.
    expect(
      fanOutFidelity(production, {
        parentRows: 100,
        buckets: [
          [1, 50],
          [2, 50],
        ],
      }),
    ).toBe(0);
    expect(
      fanOutFidelity(production, {
        parentRows: 100,
        buckets: [
          [0, 50],
          [3, 50],
        ],
      }),
    ).toBeGreaterThan(0.4);
  });

  it('judges fan-out only from 20 parents on', () => {
    expect(fanOutGranularity(5)).toBe(1);
    expect(fanOutGranularity(20)).toBeCloseTo(0.05);
  });
});
