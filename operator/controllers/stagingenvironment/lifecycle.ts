import type { StagingEnvironmentStatus } from '../../api/stagingenvironment';
import { managedSelector, type EnvironmentRef } from '../../environment/labels';
import { environmentOfNamespace, OWNER_UID_ANNOTATION } from '../../environment/namespace';
import type { KubeObject } from '../../environment/objects';
import type { KubernetesObject } from '../../runtime/client-node';
import { hasFinalizer, removeFinalizer } from '../../runtime/finalizers';
import { isNotFound } from '../../runtime/kube-errors';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler';
import { NAMESPACE_REF, STAGING_ENVIRONMENT_REF, cacheOf } from './watches';

// An environment's end. Deletion (by hand or at expiry) goes through a
// finalizer: the target namespace is deleted and the finalizer stays until
// the namespace is really gone (the namespace controller empties it first),
// so nothing outlives its environment. Namespaces whose environment vanished
// without that (a finalizer removed by hand, an environment deleted while
// the operator was down and its finalizer stripped) are swept: when the
// operator starts (every managed namespace's owner is reconciled then),
// whenever an environment disappears, and every few minutes over all
// managed namespaces.

export const FINALIZER = 'understudy.dev/environment-cleanup';
const NAMESPACE_POLL_MS = 2_000;

export interface EnvironmentObject extends KubernetesObject {
  metadata: KubernetesObject['metadata'] & { name: string; namespace: string };
  spec?: unknown;
  status?: StagingEnvironmentStatus;
}

export function refOf(env: EnvironmentObject): EnvironmentRef {
  return { name: env.metadata.name, namespace: env.metadata.namespace, ...(env.metadata.uid ? { uid: env.metadata.uid } : {}) };
}

/** Managed namespaces made for this environment (or for one of its name before it, when `sameUidOnly` is false). */
export function namespacesOf(environment: EnvironmentRef, ctx: ReconcileContext, sameUidOnly = true): KubeObject[] {
  return cacheOf(ctx, NAMESPACE_REF).list().filter((ns) => {
    const owner = environmentOfNamespace(ns);
    if (!owner || owner.name !== environment.name || owner.namespace !== environment.namespace) return false;
    return !sameUidOnly || owner.uid === undefined || environment.uid === undefined || owner.uid === environment.uid;
  });
}

export async function deleteNamespace(namespace: KubeObject, ctx: ReconcileContext): Promise<void> {
  if (namespace.metadata.deletionTimestamp) return;
  const uid = namespace.metadata.uid;
  // The uid precondition: never delete a namespace of the same name made since the cache was read.
  await ctx.client.delete({ ...NAMESPACE_REF, name: namespace.metadata.name }, { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) });
}

/**
 * Deletes the environment's namespaces, then removes the finalizer once they
 * are gone; `report` writes the Terminating status while waiting.
 */
export async function finalize(env: EnvironmentObject, ctx: ReconcileContext, report: (message: string) => Promise<void>): Promise<Result> {
  if (!hasFinalizer(env, FINALIZER)) return {};
  const environment = refOf(env);
  const remaining = namespacesOf(environment, ctx);
  for (const namespace of remaining) await deleteNamespace(namespace, ctx);
  if (remaining.length > 0) {
    await report(`deleting namespace ${remaining.map((n) => n.metadata.name).join(', ')}; waiting until it is gone`);
    return { requeueAfterMs: NAMESPACE_POLL_MS };
  }
  // The cache may not show a namespace created moments ago; ask the server before letting go.
  const live = await ctx.client.list<KubernetesObject>(NAMESPACE_REF.apiVersion, NAMESPACE_REF.kind, { labelSelector: managedSelector(environment) });
  const stillThere = live.items.filter((ns) => ns.metadata?.annotations?.[OWNER_UID_ANNOTATION] === undefined || ns.metadata.annotations[OWNER_UID_ANNOTATION] === environment.uid);
  if (stillThere.length > 0) {
    for (const namespace of stillThere) await deleteNamespace(namespace as KubeObject, ctx);
    return { requeueAfterMs: NAMESPACE_POLL_MS };
  }
  try {
    await removeFinalizer(ctx.client, env, FINALIZER);
  } catch (error) {
    // Gone already: an earlier reconcile removed the finalizer and the cache had not caught up.
    if (isNotFound(error)) return {};
    throw error;
  }
  ctx.log.info('namespace gone; finalizer removed');
  return {};
}

/**
 * The sweep over every managed namespace, at most once per interval, run
 * from whichever reconcile comes first: an owner the cache does not know is
 * looked up on the server before anything is deleted.
 */
export class PeriodicSweep {
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly watchedNamespaces: readonly string[] | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  async maybeRun(ctx: ReconcileContext): Promise<void> {
    if (this.clock() - this.last < this.intervalMs) return;
    this.last = this.clock();
    const owners = new Map<string, Request>();
    for (const namespace of cacheOf(ctx, NAMESPACE_REF).list()) {
      const owner = environmentOfNamespace(namespace);
      if (!owner || namespace.metadata.deletionTimestamp || ctx.primary.get(owner.namespace, owner.name)) continue;
      owners.set(`${owner.namespace}/${owner.name}`, { namespace: owner.namespace, name: owner.name });
    }
    for (const owner of owners.values()) await sweepOrphans(owner, ctx, this.watchedNamespaces);
  }
}

/**
 * The environment is gone: delete the namespaces still made for it. Only
 * environments of the namespaces this operator watches, so two operators
 * with disjoint namespaces never sweep each other's.
 */
export async function sweepOrphans(req: Request, ctx: ReconcileContext, watchedNamespaces: readonly string[] | undefined): Promise<Result> {
  if (watchedNamespaces && !watchedNamespaces.includes(req.namespace)) return {};
  const orphans = namespacesOf({ name: req.name, namespace: req.namespace }, ctx, false).filter((ns) => !ns.metadata.deletionTimestamp);
  if (orphans.length === 0) return {};
  const env = await ctx.client.get<EnvironmentObject>({ ...STAGING_ENVIRONMENT_REF, namespace: req.namespace, name: req.name });
  for (const namespace of orphans) {
    const ownerUid = namespace.metadata.annotations?.[OWNER_UID_ANNOTATION];
    // The cache lags: an environment that exists with this uid owns the namespace.
    if (env && (ownerUid === undefined || ownerUid === env.metadata.uid)) continue;
    await deleteNamespace(namespace, ctx);
    ctx.log.info({ namespace: namespace.metadata.name }, 'deleted a namespace whose StagingEnvironment no longer exists');
  }
  return {};
}
