import type { KubeObject } from '../config/normalize';

export interface ListedObjects {
  objects: KubeObject[];
  /** Kinds the credentials may not list (HTTP 403): reported, not fatal, so a least-privilege install still compares the rest. */
  forbidden: string[];
}

/** Lists live objects of one namespace: one LIST per kind, never a GET per object. */
export interface ObjectSource {
  /** For messages: "staging cluster (https://127.0.0.1:6443)". */
  readonly description: string;
  list(namespace: string, kinds: string[]): Promise<ListedObjects>;
  /** Requests sent to the API server so far, pages and discovery included. */
  requests(): number;
}

export class ClusterUnreachableError extends Error {
  override name = 'ClusterUnreachableError';
}

/** Where each kind the parity check reads lives in the API. */
export const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Pod: 'v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
};
