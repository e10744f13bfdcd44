import type { Condition } from '../../api/common';
import type { DataSeedStatus } from '../../api/dataseed';
import {
  MAX_REFRESH_REQUEUE_MS,
  RETRY_INITIAL_MS,
  RETRY_MAX_MS,
  SLOW_RETRY_MS,
  decideStart,
  failureIsNews,
  recordedOutcome,
  refreshDueAtMs,
  rememberFailure,
  retryDelayMs,
  retryPolicyOf,
} from './decide';

const cond = (type: string, status: Condition['status'], reason: string, generation: number): Condition => ({
  type,
  status,
  reason,
  message: reason,
  observedGeneration: generation,
  lastTransitionTime: '2030-01-01T00:00:00Z',
});
const status = (generation: number, ...conditions: Condition[]): DataSeedStatus => ({
  observedGeneration: generation,
  conditions,
});
const half = () => 0.5;

describe('recordedOutcome', () => {
  it('reads success, failure and a run in progress for this generation only', () => {
    expect(recordedOutcome(undefined, 1)).toEqual({ kind: 'none' });
    expect(recordedOutcome(status(1, cond('Ready', 'True', 'Seeded', 1)), 1)).toEqual({ kind: 'succeeded' });
    expect(recordedOutcome(status(1, cond('Ready', 'True', 'Seeded', 1)), 2)).toEqual({ kind: 'none' });
    expect(
      recordedOutcome(
        status(2, cond('Ready', 'False', 'ConnectionFailed', 2), cond('Stalled', 'True', 'ConnectionFailed', 2)),
        2,
      ),
    ).toEqual({ kind: 'failed', reason: 'ConnectionFailed', policy: 'backoff' });
    expect(
      recordedOutcome(status(3, cond('Ready', 'False', 'Seeding', 3), cond('Reconciling', 'True', 'Seeding', 3)), 3),
    ).toEqual({ kind: 'in-progress' });
    // A condition left from an older generation says nothing about this one.
    expect(recordedOutcome(status(3, cond('Ready', 'True', 'Seeded', 2)), 3)).toEqual({ kind: 'none' });
  });
});

describe('decideStart', () => {
  const failed = (reason: string) => recordedOutcome(status(1, cond('Stalled', 'True', reason, 1)), 1);

  it('seeds a new generation, re-runs an interrupted one, and leaves a succeeded one alone', () => {
    expect(decideStart({ kind: 'none' }, 1, undefined, 0)).toEqual({ start: true, why: 'new-generation' });
    expect(decideStart({ kind: 'in-progress' }, 1, undefined, 0)).toEqual({ start: true, why: 'interrupted' });
    expect(decideStart({ kind: 'succeeded' }, 1, undefined, 0)).toEqual({ start: false });
  });

  it('retries a retryable failure when its backoff has passed, and never retries what only a spec change fixes', () => {
    const memory = { generation: 1, attempts: 2, reason: 'ConnectionFailed', failedAtMs: 2_000, retryAtMs: 10_000 };
    expect(decideStart(failed('ConnectionFailed'), 1, memory, 4_000)).toEqual({ start: false, requeueAfterMs: 6_000 });
    expect(decideStart(failed('ConnectionFailed'), 1, memory, 10_000)).toEqual({ start: true, why: 'retry' });
    // A Secret or ConfigMap it names changed after it failed: no need to wait.
    expect(decideStart(failed('ReferenceNotFound'), 1, memory, 4_000, 3_000)).toEqual({ start: true, why: 'retry' });
    expect(decideStart(failed('ReferenceNotFound'), 1, memory, 4_000, 1_000)).toEqual({
      start: false,
      requeueAfterMs: 6_000,
    });
    // After a restart nothing is remembered: retry at once.
    expect(decideStart(failed('ReferenceNotFound'), 1, undefined, 0)).toEqual({ start: true, why: 'retry' });
    // Memory of another generation does not hold a new one back.
    expect(decideStart(failed('ConnectionFailed'), 1, { ...memory, generation: 0 }, 0)).toEqual({
      start: true,
      why: 'retry',
    });
    for (const reason of ['InvalidSpec', 'FidelityBelowThreshold', 'LeakDetected', 'IntegrityFailed'])
      expect(decideStart(failed(reason), 1, undefined, 0)).toEqual({ start: false });
  });

  it('starts at once a seed the Baseline refused, once the caller found the Baseline allows it', () => {
    const memory = {
      generation: 1,
      attempts: 1,
      reason: 'BaselineNotAllowed',
      failedAtMs: 2_000,
      retryAtMs: undefined,
    };
    for (const reason of ['BaselineNotFound', 'BaselineNotAllowed', 'InvalidBaseline'])
      expect(decideStart(failed(reason), 1, memory, 3_000)).toEqual({ start: true, why: 'retry' });
  });
});

