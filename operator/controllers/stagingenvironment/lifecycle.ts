import { CONDITION_TYPES, type ExpiryPolicy, type StagingEnvironmentStatus } from '../../api/stagingenvironment';
import type { OperatorMetrics } from '../../metrics/operator-metrics';
import { getCondition } from '../../runtime/conditions';
import { managedSelector, type EnvironmentRef } from '../../environment/labels';
import { environmentOfNamespace, OWNER_UID_ANNOTATION } from '../../environment/namespace';
import type { KubeObject } from '../../environment/objects';
import type { KubernetesObject } from '../../runtime/client-node';
import { hasFinalizer, removeFinalizer } from '../../runtime/finalizers';
import { isNotFound } from '../../runtime/kube-errors';
import { Kinds } from '../../kinds';
import type { CacheReader } from '../../runtime/informer';
import type { KubeClient } from '../../runtime/kube-client';
import type { Logger } from '../../runtime/logger';
import type { ReconcileContext, Request, Result } from '../../runtime/reconciler';
import { NAMESPACE_BY_OWNER, NAMESPACE_REF, STAGING_ENVIRONMENT_REF } from './watches';
import { namespacedKey } from '../../runtime/object-key';

// An environment's end. Deletion (by hand or at expiry) goes through a
// finalizer: the target namespace is deleted and the finalizer stays until
// the namespace is really gone (the namespace controller empties it first),
// so nothing outlives its environment. Namespaces whose environment vanished
// without that (a finalizer removed by hand, an environment deleted while
// the operator was down and its finalizer stripped) are swept: when the
// operator starts (every managed namespace's owner is reconciled then),
// whenever an environment disappears, and every few minutes over all
// managed namespaces by the leader (sweep.ts, a runnable of the manager).

export const FINALIZER = 'understudy.dev/environment-cleanup';
const NAMESPACE_POLL_MS = 2_000;

export interface EnvironmentObject extends KubernetesObject {
  metadata: KubernetesObject['metadata'] & { name: string; namespace: string };
  spec?: unknown;
  status?: StagingEnvironmentStatus;
}

/** When the environment expired, if it was torn down under Retain for its current generation. */
export function retainedExpiryAt(env: EnvironmentObject, policy: ExpiryPolicy): Date | undefined {
  const expired = getCondition(env.status?.conditions, CONDITION_TYPES.expired);
  const at = env.status?.expiresAt ? new Date(env.status.expiresAt) : undefined;
  if (
    policy !== 'Retain' ||
    expired?.status !== 'True' ||
    expired.observedGeneration !== (env.metadata.generation ?? 0) ||
    !at ||
    Number.isNaN(at.getTime())
  )
    return undefined;
  return at;
}

export function refOf(env: EnvironmentObject): EnvironmentRef {
  return {
    name: env.metadata.name,
    namespace: env.metadata.namespace,
    ...(env.metadata.uid ? { uid: env.metadata.uid } : {}),
  };
}

/** Managed namespaces made for this environment (or for one of its name before it, when `sameUidOnly` is false): an index lookup. */
export function namespacesOf(
  environment: EnvironmentRef,
  ctx: Pick<ReconcileContext, 'cache'>,
  sameUidOnly = true,
): KubeObject[] {
  const candidates = ctx
    .cache(Kinds.Namespace)
    .byIndex(NAMESPACE_BY_OWNER, namespacedKey(environment.namespace, environment.name)) as KubeObject[];
  return namespacesIn({ list: () => candidates }, environment, sameUidOnly);
}

export function namespacesIn(
  namespaces: Pick<CacheReader<KubeObject>, 'list'>,
  environment: EnvironmentRef,
  sameUidOnly = true,
): KubeObject[] {
  return namespaces.list().filter((ns) => {
    const owner = environmentOfNamespace(ns);
    if (!owner || owner.name !== environment.name || owner.namespace !== environment.namespace) return false;
    return !sameUidOnly || owner.uid === undefined || environment.uid === undefined || owner.uid === environment.uid;
  });
}

