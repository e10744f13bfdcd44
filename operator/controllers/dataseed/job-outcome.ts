import type { PodObject } from '../../kinds';
import type { JobState } from '../job-state';
import type { Failure } from './failure';

// How a seed Job ended, read from the Job's conditions and, on failure, from
// the seed container's termination message: the seed command's last stderr
// line is `{"event":"failed","reason":...,"message":...}`, and the Job's
// pod template asks for the log tail as termination message.

export type { JobObject, PodObject } from '../../kinds';

export { jobState, type JobState } from '../job-state';

const SEED_CONTAINER = 'seed';

/** The seed command's own account of its failure, from the last JSON line of a termination message. */
export function parseTerminationMessage(text: string): { reason: string; message: string } | undefined {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .reverse();
  for (const line of lines) {
    try {
      const parsed = JSON.parse(line) as { event?: unknown; reason?: unknown; message?: unknown };
      if (parsed.event === 'failed' && typeof parsed.reason === 'string')
        return { reason: parsed.reason, message: typeof parsed.message === 'string' ? parsed.message : '' };
    } catch {
      // A long message cut by the 2 KiB limit of termination messages loses its start: keep what is left.
      const reason = /"reason":"([A-Za-z]+)"/.exec(line)?.[1];
      if (reason) return { reason, message: line.slice(0, 2000) };
    }
  }
  return undefined;
}

/** Why the Job failed: the seed's own reason when its pod said, else the Job controller's. */
export function jobFailure(
  jobName: string,
  state: Extract<JobState, { kind: 'failed' }>,
  pods: readonly PodObject[],
): Failure {
  for (const pod of pods) {
    const container = pod.status?.containerStatuses?.find((c) => c.name === SEED_CONTAINER);
    const terminated = container?.state?.terminated ?? container?.lastState?.terminated;
    const own = terminated?.message ? parseTerminationMessage(terminated.message) : undefined;
    if (own) {
      const reason = own.reason === 'FidelityFailed' ? 'FidelityBelowThreshold' : own.reason;
      return { reason, message: own.message || `the seed Job ${jobName} failed (${own.reason})` };
    }
  }
  const detail = state.message ? `: ${state.message}` : '';
  return {
    reason: 'JobFailed',
    message: `the seed Job ${jobName} failed (${state.reason})${detail}; see its pod's log`,
  };
}