describe('retries', () => {
  it('backs off exponentially from 5 s to 5 min; checks strict-mode failures every 10 min', () => {
    expect(retryPolicyOf('ReferenceNotFound')).toBe('backoff');
    expect(retryPolicyOf('UncoveredColumns')).toBe('slow');
    expect(retryPolicyOf('FidelityBelowThreshold')).toBe('never');
    expect(retryPolicyOf('ObjectNotOwned')).toBe('slow');
    expect(retryPolicyOf('RunnerNotAllowed')).toBe('slow');
    expect(retryPolicyOf('BaselineNotAllowed')).toBe('gate');
    // Refused by the Baseline: no timed retry, no "retrying in" in the message.
    expect(retryDelayMs('gate', 3)).toBeUndefined();
    const full = () => 1;
    expect(retryDelayMs('backoff', 1, full)).toBe(RETRY_INITIAL_MS);
    expect(retryDelayMs('backoff', 3, full)).toBe(4 * RETRY_INITIAL_MS);
    expect(retryDelayMs('backoff', 30, full)).toBe(RETRY_MAX_MS);
    expect(retryDelayMs('backoff', 1, () => 0)).toBe(RETRY_INITIAL_MS / 2);
    expect(retryDelayMs('slow', 1)).toBe(SLOW_RETRY_MS);
    expect(retryDelayMs('never', 1)).toBeUndefined();
  });

  it('counts failures in a row per generation', () => {
    const first = rememberFailure(undefined, 1, 'ConnectionFailed', 1_000, half);
    expect(first).toEqual({
      generation: 1,
      attempts: 1,
      reason: 'ConnectionFailed',
      failedAtMs: 1_000,
      retryAtMs: 1_000 + 0.75 * RETRY_INITIAL_MS,
    });
    const second = rememberFailure(first, 1, 'ConnectionFailed', 2_000, half);
    expect(second.attempts).toBe(2);
    expect(rememberFailure(second, 2, 'ConnectionFailed', 3_000, half).attempts).toBe(1);
    expect(rememberFailure(undefined, 1, 'LeakDetected', 0).retryAtMs).toBeUndefined();
  });

  it('tells a new failure from a repeat, whether the repeat is in the status or only remembered', () => {
    const stalled = status(1, cond('Stalled', 'True', 'ReferenceNotFound', 1));
    expect(failureIsNews(undefined, undefined, 1, 'ReferenceNotFound')).toBe(true);
    expect(failureIsNews(stalled, undefined, 1, 'ReferenceNotFound')).toBe(false);
    expect(failureIsNews(stalled, undefined, 1, 'ConnectionFailed')).toBe(true);
    expect(failureIsNews(stalled, undefined, 2, 'ReferenceNotFound')).toBe(true);
    const running = status(1, cond('Reconciling', 'True', 'Seeding', 1));
    expect(
      failureIsNews(
        running,
        { generation: 1, attempts: 1, reason: 'ConnectionFailed', failedAtMs: 0, retryAtMs: 0 },
        1,
        'ConnectionFailed',
      ),
    ).toBe(false);
  });
});

