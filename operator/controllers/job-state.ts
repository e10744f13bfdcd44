import type { JobCondition, JobObject } from '../kinds';

// Where a batch/v1 Job stands, from the Job controller's conditions: shared by
// the controllers that run their work in Jobs (DataSeed, infrastructure).

export type JobState =
  | { kind: 'active' }
  | { kind: 'complete'; completedAt: string | undefined }
  | { kind: 'failed'; reason: string; message: string };

function condition(job: JobObject, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

/** Finished only once the Job controller says Complete or Failed (FailureTarget comes first, while pods still stop). */
export function jobState(job: JobObject): JobState {
  if (condition(job, 'Complete'))
    return {
      kind: 'complete',
      completedAt: job.status?.completionTime ?? condition(job, 'Complete')?.lastTransitionTime,
    };
  const failed = condition(job, 'Failed');
  if (failed) return { kind: 'failed', reason: failed.reason ?? 'Failed', message: failed.message ?? '' };
  return { kind: 'active' };
}
