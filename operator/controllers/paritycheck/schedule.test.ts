import type { Condition } from '../../api/common';
import type { ParityCheckStatus } from '../../api/paritycheck';
import { invalidSpecOutcome } from './invalid-spec';
import { MIN_INTERVAL_MS, planFor } from './plan';
import { RETRY_MAX_MS, RETRY_MIN_MS, decideRun, retryDelayMs } from './schedule';

const T0 = Date.parse('2030-01-01T00:00:00Z');
const at = (ms: number) => new Date(T0 + ms);

function cond(type: string, status: Condition['status'], reason: string, generation: number, since = 0): Condition {
  return {
    type,
    status,
    reason,
    message: reason,
    observedGeneration: generation,
    lastTransitionTime: at(since).toISOString(),
  };
}

function ran(generation: number, checkedAt: number, extra: Condition[] = []): ParityCheckStatus {
  return {
    observedGeneration: generation,
    lastCheckedAt: at(checkedAt).toISOString(),
    conditions: [cond('Ready', 'True', 'Checked', generation), ...extra],
  };
}

describe('decideRun', () => {
  it('runs a generation that has not run yet, and only once without an interval', () => {
    expect(decideRun(undefined, 1, undefined, at(0))).toEqual({ run: true, why: 'new-generation' });
    expect(decideRun(ran(1, 0), 2, undefined, at(5))).toEqual({ run: true, why: 'new-generation' });
    expect(decideRun(ran(1, 0), 1, undefined, at(999_999_999))).toEqual({ run: false });
  });

  it('runs again once its StagingEnvironment became Ready after the last run, and only then', () => {
    const sawReady = { ...ran(1, 10_000), environmentReadySince: '2030-01-01T00:00:05Z' };
    expect(decideRun(ran(1, 10_000), 1, undefined, at(20_000), '2030-01-01T00:00:15Z')).toEqual({
      run: true,
      why: 'staging-changed',
    });
    expect(decideRun(sawReady, 1, undefined, at(20_000), '2030-01-01T00:00:15Z')).toEqual({
      run: true,
      why: 'staging-changed',
    });
    expect(decideRun(sawReady, 1, undefined, at(20_000), '2030-01-01T00:00:05Z')).toEqual({ run: false });
    // Not Ready now: wait for it rather than re-run against a half-made copy.
    expect(decideRun(sawReady, 1, 60_000, at(20_000), undefined)).toEqual({ run: false, requeueAfterMs: 50_000 });
  });

  it('runs again when the interval has passed, and says how long to wait before that', () => {
    expect(decideRun(ran(3, 0), 3, 60_000, at(20_000))).toEqual({ run: false, requeueAfterMs: 40_000 });
    expect(decideRun(ran(3, 0), 3, 60_000, at(60_000))).toEqual({ run: true, why: 'interval' });
  });

  it('never waits more than one interval, even when the last run looks like it is in the future', () => {
    expect(decideRun(ran(1, 3_600_000), 1, 60_000, at(0))).toEqual({ run: false, requeueAfterMs: 60_000 });
  });

  it('treats a status written for a refused spec as not run, so fixing the spec in place still runs', () => {
    const refused: ParityCheckStatus = { ...ran(1, 0), conditions: [cond('Ready', 'False', 'InvalidSpec', 1)] };
    expect(decideRun(refused, 1, undefined, at(1))).toEqual({ run: true, why: 'new-generation' });
  });

  it('retries an unavailable source after as long as it has been down, within bounds', () => {
    const stalledSince = (since: number, checkedAt: number) =>
      ran(1, checkedAt, [cond('Stalled', 'True', 'SourceUnavailable', 1, since)]);
    expect(retryDelayMs(stalledSince(0, 0), at(0))).toBe(RETRY_MIN_MS);
    expect(retryDelayMs(stalledSince(0, 0), at(100_000))).toBe(100_000);
    expect(retryDelayMs(stalledSince(0, 0), at(10 * 3_600_000))).toBe(RETRY_MAX_MS);
    expect(retryDelayMs(ran(1, 0, [cond('Stalled', 'True', 'InvalidSpec', 1)]), at(0))).toBeUndefined();
    expect(decideRun(stalledSince(0, 0), 1, undefined, at(5_000))).toEqual({
      run: false,
      requeueAfterMs: RETRY_MIN_MS - 5_000,
    });
    expect(decideRun(stalledSince(0, 0), 1, undefined, at(RETRY_MIN_MS))).toEqual({ run: true, why: 'retry' });
    // An interval shorter than the retry delay wins.
    expect(decideRun(stalledSince(0, 0), 1, 2_000, at(2_000))).toEqual({ run: true, why: 'interval' });
  });
});

