import type { Condition } from '../../api/common';
import type { DataSeedSpec, DataSeedStatus } from '../../api/dataseed';
import { parseDuration } from '../../api/values/duration';
import { backoffDelay } from '../../runtime/backoff';

// When a DataSeed runs: once per generation (a spec change, never a status
// or label change), again after a retryable failure with backoff, again
// when a run was interrupted (the operator stopped while seeding), and again
// every spec.golden.refreshInterval for a golden database. Decided
// from the stored status plus what this process remembers of its retries, so
// a restarted operator neither re-seeds what is done nor forgets what is not.

/**
 * backoff: a retry may fix it (a Secret created later, a database back up).
 * slow: decided before anything was written, and the fix may lie outside the
 * spec (a rules ConfigMap, the database schema, an object in the way, the
 * namespace's rights), so it is re-checked now and then.
 * gate: the Baseline refused; it is judged again on every reconcile (a
 * Baseline or Namespace change wakes the DataSeed), and the seed starts as
 * soon as the Baseline allows it, with no timed retry in between.
 * never: only a spec change helps, or a retry would write production-derived data again.
 */
export type RetryPolicy = 'backoff' | 'slow' | 'gate' | 'never';

const BACKOFF = new Set([
  'ConnectionFailed',
  'WriteFailed',
  'ReferenceNotFound',
  'InvalidReference',
  'ReferenceUnreadable',
  'SeedFailed',
  'Cancelled',
  'JobFailed',
  'JobNotCreated',
  // spec.golden: a session that held the schema database or the old golden is usually gone soon.
  'GoldenBusy',
]);
const SLOW = new Set([
  'UncoveredColumns',
  'RuleConflict',
  'SchemaMismatch',
  'ObjectNotOwned',
  'RunnerNotAllowed',
  // spec.golden: a missing CREATEDB or a golden owned by another role is fixed on the server.
  'GoldenNotPermitted',
]);
export const GATE_REASONS = new Set(['BaselineNotFound', 'BaselineNotAllowed', 'InvalidBaseline']);

export const RETRY_INITIAL_MS = 5_000;
export const RETRY_MAX_MS = 5 * 60_000;
export const SLOW_RETRY_MS = 10 * 60_000;

export function retryPolicyOf(reason: string): RetryPolicy {
  if (BACKOFF.has(reason)) return 'backoff';
  if (SLOW.has(reason)) return 'slow';
  if (GATE_REASONS.has(reason)) return 'gate';
  return 'never';
}

/** How long after the `attempts`-th failure in a row the seed runs again; undefined when it does not. */
export function retryDelayMs(policy: RetryPolicy, attempts: number, random?: () => number): number | undefined {
  if (policy === 'never' || policy === 'gate') return undefined;
  if (policy === 'slow') return SLOW_RETRY_MS;
  return Math.round(
    backoffDelay(Math.max(0, attempts - 1), { initialMs: RETRY_INITIAL_MS, maxMs: RETRY_MAX_MS, random }),
  );
}

/** What this process remembers of one DataSeed's failures in a row, for backoff and for telling news from repeats. */
export interface RetryMemory {
  generation: number;
  attempts: number;
  reason: string;
  failedAtMs: number;
  retryAtMs: number | undefined;
}

export type Recorded =
  | { kind: 'none' }
  | { kind: 'succeeded' }
  | { kind: 'in-progress' }
  | { kind: 'failed'; reason: string; policy: RetryPolicy };

function current(
  conditions: readonly Condition[] | undefined,
  type: string,
  generation: number,
): Condition | undefined {
  const c = conditions?.find((x) => x.type === type);
  return c && c.observedGeneration === generation ? c : undefined;
}

/** What the status says happened to this generation. */
export function recordedOutcome(status: DataSeedStatus | undefined, generation: number): Recorded {
  if (!status || status.observedGeneration !== generation) return { kind: 'none' };
  const ready = current(status.conditions, 'Ready', generation);
  const reconciling = current(status.conditions, 'Reconciling', generation);
  // Ready and Reconciling both True: a golden's refresh runs while the golden it replaces stays live.
  if (ready?.status === 'True' && reconciling?.status !== 'True') return { kind: 'succeeded' };
  const stalled = current(status.conditions, 'Stalled', generation);
  if (stalled?.status === 'True')
    return { kind: 'failed', reason: stalled.reason, policy: retryPolicyOf(stalled.reason) };
  if (reconciling?.status === 'True') return { kind: 'in-progress' };
  return { kind: 'none' };
}

