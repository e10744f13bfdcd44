import { KubeApiError } from './kube-errors';
import type { ObjectRef } from './object-ref';

export interface ResourceInfo {
  /** `/api/v1` or `/apis/<group>/<version>`. */
  basePath: string;
  plural: string;
  namespaced: boolean;
}

interface DiscoveredResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Where a kind lives in the REST API, learnt from discovery and cached per group version. */
export class ResourcePaths {
  private readonly byGroupVersion = new Map<string, Promise<DiscoveredResource[]>>();

  constructor(private readonly fetchJson: (path: string) => Promise<{ resources?: DiscoveredResource[] }>) {}

  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const basePath = basePathOf(apiVersion);
    let found = (await this.discover(basePath, false)).find((r) => r.kind === kind && !r.name.includes('/'));
    // A CRD installed after the first lookup is only visible to a fresh discovery.
    if (!found) found = (await this.discover(basePath, true)).find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) throw new KubeApiError(`the server has no kind ${kind} in ${apiVersion}`, 404, 'NotFound');
    return { basePath, plural: found.name, namespaced: found.namespaced };
  }

  async objectPath(ref: ObjectRef, subresource?: string): Promise<string> {
    if (!ref.name) throw new Error(`${ref.kind} reference has no name`);
    const info = await this.resolve(ref.apiVersion, ref.kind);
    const collection = collectionOf(info, ref.kind, ref.namespace, true);
    return `${collection}/${encodeURIComponent(ref.name)}${subresource ? `/${subresource}` : ''}`;
  }

  /** The collection in one namespace, or across all namespaces when none is given. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    return collectionOf(await this.resolve(apiVersion, kind), kind, namespace, false);
  }

  private discover(basePath: string, refresh: boolean): Promise<DiscoveredResource[]> {
    const cached = this.byGroupVersion.get(basePath);
    if (cached && !refresh) return cached;
    const pending = this.fetchJson(basePath).then((list) => list.resources ?? []);
    this.byGroupVersion.set(basePath, pending);
    // A failed discovery must not be cached, or one blip would break the kind for good.
    pending.catch(() => {
      if (this.byGroupVersion.get(basePath) === pending) this.byGroupVersion.delete(basePath);
    });
    return pending;
  }
}

export function basePathOf(apiVersion: string): string {
  if (!apiVersion) throw new Error('apiVersion is empty');
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

function collectionOf(
  info: ResourceInfo,
  kind: string,
  namespace: string | undefined,
  needsNamespace: boolean,
): string {
  if (!info.namespaced) return `${info.basePath}/${info.plural}`;
  if (!namespace) {
    if (needsNamespace) throw new Error(`${kind} is namespaced: metadata.namespace is required`);
    return `${info.basePath}/${info.plural}`;
  }
  return `${info.basePath}/namespaces/${encodeURIComponent(namespace)}/${info.plural}`;
}
