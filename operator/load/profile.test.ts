import fc from 'fast-check';
import { LoadScenarioSchema } from '../api/load-scenario';
import { MAX_PROFILE_ROUTES, buildProfile, profileToScenario } from './profile';

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

  it('keeps the busiest routes of a production with more routes than a mix holds, under names a route may have', () => {
    // 100 routes, route i serving i+1 requests/s; two labels that differ only by characters a route name cannot hold.
    const routes = Array.from({ length: 100 }, (_, i) => ({
      route: `/r${i}`,
      method: 'GET',
      values: Array(60).fill(i + 1),
    }));
    routes.push({ route: '/odd*path', method: 'get', values: Array(60).fill(500) });
    routes.push({ route: '/odd?path', method: 'GET', values: Array(60).fill(400) });
    const profile = buildProfile({ routes, stepSeconds: 60, startSeconds: 0, scale: 1, durationMs: 60_000, stages: 1 });
    const scenario = LoadScenarioSchema.parse(profileToScenario(profile, { paths: {} }));
    expect(scenario.requests).toHaveLength(MAX_PROFILE_ROUTES);
    expect(scenario.requests[0]).toMatchObject({ name: 'GET /odd_path', path: '/odd*path' });
    // Both odd labels are one route of the mix, their shares added.
    expect(scenario.requests[0]!.weight).toBe(
      Math.round((500 / (5050 + 900)) * 10_000) + Math.round((400 / (5050 + 900)) * 10_000),
    );
    expect(scenario.requests[1]?.name).toBe('GET /r99');
    expect(scenario.requests.at(-1)?.name).toBe('GET /r37');
    // The whole rate is still sent.
    expect(scenario.stages?.[0]?.target).toBe(5950);
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
