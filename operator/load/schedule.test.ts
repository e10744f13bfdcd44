import fc from 'fast-check';
import { arrivalOffsets, plannedIterations, shareOf, vusAt, type Segment } from './schedule';

const stage = fc.record({ durationMs: fc.integer({ min: 1, max: 2000 }), target: fc.integer({ min: 0, max: 200 }) });
const stages = fc.array(stage, { minLength: 1, maxLength: 5 });

describe('arrivalOffsets', () => {
  it('sends a constant rate at exact intervals', () => {
    const offsets = [...arrivalOffsets(100, [{ durationMs: 1000, target: 100 }])];
    expect(offsets).toHaveLength(100);
    offsets.forEach((t, k) => expect(t).toBeCloseTo(k * 10, 9));
  });

  it('ramps linearly: a 0→200/s ramp over 2 s sends 200, the first half a quarter of them', () => {
    const offsets = [...arrivalOffsets(0, [{ durationMs: 2000, target: 200 }])];
    expect(offsets).toHaveLength(200);
    expect(offsets.filter((t) => t < 1000)).toHaveLength(50);
  });

  it('plans as many iterations as the integral of the rate, in order, within the stages', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), stages, (start, plan: Segment[]) => {
        const offsets = [...arrivalOffsets(start, plan)];
        const expected = plannedIterations(start, plan);
        expect(Math.abs(offsets.length - expected)).toBeLessThanOrEqual(plan.length);
        const total = plan.reduce((s, x) => s + x.durationMs, 0);
        for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThanOrEqual(offsets[i - 1] as number);
        for (const t of offsets) expect(t).toBeLessThanOrEqual(total + 1e-6);
      }),
    );
  });

  it('splits across workers: the workers together send exactly the one-worker plan', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        stages,
        fc.integer({ min: 1, max: 7 }),
        (start, plan: Segment[], count) => {
          const whole = [...arrivalOffsets(start, plan)];
          const parts = Array.from({ length: count }, (_, index) => [...arrivalOffsets(start, plan, { index, count })]);
          const merged = parts.flat().sort((a, b) => a - b);
          expect(merged).toEqual(whole);
          // Each worker's share is within one iteration of an even split.
          for (const part of parts) expect(Math.abs(part.length - whole.length / count)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('refuses a worker index outside the count', () => {
    expect(() => [...arrivalOffsets(1, [{ durationMs: 10, target: 1 }], { index: 2, count: 2 })]).toThrow(
      /worker index 2/,
    );
  });
});

describe('virtual users', () => {
  it('ramps between stage targets and stops after the last stage', () => {
    const plan = [
      { durationMs: 1000, target: 10 },
      { durationMs: 1000, target: 10 },
    ];
    expect(vusAt(0, plan, 0)).toBe(0);
    expect(vusAt(0, plan, 500)).toBe(5);
    expect(vusAt(0, plan, 1500)).toBe(10);
    expect(vusAt(0, plan, 2000)).toBe(0);
  });

  it('shares users so the workers add up to the total', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 16 }), (total, count) => {
        const shares = Array.from({ length: count }, (_, index) => shareOf(total, { index, count }));
        expect(shares.reduce((a, b) => a + b, 0)).toBe(total);
        expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
