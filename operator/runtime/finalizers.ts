import type { KubernetesObject } from './client-node';
import { type JsonPatchOp, type KubeClient, refOf } from './kube-client';

export function hasFinalizer(obj: KubernetesObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/**
 * The JSON patch that adds a finalizer without clobbering one another client
 * added meanwhile: a `test` op pins the list (or, when there is none yet, the
 * resourceVersion), so a concurrent change fails the patch instead of being lost.
 */
export function addFinalizerPatch(obj: KubernetesObject, finalizer: string): JsonPatchOp[] | undefined {
  if (hasFinalizer(obj, finalizer)) return undefined;
  const current = obj.metadata?.finalizers;
  if (current && current.length > 0) {
    return [
      { op: 'test', path: '/metadata/finalizers', value: current },
      { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
    ];
  }
  const resourceVersion = obj.metadata?.resourceVersion;
  if (!resourceVersion)
    throw new Error('object has no metadata.resourceVersion: read it from the server before adding a finalizer');
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
  ];
}

/** Removes exactly one entry, testing that the index still holds our finalizer (never a whole-object apply). */
export function removeFinalizerPatch(obj: KubernetesObject, finalizer: string): JsonPatchOp[] | undefined {
  const index = obj.metadata?.finalizers?.indexOf(finalizer) ?? -1;
  if (index < 0) return undefined;
  return [
    { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
    { op: 'remove', path: `/metadata/finalizers/${index}` },
  ];
}

/** Adds the finalizer; no request when it is already there. A concurrent change surfaces as HTTP 422, to retry. */
export async function addFinalizer<T extends KubernetesObject>(
  client: KubeClient,
  obj: T,
  finalizer: string,
): Promise<T> {
  const patch = addFinalizerPatch(obj, finalizer);
  return patch ? client.jsonPatch<T>(refOf(obj), patch) : obj;
}

/** Removes the finalizer; no request when it is not there. */
export async function removeFinalizer<T extends KubernetesObject>(
  client: KubeClient,
  obj: T,
  finalizer: string,
): Promise<T> {
  const patch = removeFinalizerPatch(obj, finalizer);
  return patch ? client.jsonPatch<T>(refOf(obj), patch) : obj;
}
