import { type StackRequest, type StackResult, StackResultSchema } from '../../infrastructure/request';
import type { JobObject } from '../../kinds';
import { jobState } from '../job-state';
import { RESULT_KEYS } from './job-manifest';

// Where a Job's stack operation stands, from the Job's conditions and the
// result Secret its pod patches. Pure. The pod's result is authoritative
// whatever the Job says (it is written before the pod exits); without one, a
// Job that failed (its pod killed, evicted, out of memory) is an interrupted
// run that the next run recovers, as for the Inline runner; a Job past its
// deadline, or one that completed without writing a result (an image that is
// not the operator's), is a failure of the operation.

export type JobRunState = { kind: 'running'; progress: string | undefined } | { kind: 'finished'; result: StackResult };

/** At most this much of the pod's progress line reaches the status. */
export const MAX_PROGRESS = 1024;

function decode(data: Record<string, string> | undefined, key: string): string | undefined {
  const raw = data?.[key];
  return raw === undefined ? undefined : Buffer.from(raw, 'base64').toString('utf8');
}

export function jobRunState(o: {
  job: JobObject;
  /** The result Secret's data (base64 values, as the API returns them); undefined when it is gone. */
  resultData: Record<string, string> | undefined;
  action: StackRequest['action'];
  startedAtMs: number;
  nowMs: number;
}): JobRunState {
  const name = o.job.metadata?.name ?? '';
  const durationMs = Math.max(0, o.nowMs - o.startedAtMs);
  const failure = (message: string, interrupted: boolean): JobRunState => ({
    kind: 'finished',
    result: {
      ok: false,
      action: o.action,
      durationMs,
      message,
      recovered: [],
      ...(interrupted ? { interrupted } : {}),
    },
  });
  const written = decode(o.resultData, RESULT_KEYS.result);
  if (written !== undefined) {
    let parsed;
    try {
      parsed = StackResultSchema.safeParse(JSON.parse(written));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success) return { kind: 'finished', result: parsed.data };
    return failure(`the Job ${name} wrote a result the operator cannot read; the next run recovers the stack`, true);
  }
  if ((o.job.spec as { suspend?: boolean } | undefined)?.suspend === true)
    return failure(
      `the Job ${name} was left suspended by an operator that stopped while starting it; the next run recovers the stack`,
      true,
    );
  const state = jobState(o.job);
  if (state.kind === 'failed') {
    if (state.reason === 'DeadlineExceeded')
      return failure(
        `the Job ${name} ran longer than its deadline and was stopped (${state.message || 'DeadlineExceeded'})`,
        false,
      );
    return failure(
      `the Job ${name} failed before reporting a result (${state.reason}${state.message ? `: ${state.message}` : ''}); the next run recovers the stack`,
      true,
    );
  }
  if (state.kind === 'complete')
    return failure(
      `the Job ${name} completed without writing a result: its image must be the operator's, running \`understudy infrastructure run\``,
      false,
    );
  if (o.resultData === undefined)
    return failure(`the result Secret of Job ${name} is gone; the next run recovers the stack`, true);
  const progress = decode(o.resultData, RESULT_KEYS.progress)?.slice(0, MAX_PROGRESS);
  return { kind: 'running', progress: progress || undefined };
}
