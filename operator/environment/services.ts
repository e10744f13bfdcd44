import type { LabelSelector, ServiceSpec } from './k8s-types';
import { isRecord, type KubeObject } from './objects';
import { matchesLabelSelector, matchesServiceSelector } from './selectors';
import { isWorkload, podTemplateOf } from './workloads';

/**
 * A service of an environment is one workload (Deployment, StatefulSet,
 * DaemonSet or CronJob) together with the objects that exist only for it:
 * the Services whose selector matches its pod labels, the HPAs whose
 * scaleTargetRef names it, the PDBs whose selector matches its pods, and
 * the PersistentVolumeClaims its pods mount. ConfigMaps, ServiceAccounts and
 * RBAC are shared between services and stay outside. spec.services[].name names the workload, or a Service selecting it.
 */
export interface ServiceUnit {
  name: string;
  workload: KubeObject;
  services: KubeObject[];
  autoscalers: KubeObject[];
  disruptionBudgets: KubeObject[];
  claims: KubeObject[];
}

export function resolveServiceUnits(objects: readonly KubeObject[]): ServiceUnit[] {
  const services = objects.filter((o) => o.kind === 'Service');
  const autoscalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
  const budgets = objects.filter((o) => o.kind === 'PodDisruptionBudget');
  const claims = objects.filter((o) => o.kind === 'PersistentVolumeClaim');
  return objects.filter(isWorkload).map((workload) => {
    const podLabels = podTemplateOf(workload)?.metadata?.labels;
    const longRunning = workload.kind !== 'CronJob';
    return {
      name: workload.metadata.name,
      workload,
      services: longRunning
        ? services.filter((s) => matchesServiceSelector(podLabels, (s.spec as ServiceSpec | undefined)?.selector))
        : [],
      autoscalers: autoscalers.filter((h) => targets(h, workload)),
      disruptionBudgets: longRunning ? budgets.filter((p) => selectsPods(p, podLabels)) : [],
      claims: claims.filter((c) => mountedClaims(workload).has(c.metadata.name)),
    };
  });
}

function mountedClaims(workload: KubeObject): Set<string> {
  const volumes = podTemplateOf(workload)?.spec?.volumes ?? [];
  return new Set(volumes.map((v) => v.persistentVolumeClaim?.claimName).filter((n): n is string => n !== undefined));
}

function targets(hpa: KubeObject, workload: KubeObject): boolean {
  const ref = isRecord(hpa.spec) && isRecord(hpa.spec.scaleTargetRef) ? hpa.spec.scaleTargetRef : undefined;
  return ref?.kind === workload.kind && ref.name === workload.metadata.name;
}

function selectsPods(pdb: KubeObject, podLabels: Record<string, string> | undefined): boolean {
  const selector = isRecord(pdb.spec) && isRecord(pdb.spec.selector) ? (pdb.spec.selector as LabelSelector) : undefined;
  // An absent PDB selector selects no pods; an empty one selects all.
  return selector !== undefined && matchesLabelSelector(podLabels, selector);
}

/** The unit a spec.services[].name refers to: by workload name first, then by Service name. */
export function findServiceUnit(units: readonly ServiceUnit[], name: string): ServiceUnit | undefined {
  const byWorkload = units.filter((u) => u.name === name);
  if (byWorkload.length > 0) return byWorkload.find((u) => u.workload.kind !== 'CronJob') ?? byWorkload[0];
  return units.find((u) => u.services.some((s) => s.metadata.name === name));
}
