import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from './client-node';
import { type JsonPatchOp, type KubeClient, refOf } from './kube-client';

type WithStatus<S> = KubernetesObject & { status?: S };

/** Compares as the server would store them: undefined members are dropped by JSON. */
export function statusEqual(a: unknown, b: unknown): boolean {
  const normal = (v: unknown): unknown => (v === undefined ? {} : JSON.parse(JSON.stringify(v)));
  return isDeepStrictEqual(normal(a), normal(b));
}

export interface StatusWriteOptions {
  /** Fail with 422 when the object changed since it was read (a `test` on resourceVersion). */
  guardResourceVersion?: boolean;
}

/**
 * Writes the whole status through the status subresource, or nothing when it
 * is unchanged, so a no-op reconcile issues no write.
 */
export async function writeStatus<S, T extends WithStatus<S>>(
  client: KubeClient,
  obj: T,
  status: S,
  options: StatusWriteOptions = {},
): Promise<{ object: T; written: boolean }> {
  if (statusEqual(obj.status, status)) return { object: obj, written: false };
  const ops: JsonPatchOp[] = [];
  if (options.guardResourceVersion) {
    const resourceVersion = obj.metadata?.resourceVersion;
    if (!resourceVersion) throw new Error('guardResourceVersion needs metadata.resourceVersion');
    ops.push({ op: 'test', path: '/metadata/resourceVersion', value: resourceVersion });
  }
  // `add` on /status replaces it whole, so fields the new status drops are removed too.
  ops.push({ op: 'add', path: '/status', value: status });
  const object = await client.jsonPatch<T>(refOf(obj), ops, { subresource: 'status' });
  return { object, written: true };
}
