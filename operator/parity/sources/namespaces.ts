import type { KubernetesObject } from '../../runtime/client-node';
import { KubeApiError } from '../../runtime/kube-errors';

/** A client that can GET one object; the runtime's KubeClient can. */
export interface NamespaceGetter {
  get<T extends KubernetesObject>(ref: { apiVersion: string; kind: string; name: string }): Promise<T | undefined>;
}

/**
 * Whether a namespace exists: true, false, or undefined when the credentials
 * may not tell (HTTP 403). Listing a namespace that does not exist answers an
 * empty list, not an error, so without this a typo compares with nothing.
 */
export async function namespaceExists(client: NamespaceGetter, name: string): Promise<boolean | undefined> {
  try {
    return (await client.get({ apiVersion: 'v1', kind: 'Namespace', name })) !== undefined;
  } catch (err) {
    if (err instanceof KubeApiError && err.statusCode === 403) return undefined;
    throw err;
  }
}
