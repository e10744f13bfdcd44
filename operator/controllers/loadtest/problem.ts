/** Why a LoadTest cannot run now: the Stalled reason and a message naming the field. */
export interface PlanProblem {
  reason: string;
  message: string;
}

/** Problems that may go away by themselves (a Secret created, a target deployed, the API server back): tried again. */
export const RETRYABLE = new Set([
  'SecretUnreadable',
  'ReferenceNotFound',
  'NoValues',
  'ValuesUnavailable',
  'TargetNotFound',
  'ProfileUnavailable',
  'ReplayNotFound',
  'InvalidReplay',
  'EnvironmentNotFound',
  'ReportNotWritten',
]);