describe('planFor', () => {
  const spec = { baselineRef: { name: 'shop' } };
  const object = (s: unknown, status?: unknown, generation = 1) => ({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'ParityCheck',
    metadata: { name: 'c', namespace: 'n', generation },
    spec: s,
    status,
  });
  const resolution = {
    ok: true as const,
    baseline: { name: 'shop', uid: 'u', generation: 1, spec: {} as never },
    requester: 'n',
    staging: { namespace: 'n' },
  };
  const allowed = () => resolution;

  it('refuses a bad spec with a message naming the field, before asking about the Baseline', () => {
    const resolve = jest.fn(allowed);
    const plan = planFor(object({ ...spec, staging: { environmentRef: { name: 'Not A Name' } } }), at(0), resolve);
    expect(plan).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('spec.staging.environmentRef.name'),
    });
    expect(planFor(object({ ...spec, interval: '0s' }), at(0), resolve)).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/^spec\.interval: must be at least 1s/),
    });
    expect(resolve).not.toHaveBeenCalled();
    expect(MIN_INTERVAL_MS).toBe(1_000);
  });

  it('refuses, without running, a spec that compares nothing or ignores everything (a run would only say InParity)', () => {
    const off = { ...spec, categories: { configuration: { enabled: false } } };
    expect(planFor(object(off, ran(1, 0)), at(15_000), allowed)).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/^spec\.categories: every category is turned off/),
    });
    // A Baseline that names a Prometheus gives such a check the default behaviour queries: something is compared.
    const withPrometheus = () => ({
      ...resolution,
      baseline: { ...resolution.baseline, spec: { data: { prometheus: { url: 'http://p' } } } as never },
    });
    expect(planFor(object(off), at(0), withPrometheus)).toMatchObject({ kind: 'run' });
    expect(planFor(object({ ...spec, ignore: [{ path: '**', reason: 'noise' }] }), at(0), allowed)).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/^spec\.ignore\[0\] .* ignores every finding of every category/),
    });
  });

  it('blocks a check its Baseline does not allow, even one that ran and is waiting for its next interval', () => {
    const denied = () => ({
      ok: false as const,
      reason: 'BaselineNotAllowed' as const,
      message: 'spec.baselineRef.name: no',
    });
    expect(planFor(object({ ...spec, interval: '1m' }, ran(1, 0)), at(15_000), denied)).toMatchObject({
      kind: 'blocked',
      blocked: { reason: 'BaselineNotAllowed' },
    });
  });

  it('runs a valid, allowed spec with no status, and carries the interval and the resolution', () => {
    expect(planFor(object({ ...spec, interval: '5m' }), at(0), allowed)).toMatchObject({
      kind: 'run',
      why: 'new-generation',
      intervalMs: 300_000,
      status: undefined,
      resolution,
    });
  });

  it('ignores a status that is not the shape the operator writes, rather than failing on it', () => {
    expect(planFor(object(spec, { conditions: 'garbage' }), at(0), allowed)).toMatchObject({
      kind: 'run',
      status: undefined,
    });
  });

  it('waits on a check that ran for this generation', () => {
    expect(planFor(object({ ...spec, interval: '1m' }, ran(1, 0)), at(15_000), allowed)).toMatchObject({
      kind: 'wait',
      requeueAfterMs: 45_000,
    });
  });

  it('runs again once a blocked check is allowed: a blocked status is not a run', () => {
    const blocked: ParityCheckStatus = {
      observedGeneration: 1,
      conditions: [cond('Ready', 'False', 'BaselineNotAllowed', 1), cond('Stalled', 'True', 'BaselineNotAllowed', 1)],
    };
    expect(planFor(object(spec, blocked), at(0), allowed)).toMatchObject({ kind: 'run', why: 'new-generation' });
  });
});

describe('invalidSpecOutcome', () => {
  it('emits one Warning when a spec is first refused, none while it stays refused for the same reason, one when the reason changes', () => {
    const first = invalidSpecOutcome(undefined, 'spec.interval: bad', at(0), 1);
    expect(first.events).toEqual([{ type: 'Warning', reason: 'InvalidSpec', message: 'spec.interval: bad' }]);
    expect(first.status.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InvalidSpec',
      message: 'spec.interval: bad',
    });
    expect(first.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
    });
    const again = invalidSpecOutcome(first.status, 'spec.interval: bad', at(1000), 2);
    expect(again.events).toEqual([]);
    expect(again.status.conditions?.find((c) => c.type === 'Stalled')?.lastTransitionTime).toBe(at(0).toISOString());
    expect(invalidSpecOutcome(again.status, 'spec.failOn: bad', at(2000), 3).events).toHaveLength(1);
  });
});
