import type { Condition } from '../../api/common';
import type { ParityCheckStatus } from '../../api/paritycheck';

/** Whether a reconcile runs the check now, or when to look again. */
export type RunWhy = 'new-generation' | 'interval' | 'retry' | 'staging-changed';
export type RunDecision = { run: true; why: RunWhy } | { run: false; requeueAfterMs?: number };

/** A source that did not answer is tried again after this long at first, doubling with the time it has been down. */
export const RETRY_MIN_MS = 10_000;
export const RETRY_MAX_MS = 5 * 60_000;

function condition(status: ParityCheckStatus | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

function time(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The check ran (to completion or not) for this generation: Ready was set by a run, not by a refused spec. */
export function ranForGeneration(status: ParityCheckStatus | undefined, generation: number | undefined): boolean {
  const ready = condition(status, 'Ready');
  return (
    status?.lastCheckedAt !== undefined &&
    status.observedGeneration === generation &&
    ready !== undefined &&
    ready.observedGeneration === generation &&
    ready.reason !== 'InvalidSpec'
  );
}

/**
 * How long after the last run an unreachable source is tried again: as long
 * as it has been down, between RETRY_MIN_MS and RETRY_MAX_MS, so a database
 * that is down for an hour is asked a dozen times, not thousands.
 */
export function retryDelayMs(status: ParityCheckStatus | undefined, now: Date): number | undefined {
  const stalled = condition(status, 'Stalled');
  if (stalled?.status !== 'True' || stalled.reason !== 'SourceUnavailable') return undefined;
  const since = time(stalled.lastTransitionTime) ?? now.getTime();
  return Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, now.getTime() - since));
}

/**
 * Decides from the stored status alone, so a restarted operator neither
 * re-runs every check at once nor forgets one that is due: a new generation
 * runs at once; otherwise the check runs again when its interval has passed,
 * or sooner while a source is unavailable. Without an interval a check that
 * completed runs once per generation, and again when its StagingEnvironment
 * has become Ready again since the last run (environmentReadySince).
 */
export function decideRun(
  status: ParityCheckStatus | undefined,
  generation: number | undefined,
  intervalMs: number | undefined,
  now: Date,
  environmentReadySince?: string,
): RunDecision {
  if (!ranForGeneration(status, generation)) return { run: true, why: 'new-generation' };
  const last = time(status?.lastCheckedAt);
  if (last === undefined) return { run: true, why: 'new-generation' };
  // The staging environment became Ready (copied again, seeded again) since the last run saw it: that result describes a staging that is gone.
  if (environmentReadySince !== undefined && environmentReadySince !== status?.environmentReadySince)
    return { run: true, why: 'staging-changed' };
  const retry = retryDelayMs(status, now);
  const candidates: Array<{ period: number; why: 'interval' | 'retry' }> = [];
  if (intervalMs !== undefined) candidates.push({ period: intervalMs, why: 'interval' });
  if (retry !== undefined) candidates.push({ period: retry, why: 'retry' });
  if (candidates.length === 0) return { run: false };
  const next = candidates.reduce((a, b) => (b.period < a.period ? b : a));
  const wait = last + next.period - now.getTime();
  if (wait <= 0) return { run: true, why: next.why };
  // A lastCheckedAt in the future (the clock went back) must not postpone the check beyond one period.
  return { run: false, requeueAfterMs: Math.min(wait, next.period) };
}