describe('golden refresh schedule (spec.golden.refreshInterval)', () => {
  const golden = { golden: { database: 'golden_shop', refreshInterval: '24h' } };
  const DAY = 24 * 3600_000;
  const refreshedAt = '2030-01-01T00:00:00.000Z';
  const at = Date.parse(refreshedAt);
  const succeeded: DataSeedStatus = {
    ...status(3, cond('Ready', 'True', 'Seeded', 3)),
    golden: { database: 'golden_shop', refreshedAt },
  };

  it('is due an interval after the last refresh, from the status alone (a restarted operator keeps it)', () => {
    expect(refreshDueAtMs(golden, succeeded, 3)).toBe(at + DAY);
    expect(refreshDueAtMs({ golden: { database: 'golden_shop' } }, succeeded, 3)).toBeUndefined();
    expect(refreshDueAtMs({}, succeeded, 3)).toBeUndefined();
    expect(refreshDueAtMs(golden, undefined, 3)).toBeUndefined();
  });

  it('waits (requeue at most an hour ahead) until due, then starts a refresh; no memory needed', () => {
    const due = refreshDueAtMs(golden, succeeded, 3);
    const recorded = recordedOutcome(succeeded, 3);
    expect(decideStart(recorded, 3, undefined, at + 1_000, undefined, due)).toEqual({
      start: false,
      requeueAfterMs: MAX_REFRESH_REQUEUE_MS,
    });
    expect(decideStart(recorded, 3, undefined, at + DAY - 5_000, undefined, due)).toEqual({
      start: false,
      requeueAfterMs: 5_000,
    });
    expect(decideStart(recorded, 3, undefined, at + DAY, undefined, due)).toEqual({ start: true, why: 'refresh' });
    // Without an interval a succeeded seed never runs again by itself.
    expect(decideStart(recorded, 3, undefined, at + 10 * DAY)).toEqual({ start: false });
  });

  it('after a failure only a spec change fixes, tries again an interval after that failure, not in a loop', () => {
    const failedAt = '2030-01-03T00:00:00Z';
    const failed: DataSeedStatus = {
      ...status(3, cond('Ready', 'False', 'FidelityBelowThreshold', 3), {
        ...cond('Stalled', 'True', 'FidelityBelowThreshold', 3),
        lastTransitionTime: failedAt,
      }),
      golden: { database: 'golden_shop', refreshedAt },
    };
    const due = refreshDueAtMs(golden, failed, 3)!;
    expect(due).toBe(Date.parse(failedAt) + DAY);
    const recorded = recordedOutcome(failed, 3);
    expect(recorded).toEqual({ kind: 'failed', reason: 'FidelityBelowThreshold', policy: 'never' });
    expect(decideStart(recorded, 3, undefined, Date.parse(failedAt) + 1_000, undefined, due).start).toBe(false);
    expect(decideStart(recorded, 3, undefined, due, undefined, due)).toEqual({ start: true, why: 'refresh' });
  });

  it('reads Ready and Reconciling both True (a refresh of the live golden) as a run in progress', () => {
    const refreshing = status(3, cond('Ready', 'True', 'Seeded', 3), cond('Reconciling', 'True', 'Seeding', 3));
    expect(recordedOutcome(refreshing, 3)).toEqual({ kind: 'in-progress' });
    // An operator that stopped mid-refresh: the next one runs it again.
    expect(decideStart(recordedOutcome(refreshing, 3), 3, undefined, at)).toEqual({
      start: true,
      why: 'interrupted',
    });
  });

  it('retries the golden failures: busy with backoff, a missing privilege slowly', () => {
    expect(retryPolicyOf('GoldenBusy')).toBe('backoff');
    expect(retryPolicyOf('GoldenNotPermitted')).toBe('slow');
  });
});