export async function deleteNamespace(namespace: KubeObject, client: KubeClient): Promise<void> {
  if (namespace.metadata.deletionTimestamp) return;
  const uid = namespace.metadata.uid;
  // The uid precondition: never delete a namespace of the same name made since the cache was read.
  await client.delete(
    { ...NAMESPACE_REF, name: namespace.metadata.name },
    { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) },
  );
}

/**
 * Deletes the environment's namespaces (as observed), then removes the
 * finalizer once they are gone. Returns the namespaces still going, for the
 * Terminating status, and when to look again.
 */
export async function finalize(
  env: EnvironmentObject,
  namespaces: readonly KubeObject[],
  ctx: ReconcileContext,
): Promise<{ remaining: string[]; result: Result }> {
  if (!hasFinalizer(env, FINALIZER)) return { remaining: [], result: {} };
  const environment = refOf(env);
  for (const namespace of namespaces) await deleteNamespace(namespace, ctx.client);
  if (namespaces.length > 0)
    return { remaining: namespaces.map((n) => n.metadata.name), result: { requeueAfterMs: NAMESPACE_POLL_MS } };
  // The cache may not show a namespace created moments ago; ask the server before letting go.
  const live = await ctx.client.list<KubernetesObject>(NAMESPACE_REF.apiVersion, NAMESPACE_REF.kind, {
    labelSelector: managedSelector(environment),
  });
  const stillThere = live.items.filter(
    (ns) =>
      ns.metadata?.annotations?.[OWNER_UID_ANNOTATION] === undefined ||
      ns.metadata.annotations[OWNER_UID_ANNOTATION] === environment.uid,
  );
  if (stillThere.length > 0) {
    for (const namespace of stillThere) await deleteNamespace(namespace as KubeObject, ctx.client);
    return { remaining: [], result: { requeueAfterMs: NAMESPACE_POLL_MS } };
  }
  try {
    await removeFinalizer(ctx.client, env, FINALIZER);
  } catch (error) {
    // Gone already: an earlier reconcile removed the finalizer and the cache had not caught up.
    if (isNotFound(error)) return { remaining: [], result: {} };
    throw error;
  }
  ctx.log.info('namespace gone; finalizer removed');
  return { remaining: [], result: {} };
}

export interface SweepContext {
  client: KubeClient;
  log: Logger;
  namespaces: CacheReader<KubeObject>;
  /** understudy_environment_cleanups_total{kind="orphan"}. */
  metrics?: Pick<OperatorMetrics, 'environmentCleanedUp'>;
}

/**
 * The environment is gone: delete the namespaces still made for it. Only
 * environments of the namespaces this operator watches, so two operators
 * with disjoint namespaces never sweep each other's.
 */
export async function sweepOrphans(
  req: Request,
  ctx: SweepContext,
  watchedNamespaces: readonly string[] | undefined,
): Promise<Result> {
  if (watchedNamespaces && !watchedNamespaces.includes(req.namespace)) return {};
  const orphans = namespacesIn(ctx.namespaces, { name: req.name, namespace: req.namespace }, false).filter(
    (ns) => !ns.metadata.deletionTimestamp,
  );
  if (orphans.length === 0) return {};
  const env = await ctx.client.get<EnvironmentObject>({
    ...STAGING_ENVIRONMENT_REF,
    namespace: req.namespace,
    name: req.name,
  });
  for (const namespace of orphans) {
    const ownerUid = namespace.metadata.annotations?.[OWNER_UID_ANNOTATION];
    // The cache lags: an environment that exists with this uid owns the namespace.
    if (env && (ownerUid === undefined || ownerUid === env.metadata.uid)) continue;
    await deleteNamespace(namespace, ctx.client);
    ctx.metrics?.environmentCleanedUp('orphan');
    ctx.log.info(
      { namespace: namespace.metadata.name },
      'deleted a namespace whose StagingEnvironment no longer exists',
    );
  }
  return {};
}
