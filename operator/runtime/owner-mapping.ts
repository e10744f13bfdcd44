import type { KubernetesObject } from './client-node';
import { groupOf } from './gvk';
import { namespacedKey } from './object-key';
import type { Caches, Request } from './reconciler';

/**
 * Turns an event on a watched object into the primary objects to reconcile
 * (controller-runtime's EnqueueRequestsFromMapFunc). Pure over the object and
 * the caches: look dependents up with an index (`caches.cache(Kinds.DataSeed)
 * .byIndex('spec.baselineRef.name', name)`) rather than a table filled by
 * reconciles, so the mapping holds from the first event after a restart.
 */
// A method type, so a map function typed for its own kind's objects, or one
// that declares `caches` required, fits (the controller always passes them;
// a test may call a cache-free mapper with the object alone).
export type MapFunction = { map(object: KubernetesObject, caches?: Caches): Request[] }['map'];

/**
 * The default for owned objects: the owner reference of the primary kind, in
 * the object's namespace, where owner references must point. Ownership across
 * namespaces (an environment's objects) is a controller's own map function.
 */
export function ownerMapper(primaryApiVersion: string, primaryKind: string): MapFunction {
  const primaryGroup = groupOf(primaryApiVersion);
  return (object) => {
    const namespace = object.metadata?.namespace ?? '';
    return (object.metadata?.ownerReferences ?? [])
      .filter((ref) => ref.kind === primaryKind && groupOf(ref.apiVersion) === primaryGroup)
      .map((ref) => ({ namespace, name: ref.name }));
  };
}

const NO_CACHES: Caches = {
  cache: () => {
    throw new Error('this map function was called without caches');
  },
};

/** Requests of both versions of an updated object, without duplicates (a label change moves ownership). */
export function mapUpdate(
  map: MapFunction,
  old: KubernetesObject,
  updated: KubernetesObject,
  caches: Caches = NO_CACHES,
): Request[] {
  const seen = new Map<string, Request>();
  for (const req of [...map(old, caches), ...map(updated, caches)])
    seen.set(namespacedKey(req.namespace, req.name), req);
  return [...seen.values()];
}
