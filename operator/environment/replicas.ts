import { ceil, floor, multiply, rational, type Rational } from '../api/values/rational';
import { clone, isRecord, type KubeObject } from './objects';

// Replica counts follow spec.scale.replicas, rounded up and never below one
// (a baseline that runs zero stays at zero). `suspend` is the only way to zero.

export function scaleCount(count: number, ratio: Rational): number {
  if (!Number.isInteger(count) || count <= 0) return count;
  return Math.max(1, Number(ceil(multiply(rational(BigInt(count)), ratio))));
}

export interface WorkloadScaling {
  ratio: Rational;
  suspend: boolean;
  /** An HPA of the copy owns the replica count; the copy must not fight it. */
  autoscaled: boolean;
}

const SUSPENDED_NODE_SELECTOR = { 'understudy.dev/suspended': 'true' };

export function scaleWorkload(object: KubeObject, scaling: WorkloadScaling): KubeObject {
  const copy = clone(object);
  if (!isRecord(copy.spec)) return copy;
  const spec = copy.spec;
  if (copy.kind === 'Deployment' || copy.kind === 'StatefulSet' || copy.kind === 'ReplicaSet') {
    if (scaling.suspend) spec.replicas = 0;
    else if (scaling.autoscaled) delete spec.replicas;
    else spec.replicas = scaleCount(typeof spec.replicas === 'number' ? spec.replicas : 1, scaling.ratio);
  } else if (copy.kind === 'CronJob') {
    if (scaling.suspend) spec.suspend = true;
  } else if (copy.kind === 'DaemonSet' && scaling.suspend) {
    // A DaemonSet has no replica count: a node selector no node carries empties it.
    const template = isRecord(spec.template) ? spec.template : (spec.template = {});
    const podSpec = isRecord(template.spec) ? template.spec : (template.spec = {});
    podSpec.nodeSelector = {
      ...(isRecord(podSpec.nodeSelector) ? podSpec.nodeSelector : {}),
      ...SUSPENDED_NODE_SELECTOR,
    };
  }
  return copy;
}

export function scaleAutoscaler(hpa: KubeObject, ratio: Rational): KubeObject {
  const copy = clone(hpa);
  if (!isRecord(copy.spec)) return copy;
  const min = scaleCount(typeof copy.spec.minReplicas === 'number' ? copy.spec.minReplicas : 1, ratio);
  const max = typeof copy.spec.maxReplicas === 'number' ? scaleCount(copy.spec.maxReplicas, ratio) : min;
  copy.spec.minReplicas = min;
  copy.spec.maxReplicas = Math.max(min, max);
  return copy;
}

/**
 * PDB integers follow the ratio: minAvailable rounds down (a PDB never asks
 * for more pods than the smaller copy runs, so drains stay possible) and
 * maxUnavailable rounds up (never below one when the baseline allows one).
 * Percentages are already relative and stay as they are.
 */
export function scaleDisruptionBudget(pdb: KubeObject, ratio: Rational): KubeObject {
  const copy = clone(pdb);
  if (!isRecord(copy.spec)) return copy;
  const { minAvailable, maxUnavailable } = copy.spec;
  if (typeof minAvailable === 'number' && minAvailable > 0)
    copy.spec.minAvailable = Number(floor(multiply(rational(BigInt(minAvailable)), ratio)));
  if (typeof maxUnavailable === 'number') copy.spec.maxUnavailable = scaleCount(maxUnavailable, ratio);
  return copy;
}

/** The workloads an HPA scales, as `Kind/name`. */
export function autoscaledTargets(objects: readonly KubeObject[]): Set<string> {
  const targets = new Set<string>();
  for (const object of objects) {
    if (object.kind !== 'HorizontalPodAutoscaler' || !isRecord(object.spec) || !isRecord(object.spec.scaleTargetRef))
      continue;
    const { kind, name } = object.spec.scaleTargetRef;
    if (typeof kind === 'string' && typeof name === 'string') targets.add(`${kind}/${name}`);
  }
  return targets;
}
