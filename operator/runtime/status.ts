import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from './client-node';
import { type JsonPatchOp, type KubeClient, refOf } from './kube-client';

type WithStatus<S> = KubernetesObject & { status?: S };

/** Compares as the server would store them: undefined members are dropped by JSON. */
export function statusEqual(a: unknown, b: unknown): boolean {
  const normal = (v: unknown): unknown => (v === undefined ? {} : JSON.parse(JSON.stringify(v)));
  return isDeepStrictEqual(normal(a), normal(b));
}

/**
 * The patch that replaces the whole status of `obj`, guarded by the
 * resourceVersion it was read at. Putting that resourceVersion in the patched
 * object makes it a precondition: the API server refuses the write with 409
 * Conflict when the object changed since (another writer's status, a spec
 * edit), as it does an Update with a stale resourceVersion. The caller then
 * reads again (a requeue), never writes over what it did not see.
 */
export function statusPatch(obj: KubernetesObject, status: unknown): JsonPatchOp[] {
  const resourceVersion = obj.metadata?.resourceVersion;
  if (!resourceVersion) {
    throw new Error(
      `${obj.kind ?? 'object'} ${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}: its status is written only from an object read from the API server (metadata.resourceVersion is missing)`,
    );
  }
  return [
    { op: 'replace', path: '/metadata/resourceVersion', value: resourceVersion },
    // `add` on /status replaces it whole, so fields the new status drops are removed too.
    { op: 'add', path: '/status', value: status },
  ];
}

/**
 * Writes the whole status through the status subresource, or nothing when it
 * is unchanged, so a no-op reconcile issues no write. Optimistic: a write
 * from a stale object fails with 409 Conflict (see statusPatch), which the
 * controller turns into a requeue.
 */
export async function writeStatus<S, T extends WithStatus<S>>(
  client: Pick<KubeClient, 'jsonPatch'>,
  obj: T,
  status: S,
): Promise<{ object: T; written: boolean }> {
  if (statusEqual(obj.status, status)) return { object: obj, written: false };
  const object = await client.jsonPatch<T>(refOf(obj), statusPatch(obj, status), { subresource: 'status' });
  return { object, written: true };
}
