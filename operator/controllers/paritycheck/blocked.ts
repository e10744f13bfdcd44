import type { ParityCheckStatus } from '../../api/paritycheck';
import { nextConditions } from '../../parity/conditions';
import type { ParityEvent } from '../../parity/events';
import type { Blocked } from './resolve';

/** Reasons worth looking at again on a timer: what they wait for may change where no watch sees it (another cluster, a kubeconfig Secret). */
const RETRIED = new Set<Blocked['reason']>([
  'SourceUnavailable',
  'ProductionNotFound',
  'StagingNotFound',
  'InvalidBaseline',
]);
export const BLOCKED_RETRY_MS = 60_000;

export function blockedRetryMs(blocked: Blocked): number | undefined {
  return RETRIED.has(blocked.reason) ? BLOCKED_RETRY_MS : undefined;
}

/**
 * A check that may not run, or has nothing to compare with: Stalled with the
 * reason, Ready False (kstatus), InParity Unknown — never True. The status
 * keeps nothing of earlier runs: findings, values and counts from a
 * production the check may no longer read must not stay visible.
 */
export function blockedStatus(
  blocked: Blocked,
  previous: ParityCheckStatus | undefined,
  now: Date,
  generation: number | undefined,
): ParityCheckStatus {
  const conditions = nextConditions(
    previous?.conditions,
    [
      { type: 'Ready', status: 'False', reason: blocked.reason, message: blocked.message },
      { type: 'Stalled', status: 'True', reason: blocked.reason, message: blocked.message },
      {
        type: 'InParity',
        status: 'Unknown',
        reason: blocked.reason,
        message: 'the check cannot run: nothing is compared, so nothing is known',
      },
    ],
    generation,
    now,
  );
  return generation === undefined ? { conditions } : { conditions, observedGeneration: generation };
}

/** Whether the stored status already says exactly this, so there is nothing to write or announce. */
export function alreadyBlocked(
  previous: ParityCheckStatus | undefined,
  blocked: Blocked,
  generation: number | undefined,
): boolean {
  const stalled = previous?.conditions?.find((c) => c.type === 'Stalled');
  return (
    stalled?.status === 'True' &&
    stalled.reason === blocked.reason &&
    stalled.message === blocked.message &&
    previous?.observedGeneration === generation &&
    previous?.findings === undefined
  );
}

/** The status, and one Warning Event when the block is news. */
export function blockedOutcome(
  previous: ParityCheckStatus | undefined,
  blocked: Blocked,
  now: Date,
  generation: number | undefined,
): { status: ParityCheckStatus; events: ParityEvent[] } {
  const stalled = previous?.conditions?.find((c) => c.type === 'Stalled');
  const news = !(
    stalled?.status === 'True' &&
    stalled.reason === blocked.reason &&
    stalled.message === blocked.message
  );
  return {
    status: blockedStatus(blocked, previous, now, generation),
    events: news ? [{ type: 'Warning', reason: blocked.reason, message: blocked.message }] : [],
  };
}
