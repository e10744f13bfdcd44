import type { KubeConfig } from '../../runtime/client-node';
import { KubeClient } from '../../runtime/kube-client';
import { KubeApiError } from '../../runtime/kube-errors';
import type { KubeObject } from '../config/normalize';
import { API_VERSIONS, ClusterUnreachableError, type ListedObjects, type ObjectSource } from './objects';

/** What this source needs of a Kubernetes client; the runtime's KubeClient has it. */
export interface ListingClient {
  list(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string },
  ): Promise<{ items: object[] }>;
  requestCounts(): Record<string, number>;
}

function explain(err: unknown, kind: string, namespace: string, where: string): Error {
  if (err instanceof KubeApiError) {
    if (err.statusCode === 0) return new ClusterUnreachableError(`cannot reach the ${where}: ${err.message}`);
    if (err.statusCode === 401)
      return new ClusterUnreachableError(`the ${where} rejected the credentials: ${err.message}`);
  }
  return new ClusterUnreachableError(
    `listing ${kind} in namespace ${namespace} on the ${where} failed: ${(err as Error).message ?? String(err)}`,
  );
}

/**
 * Lists objects through a Kubernetes client, one LIST per kind, in parallel;
 * with a label selector (a Baseline's source.selector), only the objects it
 * selects are ever read.
 */
export class KubeObjectSource implements ObjectSource {
  private discovery = 0;

  constructor(
    private readonly client: ListingClient,
    readonly description: string,
    private readonly labelSelector?: string,
  ) {}

  static fromKubeConfig(kubeConfig: KubeConfig, side: string, labelSelector?: string): KubeObjectSource {
    const client = new KubeClient(kubeConfig, { requestTimeoutMs: 15_000 });
    const server = kubeConfig.getCurrentCluster()?.server ?? 'unknown server';
    return new KubeObjectSource(client, `${side} cluster (${server})`, labelSelector);
  }

  async list(namespace: string, kinds: string[]): Promise<ListedObjects> {
    const forbidden: string[] = [];
    const lists = await Promise.all(
      kinds.map(async (kind) => {
        const apiVersion = API_VERSIONS[kind];
        if (!apiVersion) throw new Error(`the parity check cannot read kind ${kind}`);
        try {
          const { items } = await this.client.list(apiVersion, kind, {
            namespace,
            ...(this.labelSelector ? { labelSelector: this.labelSelector } : {}),
          });
          return items.map((item) => ({ ...(item as KubeObject), apiVersion, kind }));
        } catch (err) {
          if (err instanceof KubeApiError && err.statusCode === 403) {
            forbidden.push(kind);
            return [];
          }
          throw explain(err, kind, namespace, this.description);
        }
      }),
    );
    // One discovery request per group version the first time, cached by the client afterwards.
    this.discovery = new Set(kinds.map((k) => API_VERSIONS[k])).size;
    return { objects: lists.flat(), forbidden: forbidden.sort() };
  }

  requests(): number {
    const counts = this.client.requestCounts();
    return Object.values(counts).reduce((a, b) => a + b, 0) + this.discovery;
  }
}
