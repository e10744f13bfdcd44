import type { Container, PodSpec, PodTemplate } from './k8s-types';
import { groupOf, isRecord, type KubeObject } from './objects';

// Workloads are the objects that run pods. A "service" of an environment is
// built around one of them (see services.ts).

export const WORKLOAD_KINDS: ReadonlyArray<{ kind: string; group: string }> = [
  { kind: 'Deployment', group: 'apps' },
  { kind: 'StatefulSet', group: 'apps' },
  { kind: 'DaemonSet', group: 'apps' },
  { kind: 'CronJob', group: 'batch' },
];

/** Workloads that keep pods running, as opposed to CronJobs that run now and then. */
export const LONG_RUNNING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

export function isWorkload(object: KubeObject): boolean {
  const group = groupOf(object.apiVersion);
  return WORKLOAD_KINDS.some((w) => w.kind === object.kind && w.group === group);
}

/** The pod template of a workload (or Job), or undefined for anything else. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  const spec = object.spec;
  if (!isRecord(spec)) return undefined;
  if (object.kind === 'CronJob') {
    const jobTemplate = spec.jobTemplate;
    const jobSpec = isRecord(jobTemplate) ? jobTemplate.spec : undefined;
    return isRecord(jobSpec) && isRecord(jobSpec.template) ? jobSpec.template : undefined;
  }
  if (isWorkload(object) || object.kind === 'Job' || object.kind === 'ReplicaSet') {
    return isRecord(spec.template) ? spec.template : undefined;
  }
  return undefined;
}

export function podSpecOf(object: KubeObject): PodSpec | undefined {
  const spec = podTemplateOf(object)?.spec;
  return isRecord(spec) ? spec : undefined;
}

/** Every container of a pod: init, regular and ephemeral. */
export function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}
