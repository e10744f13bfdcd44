import type { CopySpec } from './copy-spec';
import type { KubeObject } from './objects';

// Guards around an environment, from its Baseline: a NetworkPolicy admitting
// traffic only from its own pods (and named namespaces such as the ingress
// controller's) and letting it reach only DNS, itself, the destinations the
// admin listed and the pods behind its shared services (those pods on those
// ports, never the rest of production's namespace: a tenant chooses which
// services are shared, the admin did not list production as a destination);
// a ResourceQuota and LimitRange so one preview cannot starve the others.

export const ISOLATION_POLICY_NAME = 'understudy-isolation';
export const QUOTA_NAME = 'understudy-quota';
export const LIMIT_RANGE_NAME = 'understudy-limits';

type Isolation = CopySpec['isolation'];

/** The pods behind one shared Service in production, and the ports its clients reach them on. */
export interface SharedDestination {
  namespace: string;
  /** The Service's selector. */
  podSelector: Readonly<Record<string, string>>;
  /** Target ports (numbers or the pods' port names), with their protocols. */
  ports: ReadonlyArray<{ protocol: string; port: number | string }>;
}

/** `shared`: the pods of the environment's shared services, so its pods may still reach them (and nothing else of production). */
export function isolationObjects(
  isolation: Partial<Isolation> | undefined,
  shared: readonly SharedDestination[] = [],
): KubeObject[] {
  if (!isolation) return [];
  return [networkPolicy(isolation, shared), resourceQuota(isolation), limitRange(isolation)].filter(
    (o): o is KubeObject => o !== undefined,
  );
}

const byName = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });

function networkPolicy(isolation: Partial<Isolation>, shared: readonly SharedDestination[]): KubeObject | undefined {
  if (!isolation.networkPolicy) return undefined;
  const dns = {
    to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
    ports: [
      { protocol: 'UDP', port: 53 },
      { protocol: 'TCP', port: 53 },
    ],
  };
  const listed = (isolation.egress ?? []).map((rule) => ({
    to: [rule.cidr !== undefined ? { ipBlock: { cidr: rule.cidr } } : byName(rule.namespace ?? '')],
    ...(rule.ports?.length ? { ports: rule.ports.map((port) => ({ protocol: 'TCP', port })) } : {}),
  }));
  const toShared = shared.map((destination) => ({
    to: [{ ...byName(destination.namespace), podSelector: { matchLabels: { ...destination.podSelector } } }],
    ...(destination.ports.length > 0 ? { ports: destination.ports.map((p) => ({ ...p })) } : {}),
  }));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: ISOLATION_POLICY_NAME },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }, ...(isolation.allowIngressFromNamespaces ?? []).map(byName)] }],
      egress: [{ to: [{ podSelector: {} }] }, dns, ...listed, ...toShared],
    },
  };
}

function resourceQuota(isolation: Partial<Isolation>): KubeObject | undefined {
  const quota = isolation.resourceQuota;
  if (!quota) return undefined;
  const hard: Record<string, string> = {};
  const set = (key: string, value: string | number | undefined): void => {
    if (value !== undefined) hard[key] = String(value);
  };
  set('requests.cpu', quota.cpu);
  set('requests.memory', quota.memory);
  set('limits.cpu', quota.limitsCpu);
  set('limits.memory', quota.limitsMemory);
  set('pods', quota.pods);
  set('services', quota.services);
  set('persistentvolumeclaims', quota.persistentVolumeClaims);
  set('requests.storage', quota.storage);
  if (Object.keys(hard).length === 0) return undefined;
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: QUOTA_NAME }, spec: { hard } };
}

function limitRange(isolation: Partial<Isolation>): KubeObject | undefined {
  const range = isolation.limitRange;
  if (!range) return undefined;
  const item: Record<string, unknown> = { type: 'Container' };
  const fields: Array<[keyof typeof range, string]> = [
    ['defaultRequest', 'defaultRequest'],
    ['defaultLimit', 'default'],
    ['min', 'min'],
    ['max', 'max'],
  ];
  for (const [from, to] of fields) {
    const list = range[from];
    const values = Object.fromEntries(Object.entries(list ?? {}).filter(([, v]) => v !== undefined));
    if (Object.keys(values).length > 0) item[to] = values;
  }
  if (Object.keys(item).length === 1) return undefined;
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: LIMIT_RANGE_NAME }, spec: { limits: [item] } };
}
