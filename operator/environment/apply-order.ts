// The one statement of the order an environment's objects are applied in.
// The plan sorts by it; the controller applies in two waves cut from it.

/** What others need comes first: a pod naming a missing ServiceAccount is refused, a quota must be there to count pods. Unknown kinds rank with Ingress. */
export const APPLY_ORDER: readonly string[] = [
  'Namespace',
  'ResourceQuota',
  'LimitRange',
  'NetworkPolicy',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ConfigMap',
  'PersistentVolumeClaim',
  'Service',
  'StatefulSet',
  'Deployment',
  'DaemonSet',
  'CronJob',
  'Job',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'Ingress',
  'DataSeed',
  'ParityCheck',
  'LoadTest',
];

/**
 * The first wave, applied together before everything else: the kinds before
 * Service, less the Namespace (created on its own, before any wave) and
 * RoleBinding, which waits for its Role (the API server checks a binding
 * against the rules of the role it names).
 */
export const FIRST_WAVE_KINDS: ReadonlySet<string> = new Set(
  APPLY_ORDER.slice(0, APPLY_ORDER.indexOf('Service')).filter((kind) => kind !== 'Namespace' && kind !== 'RoleBinding'),
);

/** An object's rank in APPLY_ORDER. */
export function applyRank(kind: string): number {
  const index = APPLY_ORDER.indexOf(kind);
  return index === -1 ? APPLY_ORDER.indexOf('Ingress') : index;
}
