import type { KubernetesObject } from './client-node';

// The one place the `namespace/name` key is spelled: work queues, caches,
// indexes and event mappers all meet on it.

/** `namespace/name`, or `name` for cluster-scoped objects (an empty namespace). */
export function namespacedKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The key of an object; throws when it has no name (nothing can be cached or queued without one). */
export function objectKey(obj: KubernetesObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind ?? 'object'} has no metadata.name`);
  return namespacedKey(obj.metadata?.namespace, name);
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}