export type StartWhy = 'new-generation' | 'retry' | 'interrupted' | 'refresh';
export type StartDecision = { start: true; why: StartWhy } | { start: false; requeueAfterMs?: number };

/**
 * A requeue is at most this far off: a long refreshInterval is re-checked
 * against the stored status now and then rather than trusted to one timer
 * (Node's timers overflow past 24.8 days).
 */
export const MAX_REFRESH_REQUEUE_MS = 60 * 60_000;

/**
 * spec.golden.refreshInterval: when the next refresh is due, from the status
 * only (the last refresh, or the last failed attempt of this generation), so
 * a restarted operator keeps the schedule. Undefined without an interval or
 * without a recorded attempt.
 */
export function refreshDueAtMs(
  spec: Pick<DataSeedSpec, 'golden'>,
  status: DataSeedStatus | undefined,
  generation: number,
): number | undefined {
  const interval = spec.golden?.refreshInterval;
  if (!interval) return undefined;
  const parsed = parseDuration(interval);
  if (!parsed.ok) return undefined;
  const stalled = current(status?.conditions, 'Stalled', generation);
  const attempts = [
    status?.golden?.refreshedAt ?? status?.lastSeededAt,
    stalled?.status === 'True' ? stalled.lastTransitionTime : undefined,
  ]
    .map((t) => (t === undefined ? Number.NaN : Date.parse(t)))
    .filter((t) => Number.isFinite(t));
  return attempts.length === 0 ? undefined : Math.max(...attempts) + parsed.milliseconds;
}

function refreshDecision(dueAtMs: number | undefined, nowMs: number): StartDecision {
  if (dueAtMs === undefined) return { start: false };
  if (dueAtMs <= nowMs) return { start: true, why: 'refresh' };
  return { start: false, requeueAfterMs: Math.min(dueAtMs - nowMs, MAX_REFRESH_REQUEUE_MS) };
}

/**
 * Whether to start a seed now, given that none is running for this
 * generation. A retry whose time this process does not know (it restarted)
 * runs at once: a restart is rare and the failure may be long fixed. So does
 * one whose Secrets or ConfigMaps changed since it failed (`referencesChangedAtMs`).
 * A golden with a refreshInterval runs again once `refreshDueAtMs` passed.
 */
export function decideStart(
  recorded: Recorded,
  generation: number,
  memory: RetryMemory | undefined,
  nowMs: number,
  referencesChangedAtMs?: number,
  refreshDueAtMs?: number,
): StartDecision {
  switch (recorded.kind) {
    case 'succeeded':
      return refreshDecision(refreshDueAtMs, nowMs);
    case 'in-progress':
      return { start: true, why: 'interrupted' };
    case 'none':
      return { start: true, why: 'new-generation' };
    case 'failed': {
      // A scheduled refresh tries again an interval after an unfixable failure: production may have changed.
      if (recorded.policy === 'never') return refreshDecision(refreshDueAtMs, nowMs);
      // The caller reaches here only once the Baseline allows the seed.
      if (recorded.policy === 'gate') return { start: true, why: 'retry' };
      const fixedSince =
        referencesChangedAtMs !== undefined && memory !== undefined && referencesChangedAtMs > memory.failedAtMs;
      const due = memory?.generation === generation && !fixedSince ? memory.retryAtMs : undefined;
      if (due !== undefined && due > nowMs) return { start: false, requeueAfterMs: due - nowMs };
      return { start: true, why: 'retry' };
    }
  }
}

/** The memory after another failure of this generation: attempts count up while the failures keep coming. */
export function rememberFailure(
  previous: RetryMemory | undefined,
  generation: number,
  reason: string,
  nowMs: number,
  random?: () => number,
): RetryMemory {
  const attempts = previous?.generation === generation ? previous.attempts + 1 : 1;
  const delay = retryDelayMs(retryPolicyOf(reason), attempts, random);
  return {
    generation,
    attempts,
    reason,
    failedAtMs: nowMs,
    retryAtMs: delay === undefined ? undefined : nowMs + delay,
  };
}

/**
 * A failure is worth an Event only when it is news: not the same reason for
 * the same generation as the last failure, whether that one is still in the
 * status or only remembered (a retry's run replaced it with Running).
 */
export function failureIsNews(
  status: DataSeedStatus | undefined,
  memory: RetryMemory | undefined,
  generation: number,
  reason: string,
): boolean {
  if (memory?.generation === generation && memory.reason === reason) return false;
  const stalled = current(status?.conditions, 'Stalled', generation);
  return !(stalled?.status === 'True' && stalled.reason === reason);
}
