import fc from 'fast-check';
import { LoadScenarioSchema } from '../api/load-scenario';
import { buildProfile, profileToScenario } from './profile';

describe('production profiles', () => {
  it('finds the busiest hour and keeps its shape, scaled', () => {
    // Two hours at one point a minute: 10/s, then an hour whose second half runs at 30/s.
    const values = [...Array(60).fill(10), ...Array(30).fill(10), ...Array(30).fill(30)];
    const profile = buildProfile({
      routes: [{ route: '/a', method: 'GET', values }],
      stepSeconds: 60,
      startSeconds: 0,
      scale: 0.5,
      durationMs: 60_000,
      stages: 2,
    });
    expect(profile.busiestHour).toEqual({ startSeconds: 3600, averageRate: 20 });
    expect(profile.stageRates).toEqual([5, 15]);
    expect(profile.peakRate).toBe(30);
    expect(profile.stageMs).toBe(30_000);
  });

  it('shares add up to one and the scenario is a valid ramping-arrival-rate one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 70, maxLength: 70 }), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.double({ min: 0.01, max: 2, noNaN: true }),
        (series, scale) => {
          fc.pre(series.some((s) => s.some((v) => v > 0.01)));
          const routes = series.map((values, i) => ({ route: `/r${i}`, method: 'GET', values }));
          const profile = buildProfile({
            routes,
            stepSeconds: 60,
            startSeconds: 0,
            scale,
            durationMs: 120_000,
            stages: 6,
          });
          expect(profile.routes.reduce((n, r) => n + r.share, 0)).toBeCloseTo(1, 6);
          expect(profile.stageRates).toHaveLength(6);
          const scenario = LoadScenarioSchema.parse(profileToScenario(profile));
          expect(scenario.stages).toHaveLength(6);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('refuses a window without requests', () => {
    expect(() =>
      buildProfile({
        routes: [{ route: '/', method: 'GET', values: [0, NaN] }],
        stepSeconds: 60,
        startSeconds: 0,
        scale: 1,
        durationMs: 1000,
        stages: 1,
      }),
    ).toThrow(/served no requests/);
  });
});
