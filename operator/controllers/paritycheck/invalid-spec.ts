import type { ParityCheckStatus } from '../../api/paritycheck';
import { invalidSpecStatus } from '../../parity/check';
import type { ParityEvent } from '../../parity/events';

/**
 * What a spec the schema refuses leads to: Stalled/InvalidSpec naming the
 * field, and one Warning Event when that is news — the check was not already
 * refused for the same reason — so a spec left broken stays quiet.
 */
export function invalidSpecOutcome(
  previous: ParityCheckStatus | undefined,
  message: string,
  now: Date,
  generation: number | undefined,
): { status: ParityCheckStatus; events: ParityEvent[] } {
  const status = invalidSpecStatus(message, previous, now, generation);
  const before = previous?.conditions?.find((c) => c.type === 'Stalled');
  const already = before?.status === 'True' && before.reason === 'InvalidSpec' && before.message === message;
  return { status, events: already ? [] : [{ type: 'Warning', reason: 'InvalidSpec', message }] };
}
