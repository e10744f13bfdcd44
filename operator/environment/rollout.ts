import { isRecord, type KubeObject } from './objects';

// A workload that is not ready is usually on its way (a new image rolling
// out, a resume scaling up, a pod rescheduled); only the workload controller
// saying it gave up is a failure. This is how kstatus and Argo CD judge a
// Deployment: Progressing=False with ProgressDeadlineExceeded is Failed /
// Degraded, anything short of it is InProgress / Progressing. ReplicaFailure
// (pods the API server refuses: quota, admission) is a failure too.

/** Why the workload's controller gave up on it, or undefined while it is ready or still progressing. */
export function rolloutFailure(workload: KubeObject | undefined): string | undefined {
  if (!workload || !isRecord(workload.status)) return undefined;
  const status = workload.status;
  const generation = typeof workload.metadata.generation === 'number' ? workload.metadata.generation : 0;
  // A condition about an older generation says nothing about the rollout now in progress.
  if (typeof status.observedGeneration === 'number' && status.observedGeneration < generation) return undefined;
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  const deadline = conditions.find(
    (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
  if (deadline)
    return `${workload.kind} ${workload.metadata.name}: ${messageOf(deadline, 'progress deadline exceeded')}`;
  const replicaFailure = conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (replicaFailure)
    return `${workload.kind} ${workload.metadata.name}: ${messageOf(replicaFailure, 'pods cannot be created')}`;
  return undefined;
}

function messageOf(condition: Record<string, unknown>, fallback: string): string {
  return typeof condition.message === 'string' && condition.message !== '' ? condition.message : fallback;
}
