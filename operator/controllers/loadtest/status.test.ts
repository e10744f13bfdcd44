import { type LoadReport, buildReport } from '../../load/report';
import { ScenarioStats, mergeResults, serializeScenario } from '../../load/stats';
import { finishedFor, finishedStatus, stalledStatus, waitingStatus } from './status';

const now = new Date('2026-12-07T08:00:00Z');
const route = (name: string, p99Ms: number) => ({
  scenario: 's',
  route: name,
  requests: 10,
  p50Ms: 1,
  p95Ms: 2,
  p99Ms,
  maxMs: p99Ms,
  errorRate: 0,
  errors: {},
  retries: 0,
});
const report = (violations: LoadReport['violations'], routes = [route('a', 5)]): LoadReport => ({
  passed: violations.length === 0,
  violations,
  scenarios: [
    {
      name: 's',
      executor: 'constant-arrival-rate',
      model: 'open',
      workers: 1,
      requestedRate: 10,
      achievedRate: 10,
      planned: 10,
      sent: 10,
      dropped: 0,
      onTimeShare: 1,
      sendLagP99Ms: 0.1,
      routes,
    },
  ],
});

describe('LoadTest status', () => {
  it('Passed True and Ready True when the thresholds hold', () => {
    const status = finishedStatus(undefined, 3, report([]), {}, now);
    expect(status.phase).toBe('Passed');
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'True', 'Completed'],
      ['Passed', 'True', 'ThresholdsHeld'],
    ]);
    expect(finishedFor(status, 3)).toBe(true);
    expect(finishedFor(status, 4)).toBe(false);
    // A run that failed once it had started sends nothing again by itself; one that could not start is retried.
    expect(finishedFor(stalledStatus(undefined, 3, 'RunFailed', 'the load test failed: boom', now), 3)).toBe(true);
    expect(finishedFor(stalledStatus(undefined, 3, 'RunFailed', 'the load test failed: boom', now), 4)).toBe(false);
    expect(finishedFor(stalledStatus(undefined, 3, 'TargetNotFound', 'no Service app', now), 3)).toBe(false);
  });

  it('Passed False naming route and figure; routes bounded, worst p99 first', () => {
    const routes = Array.from({ length: 30 }, (_, i) => route(`r${i}`, i));
    const status = finishedStatus(
      undefined,
      1,
      report([{ route: 'r1', figure: 'p95', actual: 2, limit: 1, message: 'r1: p95 2 ms > 1 ms' }], routes),
      {},
      now,
    );
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.find((c) => c.type === 'Passed')).toMatchObject({
      status: 'False',
      reason: 'ThresholdsExceeded',
      message: 'r1: p95 2 ms > 1 ms',
    });
    expect(status.routes).toHaveLength(20);
    expect(status.routes?.[0]?.route).toBe('r29');
  });

  it('never Passed when nothing was measured: a run that sent nothing fails as NothingMeasured', () => {
    const stats = new ScenarioStats('browse', 'ramping-arrival-rate', 'open', 0);
    const results = [{ worker: { index: 0, count: 1 }, startedAt: '', scenarios: [serializeScenario(stats)] }];
    const status = finishedStatus(
      undefined,
      1,
      buildReport(mergeResults(results), [{ route: '*', p95: '1s' }]),
      {},
      now,
    );
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.find((c) => c.type === 'Passed')).toMatchObject({
      status: 'False',
      reason: 'NothingMeasured',
      message: 'scenario browse: no request measured (planned 0, sent 0, dropped 0)',
    });
  });

  it('a workers-all-failed run is Failed ThresholdsExceeded, not Passed', () => {
    const stats = new ScenarioStats('browse', 'constant-arrival-rate', 'open', 10);
    for (let i = 0; i < 5; i++) stats.route('GET /').record(1000, 'connect');
    stats.sent = 5;
    const results = [{ worker: { index: 0, count: 1 }, startedAt: '', scenarios: [serializeScenario(stats)] }];
    const status = finishedStatus(undefined, 1, buildReport(mergeResults(results), []), {}, now);
    expect(status.phase).toBe('Failed');
    expect(status.conditions?.find((c) => c.type === 'Passed')).toMatchObject({
      status: 'False',
      reason: 'ThresholdsExceeded',
      message: 'scenario browse: every one of its 5 requests failed (connect=5)',
    });
  });

  it('a pass says how many iterations were dropped, so the verdict does not hide them', () => {
    const dropping = report([]);
    dropping.scenarios[0]!.dropped = 7;
    expect(finishedStatus(undefined, 1, dropping, {}, now).conditions?.find((c) => c.type === 'Passed')).toMatchObject({
      status: 'True',
      message: 'every threshold held over 1 route; 7 of 10 planned iterations dropped (maxInFlight reached)',
    });
  });

  it('Stalled drops the verdict of an older generation; running removes Stalled', () => {
    const passed = finishedStatus(undefined, 1, report([]), {}, now);
    const stalled = stalledStatus(passed, 2, 'ExceedsBaseline', 'spec.parallelism: too many', now);
    expect(stalled.conditions?.map((c) => c.type).sort()).toEqual(['Ready', 'Stalled']);
    expect(stalled.routes).toBeUndefined();
    const running = waitingStatus(stalled, 2, 'Running', 'Running', 'sending', now);
    expect(running.conditions?.map((c) => [c.type, c.status]).sort()).toEqual([
      ['Ready', 'False'],
      ['Reconciling', 'True'],
    ]);
  });
});
