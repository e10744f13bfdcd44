import { buildReport } from './report';
import { type ErrorClass, ScenarioStats, mergeResults, serializeScenario } from './stats';

// A verdict of Passed must be impossible when nothing was measured: a run that
// sent nothing, one whose every request failed, or a threshold whose route no
// request reached.

function run(
  routes: Record<string, Array<ErrorClass | undefined>>,
  extra: { planned?: number; dropped?: number } = {},
) {
  const stats = new ScenarioStats('browse', 'constant-arrival-rate', 'open', 10);
  for (const [route, outcomes] of Object.entries(routes))
    for (const outcome of outcomes) {
      stats.route(route).record(2000, outcome);
      stats.sent++;
    }
  stats.planned = extra.planned ?? stats.sent;
  stats.dropped = extra.dropped ?? 0;
  stats.elapsedMs = 1000;
  return mergeResults([{ worker: { index: 0, count: 1 }, startedAt: '', scenarios: [serializeScenario(stats)] }]);
}

describe('a verdict needs measurements', () => {
  it('fails a run that sent nothing, with or without thresholds', () => {
    for (const thresholds of [[], [{ route: '*', p95: '1s' }]]) {
      const report = buildReport(run({}), thresholds);
      expect(report.passed).toBe(false);
      expect(report.violations.map((v) => v.message)).toEqual([
        'scenario browse: no request measured (planned 0, sent 0, dropped 0)',
      ]);
    }
  });

  it('fails a run whose every iteration was dropped, naming the drops', () => {
    const report = buildReport(run({}, { planned: 50, dropped: 50 }), []);
    expect(report.passed).toBe(false);
    expect(report.violations[0]?.message).toContain('dropped 50');
  });

  it('fails a run whose every request failed, even without an errorRate threshold', () => {
    const report = buildReport(run({ a: ['reset', 'reset'], b: ['http_5xx'] }), []);
    expect(report.passed).toBe(false);
    expect(report.violations.map((v) => v.message)).toEqual([
      'scenario browse: every one of its 3 requests failed (reset=2 http_5xx=1)',
    ]);
  });

  it('still passes a run where some requests failed and no threshold limits it', () => {
    expect(buildReport(run({ a: ['reset', undefined] }), []).passed).toBe(true);
  });

  it('fails a threshold whose route no request reached instead of passing it vacuously', () => {
    const report = buildReport(run({ a: [undefined] }), [{ route: 'b', p95: '1s', errorRate: '0' }]);
    expect(report.passed).toBe(false);
    expect(report.violations).toEqual([
      expect.objectContaining({
        route: 'b',
        figure: 'requests',
        message: 'b: no request measured, so its thresholds cannot be judged',
      }),
    ]);
  });

  it('fails an empty merge (no worker result holds a scenario)', () => {
    expect(buildReport(mergeResults([]), []).passed).toBe(false);
  });
});
