import type { StagingEnvironmentStatus } from '../../api/stagingenvironment';
import type { ServiceSummary } from '../../environment/plan';
import { rolloutFailure } from '../../environment/rollout';
import { serviceStatus, type ServiceStatus } from '../../environment/status';
import type { LiveObjects } from './apply';
import type { Provision } from './decide';

// The environment's services as the live workloads show them, for the test
// Jobs (which start once every service is ready) and for status.

export interface Services {
  statuses: ServiceStatus[];
  /** Workloads whose controller gave up on them (environment/rollout.ts). */
  failures: string[];
}

/**
 * Readiness from the live workloads; one written by this reconcile is not
 * ready until the cache shows the new version. An environment whose baseline
 * moved on (stale) is judged by the services copied then, as status lists them.
 */
export function servicesOf(
  decision: Provision,
  previous: StagingEnvironmentStatus | undefined,
  live: LiveObjects,
  written: ReadonlySet<string>,
): Services {
  const summaries = decision.stale ? summariesOf(previous) : decision.planned.plan.services;
  const failures: string[] = [];
  const statuses = summaries.map((summary) => {
    if (summary.mode === 'shared') return serviceStatus(summary, undefined);
    const workload = live.get({ apiVersion: 'apps/v1', kind: summary.kind, metadata: { name: summary.name } });
    const status = serviceStatus(summary, workload);
    const justWritten = written.has(`${summary.kind}/${summary.name}`);
    const failure = justWritten || status.ready ? undefined : rolloutFailure(workload);
    if (failure) failures.push(failure);
    return justWritten ? { ...status, ready: false } : status;
  });
  return { statuses, failures };
}

/** What the status listed, for an environment whose baseline moved on: its services are the ones copied then. */
function summariesOf(status: StagingEnvironmentStatus | undefined): ServiceSummary[] {
  return (status?.services ?? []).map((s) => ({
    name: s.name,
    kind: s.kind,
    mode: s.mode ?? 'copy',
    ...(s.image ? { image: s.image } : {}),
    ...(s.replicas !== undefined ? { replicas: s.replicas } : {}),
  }));
}
