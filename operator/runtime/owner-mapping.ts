import type { KubernetesObject } from './client-node';
import type { Request } from './reconciler';

/** Turns an event on a watched object into the primary objects to reconcile. */
export type MapFunction = (object: KubernetesObject) => Request[];

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

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

/** Requests of both versions of an updated object, without duplicates (a label change moves ownership). */
export function mapUpdate(map: MapFunction, old: KubernetesObject, updated: KubernetesObject): Request[] {
  const seen = new Map<string, Request>();
  for (const req of [...map(old), ...map(updated)]) seen.set(`${req.namespace}/${req.name}`, req);
  return [...seen.values()];
}
