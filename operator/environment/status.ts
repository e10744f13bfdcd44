import { MAX_STATUS_SERVICES, MAX_STATUS_URLS } from '../api/stagingenvironment';
import { isRecord, type KubeObject } from './objects';
import type { ServiceSummary } from './plan';

// What status says about the environment's services, from the planned
// summary and the live workloads. A workload counts as ready the way kstatus
// judges it: the controller has seen the latest generation, every desired
// replica runs the latest template and is available.

export interface ServiceStatus {
  name: string;
  kind: string;
  mode: ServiceSummary['mode'];
  image?: string;
  replicas?: number;
  readyReplicas?: number;
  ready: boolean;
}

export function serviceStatus(summary: ServiceSummary, live: KubeObject | undefined): ServiceStatus {
  const base = {
    name: summary.name,
    kind: summary.kind,
    mode: summary.mode,
    ...(summary.image ? { image: summary.image } : {}),
  };
  if (summary.mode === 'shared') return { ...base, ready: true };
  if (!live)
    return {
      ...base,
      ...(summary.replicas !== undefined ? { replicas: summary.replicas } : {}),
      readyReplicas: 0,
      ready: false,
    };
  const spec = isRecord(live.spec) ? live.spec : {};
  const status = isRecord(live.status) ? live.status : {};
  const count = (value: unknown): number => (typeof value === 'number' ? value : 0);
  const generation = typeof live.metadata.generation === 'number' ? live.metadata.generation : 0;
  const observed = count(status.observedGeneration) >= generation;
  if (live.kind === 'DaemonSet') {
    const desired = count(status.desiredNumberScheduled);
    const ready =
      observed &&
      count(status.numberReady) >= desired &&
      count(status.updatedNumberScheduled) >= desired &&
      count(status.numberAvailable) >= desired;
    return { ...base, replicas: desired, readyReplicas: count(status.numberReady), ready };
  }
  const desired = typeof spec.replicas === 'number' ? spec.replicas : 1;
  const readyReplicas = count(status.readyReplicas);
  const available =
    live.kind === 'StatefulSet'
      ? count(status.availableReplicas ?? status.readyReplicas)
      : count(status.availableReplicas);
  const rolledOut =
    live.kind === 'StatefulSet'
      ? status.updateRevision === undefined || status.currentRevision === status.updateRevision || desired === 0
      : count(status.replicas) <= count(status.updatedReplicas);
  const ready =
    observed &&
    count(status.updatedReplicas) >= desired &&
    readyReplicas >= desired &&
    available >= desired &&
    rolledOut;
  return { ...base, replicas: desired, readyReplicas, ready };
}

/** `ready/total`, as the Services printer column shows it. */
export function readyServicesText(statuses: readonly ServiceStatus[]): string {
  return `${statuses.filter((s) => s.ready).length}/${statuses.length}`;
}

/** Status lists stay small: at most 100 services (not ready ones first) and 20 URLs. */
export function boundedStatusLists(
  statuses: readonly ServiceStatus[],
  urls: readonly string[],
): { services: ServiceStatus[]; urls: string[] } {
  const ordered = [...statuses].sort((a, b) => Number(a.ready) - Number(b.ready) || a.name.localeCompare(b.name));
  return { services: ordered.slice(0, MAX_STATUS_SERVICES), urls: urls.slice(0, MAX_STATUS_URLS) };
}
