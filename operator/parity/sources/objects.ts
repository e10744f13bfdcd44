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

/**
 * Production that lists nothing of the compared kinds (an empty namespace, a
 * selector that matches nothing) has nothing to compare with: a comparison
 * would find only "exists only in staging" and could call that parity. This
 * source fails the listing instead, so the category is Stalled and InParity
 * stays Unknown.
 */
export class RequireObjects implements ObjectSource {
  constructor(
    private readonly inner: ObjectSource,
    private readonly isIncidental: (object: KubeObject) => boolean,
  ) {}

  get description(): string {
    return this.inner.description;
  }

  async list(namespace: string, kinds: string[]): Promise<ListedObjects> {
    const listed = await this.inner.list(namespace, kinds);
    if (!listed.objects.some((o) => !this.isIncidental(o))) {
      throw new Error(
        `the ${this.description} has none of the compared kinds in namespace ${namespace}; nothing to compare with`,
      );
    }
    return listed;
  }

  requests(): number {
    return this.inner.requests();
  }
}
