import { groupOf, type KubeObject } from './objects';

// What a copy reads from the baseline. Secrets are read only when the
// secrets policy needs them, whatever spec.kinds says.

export interface CopiedKind {
  group: string;
  version: string;
  kind: string;
  /** Resource name for list calls; undefined for kinds the controller must discover. */
  plural?: string;
}

export const DEFAULT_KINDS: readonly CopiedKind[] = [
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments' },
  { group: 'apps', version: 'v1', kind: 'StatefulSet', plural: 'statefulsets' },
  { group: '', version: 'v1', kind: 'Service', plural: 'services' },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps' },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses' },
  { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers' },
  { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets' },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', plural: 'roles' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'RoleBinding', plural: 'rolebindings' },
  { group: 'batch', version: 'v1', kind: 'CronJob', plural: 'cronjobs' },
  { group: '', version: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims' },
  { group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies' },
];

export const SECRET_KIND: CopiedKind = { group: '', version: 'v1', kind: 'Secret', plural: 'secrets' };

/** Kinds a spec.kinds entry may name beyond the defaults, with their resource names. */
const KNOWN_KINDS: readonly CopiedKind[] = [
  ...DEFAULT_KINDS,
  { group: 'apps', version: 'v1', kind: 'DaemonSet', plural: 'daemonsets' },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs' },
];

/**
 * Resolves spec.kinds (`Kind` or `Kind.group`) to the kinds to read. A bare
 * Kind names a known kind; `Kind.group` names any kind, whose version and
 * resource name the controller finds by discovery.
 */
export function copiedKinds(names: readonly string[] | undefined, secretPolicy: string): CopiedKind[] {
  const kinds = names === undefined ? [...DEFAULT_KINDS] : names.filter((n) => n !== 'Secret').map(resolveKind);
  if (secretPolicy !== 'Omit') kinds.push(SECRET_KIND);
  return kinds;
}

function resolveKind(name: string): CopiedKind {
  const dot = name.indexOf('.');
  const kind = dot === -1 ? name : name.slice(0, dot);
  const group = dot === -1 ? undefined : name.slice(dot + 1);
  const known = KNOWN_KINDS.find((k) => k.kind === kind && (group === undefined || k.group === group));
  return known ?? { group: group ?? '', version: '', kind };
}

export function isCopiedKind(object: Pick<KubeObject, 'apiVersion' | 'kind'>, kinds: readonly CopiedKind[]): boolean {
  const group = groupOf(object.apiVersion);
  return kinds.some((k) => k.kind === object.kind && k.group === group);
}
