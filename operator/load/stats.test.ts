import { ScenarioStats, WorkerResultSchema, mergeResults, serializeScenario, type WorkerResult } from './stats';
import { buildReport, evaluateThresholds, reportScenario } from './report';

function worker(index: number, count: number, latenciesMs: number[], errors = 0): WorkerResult {
  const stats = new ScenarioStats('s', 'constant-arrival-rate', 'open', 100);
  latenciesMs.forEach((ms, i) => stats.route('GET /').record(ms * 1000, i < errors ? 'http_5xx' : undefined));
  stats.sent = latenciesMs.length;
  stats.planned = latenciesMs.length;
  stats.elapsedMs = 1000;
  stats.sendLag.recordValue(100);
  return WorkerResultSchema.parse(
    JSON.parse(
      JSON.stringify({
        worker: { index, count },
        startedAt: new Date(0).toISOString(),
        scenarios: [serializeScenario(stats)],
      }),
    ),
  );
}

describe('stats across workers', () => {
  it('merges serialized histograms to the percentiles of one histogram of all values', () => {
    const all = Array.from({ length: 1000 }, (_, i) => 1 + ((i * 37) % 500));
    const one = reportScenario(mergeResults([worker(0, 1, all)])[0]!);
    const split = reportScenario(
      mergeResults([
        worker(
          0,
          2,
          all.filter((_, i) => i % 2 === 0),
        ),
        worker(
          1,
          2,
          all.filter((_, i) => i % 2 === 1),
        ),
      ])[0]!,
    );
    expect(split.routes).toEqual(one.routes);
    expect(split.workers).toBe(2);
    expect(split.sent).toBe(1000);
  });

  it('reports error rate by class and achieved rate', () => {
    const report = reportScenario(mergeResults([worker(0, 1, [1, 2, 3, 4], 1)])[0]!);
    expect(report.routes[0]).toMatchObject({ route: 'GET /', requests: 4, errorRate: 0.25, errors: { http_5xx: 1 } });
    expect(report.achievedRate).toBe(4);
    expect(report.onTimeShare).toBe(1);
  });
});

describe('thresholds', () => {
  const report = reportScenario(
    mergeResults([
      worker(
        0,
        1,
        Array.from({ length: 100 }, (_, i) => i + 1),
        5,
      ),
    ])[0]!,
  );

  it('pass when every figure is within its limit', () => {
    expect(evaluateThresholds([report], [{ route: '*', p95: '200ms', p99: '1s', errorRate: '0.05' }])).toEqual([]);
  });

  it('name the route and the figure that failed', () => {
    const violations = evaluateThresholds([report], [{ route: 'GET /', p95: '50ms', errorRate: '0.01' }]);
    expect(violations.map((v) => v.message)).toEqual(['GET /: p95 95.039 ms > 50 ms', 'GET /: errorRate 0.05 > 0.01']);
    expect(buildReport(mergeResults([worker(0, 1, [100])]), [{ route: '*', p99: '10ms' }]).passed).toBe(false);
  });
});
