import fc from 'fast-check';
import { Rng } from './rng';
import { allocateChildren, nullDraw } from './table';
import { Urn } from './urn';

describe('urn of parents', () => {
  it('hands out exactly the allocated children per parent', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 60 }),
        fc.integer(),
        (counts, seed) => {
          const urn = new Urn(Int32Array.from(counts));
          const rng = new Rng(seed);
          const got = new Array(counts.length).fill(0);
          for (let k = counts.reduce((a, b) => a + b, 0); k > 0; k--) {
            const i = urn.peek(rng.next());
            urn.take(i);
            got[i] += 1;
          }
          expect(got).toEqual(counts);
          expect(urn.peek(0.5)).toBe(-1);
        },
      ),
    );
  });
});

describe('child allocation', () => {
  it('sums exactly to the requested total and respects the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 1, max: 50 }),
        (parents, total, cap) => {
          const counts = allocateChildren(
            parents,
            Math.min(total, parents * cap),
            {
              parentRows: parents,
              buckets: [
                [0, 3],
                [1, 5],
                [7, 2],
              ],
            },
            cap,
            new Rng(1),
          );
          expect(counts.reduce((a, b) => a + b, 0)).toBe(Math.min(total, parents * cap));
          expect(Math.max(...counts)).toBeLessThanOrEqual(cap);
        },
      ),
    );
  });
  it('draws nulls within one row of the expected count', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 5000 }), (p, n) => {
        const draw = nullDraw(p);
        const rng = new Rng(3);
        let nulls = 0;
        for (let i = 0; i < n; i++) if (draw(i, rng)) nulls += 1;
        expect(Math.abs(nulls - p * n)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
