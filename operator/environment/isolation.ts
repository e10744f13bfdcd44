import type { StagingEnvironmentSpec } from '../api/stagingenvironment';
import type { KubeObject } from './objects';

// Guards around an environment: a NetworkPolicy admitting traffic only from
// its own pods (and named namespaces such as the ingress controller's), and
// a ResourceQuota and LimitRange so one preview cannot starve the others.

export const ISOLATION_POLICY_NAME = 'understudy-isolation';
export const QUOTA_NAME = 'understudy-quota';
export const LIMIT_RANGE_NAME = 'understudy-limits';

type Isolation = NonNullable<StagingEnvironmentSpec['isolation']>;

export function isolationObjects(isolation: Isolation | undefined): KubeObject[] {
  if (!isolation) return [];
  return [networkPolicy(isolation), resourceQuota(isolation), limitRange(isolation)].filter((o): o is KubeObject => o !== undefined);
}

function networkPolicy(isolation: Isolation): KubeObject | undefined {
  if (!isolation.networkPolicy) return undefined;
  const namespaces = (isolation.allowIngressFromNamespaces ?? []).map((name) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } }));
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: ISOLATION_POLICY_NAME },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: {} }, ...namespaces] }] },
  };
}

function resourceQuota(isolation: Isolation): KubeObject | undefined {
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

function limitRange(isolation: Isolation): KubeObject | undefined {
  const range = isolation.limitRange;
  if (!range) return undefined;
  const item: Record<string, unknown> = { type: 'Container' };
  const fields: Array<[keyof typeof range, string]> = [['defaultRequest', 'defaultRequest'], ['defaultLimit', 'default'], ['min', 'min'], ['max', 'max']];
  for (const [from, to] of fields) {
    const list = range[from];
    const values = Object.fromEntries(Object.entries(list ?? {}).filter(([, v]) => v !== undefined));
    if (Object.keys(values).length > 0) item[to] = values;
  }
  if (Object.keys(item).length === 1) return undefined;
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: LIMIT_RANGE_NAME }, spec: { limits: [item] } };
}
