import { LoadScenarioSchema, type LoadScenarioInput } from '../../api/load-scenario';
import { exceedsLoadLimits, loadLimitsOf, replayExceeds } from './limits';

const scenario = (s: Partial<LoadScenarioInput>) =>
  LoadScenarioSchema.parse({
    name: 's',
    executor: 'constant-arrival-rate',
    rate: 10,
    duration: '10s',
    requests: [{ path: '/' }],
    ...s,
  });
const limits = loadLimitsOf({
  limits: {
    maxReplicas: '1',
    maxResources: '1',
    maxTtl: '1h',
    load: { maxRate: 100, maxDuration: '1m', maxParallelism: 2, maxVUs: 10 },
  },
});

describe('LoadTest limits from the Baseline', () => {
  it('defaults when the Baseline sets none', () => {
    expect(loadLimitsOf({ limits: { maxReplicas: '1', maxResources: '1', maxTtl: '1h' } })).toEqual({
      maxRate: 100,
      maxDurationMs: 600_000,
      maxParallelism: 4,
      maxVUs: 100,
    });
  });

  it('accepts a test within every limit', () => {
    expect(
      exceedsLoadLimits(
        [scenario({}), scenario({ name: 'b', executor: 'constant-vus', rate: undefined, vus: 10, thinkTime: '200ms' })],
        2,
        limits,
      ),
    ).toBeUndefined();
  });

  it('names the field that exceeds', () => {
    expect(exceedsLoadLimits([scenario({}), scenario({ name: 'b', rate: 95 })], 1, limits)).toEqual({
      field: 'spec.scenarios[1].rate',
      message: "a peak of 105 requests/s exceeds the Baseline's limits.load.maxRate 100",
    });
    expect(
      exceedsLoadLimits(
        [
          scenario({
            executor: 'ramping-arrival-rate',
            rate: undefined,
            duration: undefined,
            stages: [{ duration: '10s', target: 150 }],
          }),
        ],
        1,
        limits,
      )?.field,
    ).toBe('spec.scenarios[0].stages');
    expect(exceedsLoadLimits([scenario({ duration: '2m' })], 1, limits)).toEqual({
      field: 'spec.scenarios[0].duration',
      message: "120 s exceeds the Baseline's limits.load.maxDuration 60 s",
    });
    expect(exceedsLoadLimits([scenario({ startTime: '55s' })], 1, limits)?.field).toBe('spec.scenarios[0].duration');
    expect(exceedsLoadLimits([scenario({})], 3, limits)?.field).toBe('spec.parallelism');
    expect(
      exceedsLoadLimits([scenario({ executor: 'constant-vus', rate: undefined, vus: 11, thinkTime: '1s' })], 1, limits)
        ?.field,
    ).toBe('spec.scenarios[0].vus');
    expect(exceedsLoadLimits([scenario({ rate: 500 })], 1, limits, 'spec.profile')?.field).toBe('spec.profile');
  });

  it("bounds a closed model's rate by its think time against maxRate: without one it has no bound", () => {
    const vus = (thinkTime?: string) =>
      scenario({ name: 'v', executor: 'constant-vus', rate: undefined, vus: 10, ...(thinkTime ? { thinkTime } : {}) });
    expect(exceedsLoadLimits([scenario({ rate: 50 }), vus()], 1, limits)).toEqual({
      field: 'spec.scenarios[1].thinkTime',
      message:
        "10 virtual users without thinkTime send as fast as the service answers, beyond the Baseline's limits.load.maxRate 100 with the other scenarios; a thinkTime of at least 200ms keeps within it",
    });
    expect(exceedsLoadLimits([scenario({ rate: 50 }), vus('100ms')], 1, limits)?.message).toBe(
      "10 virtual users thinking 100ms send up to 100 requests/s, beyond the Baseline's limits.load.maxRate 100 with the other scenarios; a thinkTime of at least 200ms keeps within it",
    );
    expect(exceedsLoadLimits([scenario({ rate: 50 }), vus('200ms')], 1, limits)).toBeUndefined();
  });

  it("checks a replay's busiest second together with the scenarios beside it", () => {
    expect(replayExceeds(90, [], limits)).toBeUndefined();
    expect(replayExceeds(90, [scenario({ rate: 60 })], limits)).toBe(
      "spec.replay.speedup: the log's busiest second replays 90 requests/s (150 with the other scenarios' 60), above the Baseline's limits.load.maxRate 100",
    );
    expect(replayExceeds(120, [], limits)).toBe(
      "spec.replay.speedup: the log's busiest second replays 120 requests/s, above the Baseline's limits.load.maxRate 100",
    );
    expect(replayExceeds(undefined, [scenario({ rate: 60 })], limits)).toBeUndefined();
  });

  it("bounds how long one request may hold the test, by the Baseline's maxDuration", () => {
    // A 10 s scenario whose requests may wait 1000 h on a stalled service would run 1000 h.
    expect(exceedsLoadLimits([scenario({ timeout: '1000h' })], 1, limits)).toEqual({
      field: 'spec.scenarios[0].timeout',
      message:
        "one request may take 3600000 s (timeout × attempts + backoff), which a stalled service would hold the test for, beyond the Baseline's limits.load.maxDuration 60 s",
    });
    expect(
      exceedsLoadLimits([scenario({ timeout: '20s', retries: { max: 2, backoff: '1s' } })], 1, limits)?.field,
    ).toBe('spec.scenarios[0].retries');
    expect(exceedsLoadLimits([scenario({ timeout: '29s', retries: { max: 1 } })], 1, limits)).toBeUndefined();
  });
});
