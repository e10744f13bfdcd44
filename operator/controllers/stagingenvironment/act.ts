import { tombstoneObject } from '../../environment/lifecycle';
import { kubeTime } from '../../runtime/conditions';
import { addFinalizer, hasFinalizer } from '../../runtime/finalizers';
import { KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext, Result } from '../../runtime/reconciler';
import { infrastructureHoldsNamespace } from '../infrastructure/hold';
import { applyDesired, createNamespace, pruneUndesired, type LiveObjects } from './apply';
import type { Decision, Provision } from './decide';
import { FINALIZER, type EnvironmentObject, deleteNamespace, finalize, refOf } from './lifecycle';
import { ensureAccess, type Subject } from './namespace-access';
import type { Observed } from './observe';
import type { Planned } from './plan-memo';
import { servicesOf, type Services } from './services';
import { withWrittenSeedsPending } from './children';
import type { SeedProgress, TestProgress } from './status';
import { reconcileTests } from './tests';

// Act: carry out a decision. The only writes of a reconcile are here
// (status aside, which report.ts writes): the finalizer, the namespace and
// the operator's access to it, the environment's objects, its test Jobs, an
// expiry. What they did comes back as an Acted for the report.

const WAIT_MS = 2_000;
const ACCESS_RETRY_MS = 1_000;
/** Every environment is looked at again this often: drift the watches missed gets a chance. */
export const RESYNC_MS = 10 * 60_000;

export interface ActDeps {
  /** The operator's own identity, asked of the API server once. */
  identity: () => Promise<Subject>;
  managedNamespaceRole: string;
  operatorNamespace: string;
  /** When each plan's leftovers were last pruned: pruning scans every cache, and mostly only a new plan leaves objects undesired. */
  prunedAt: WeakMap<Planned, number>;
  now: () => Date;
}

export type Acted =
  | { action: 'finalize'; remaining: string[]; result: Result }
  | { action: 'teardown'; deleting: string[]; result: Result }
  /** `env`: the environment as the server has it after the finalizer was added, for the status write's resourceVersion. */
  | {
      action: 'provision';
      env: EnvironmentObject;
      objects: number;
      written: ReadonlySet<string>;
      services: Services;
      /** The DataSeeds' progress, those written just now pending (children.ts withWrittenSeedsPending). */
      seeds: SeedProgress;
      tests: TestProgress | undefined;
      result: Result;
    }
  | { action: 'stalledApply'; env: EnvironmentObject; reason: string; message: string; result: Result }
  | { action: 'other'; result: Result };

export async function act(
  decision: Decision,
  observed: Observed,
  ctx: ReconcileContext,
  deps: ActDeps,
): Promise<Acted> {
  const env = observed.env;
  switch (decision.action) {
    case 'finalize':
      // Issue 13 (infrastructure controller): while its finalizer is present the environment's stack is not destroyed
      // yet, and the namespace must not start deleting (destroying inside a terminating namespace deadlocks).
      if (infrastructureHoldsNamespace(env))
        return { action: 'finalize', remaining: [], result: { requeueAfterMs: WAIT_MS } };
      return { action: 'finalize', ...(await finalize(env, decision.namespaces, ctx)) };
    case 'stall':
      return { action: 'other', result: decision.result };
    case 'wait':
      if (decision.deleteNamespace) await deleteNamespace(decision.deleteNamespace, ctx.client);
      return { action: 'other', result: { requeueAfterMs: WAIT_MS } };
    case 'grantAccess':
      await ensureAccess(ctx, decision.namespace, deps.identity, deps.managedNamespaceRole);
      return { action: 'other', result: { requeueAfterMs: ACCESS_RETRY_MS } };
    case 'delete': {
      void ctx.recorder.event(
        env,
        'Normal',
        'Expired',
        `expired at ${kubeTime(decision.expiresAt)}; deleting the environment (expiryPolicy Delete, from ${decision.because})`,
      );
      await ctx.client.delete(
        {
          apiVersion: env.apiVersion ?? '',
          kind: env.kind ?? '',
          namespace: env.metadata.namespace,
          name: env.metadata.name,
        },
        { preconditions: { ...(env.metadata.uid ? { uid: env.metadata.uid } : {}) } },
      );
      return { action: 'other', result: {} };
    }
    case 'teardown': {
      // The tombstone first: should the resource be deleted and re-created meanwhile, the new one already counts from the first creation.
      await ctx.client.apply(tombstoneObject(decision.tombstone, deps.operatorNamespace), { force: true });
      if (!decision.heldByInfrastructure)
        for (const namespace of decision.namespaces) await deleteNamespace(namespace, ctx.client);
      const deleting = decision.namespaces.map((n) => n.metadata.name);
      return { action: 'teardown', deleting, result: deleting.length > 0 ? { requeueAfterMs: WAIT_MS } : {} };
    }
    case 'provision':
      return provision(decision, observed, ctx, deps);
  }
}

async function provision(
  decision: Provision,
  observed: Observed,
  ctx: ReconcileContext,
  deps: ActDeps,
): Promise<Acted> {
  // Rebound once the finalizer is added, so later writes start from what the server has.
  let env = observed.env;
  const world = observed.world!;
  const { planned, targetNamespace } = decision;
  if (decision.createNamespace) {
    env = await withFinalizer(env, ctx);
    const created = await createNamespace(ctx.client, planned.plan.namespace);
    if (created === 'exists')
      throw new Error(`namespace ${targetNamespace} appeared meanwhile; checking who owns it on the next attempt`);
    void ctx.recorder.event(env, 'Normal', 'NamespaceCreated', `created namespace ${targetNamespace}`);
    await ensureAccess(ctx, targetNamespace, deps.identity, deps.managedNamespaceRole);
  } else if (decision.podSecurityLabels) {
    await ctx.client.mergePatch(
      { apiVersion: 'v1', kind: 'Namespace', name: targetNamespace },
      { metadata: { labels: decision.podSecurityLabels } },
    );
  }
  let objects = planned.desired.length;
  let written: ReadonlySet<string> = new Set();
  if (!decision.stale) {
    env = await withFinalizer(env, ctx);
    const outcome = await applyAndPrune(env, planned, world.live, ctx, deps);
    if ('stall' in outcome)
      return { action: 'stalledApply', env, reason: 'ApplyFailed', message: outcome.stall, result: { requeue: true } };
    ({ objects, written } = outcome);
  }
  const services = servicesOf(decision, env.status, world.live, written);
  const seeds = withWrittenSeedsPending(world.seeds, written);
  const ready = services.statuses.every((s) => s.ready) && seeds.pending.length === 0 && seeds.failed.length === 0;
  const tests = await reconcileTests(
    { spec: decision.copy, environment: refOf(env), generation: env.metadata.generation ?? 0, targetNamespace, ready },
    ctx,
  );
  return { action: 'provision', env, objects, written, services, seeds, tests, result: {} };
}

async function withFinalizer(env: EnvironmentObject, ctx: ReconcileContext): Promise<EnvironmentObject> {
  return hasFinalizer(env, FINALIZER) ? env : addFinalizer(ctx.client, env, FINALIZER);
}

/** Apply and prune: the only writes to the environment's objects. */
async function applyAndPrune(
  env: EnvironmentObject,
  planned: Planned,
  live: LiveObjects,
  ctx: ReconcileContext,
  deps: ActDeps,
): Promise<{ objects: number; written: Set<string> } | { stall: string }> {
  try {
    const written = new Set<string>();
    const outcome = await applyDesired(ctx.client, planned.desired, live, (object) =>
      written.add(`${object.kind}/${object.metadata.name}`),
    );
    const lastPrune = deps.prunedAt.get(planned);
    const now = deps.now().getTime();
    const due = lastPrune === undefined || now - lastPrune >= RESYNC_MS;
    const pruned = due ? await pruneUndesired(ctx.client, planned.desired, live, refOf(env)) : [];
    if (due) deps.prunedAt.set(planned, now);
    if (outcome.applied > 0 || pruned.length > 0)
      ctx.log.info(
        { applied: outcome.applied, unchanged: outcome.unchanged, pruned: pruned.length },
        'environment objects written',
      );
    if (pruned.length > 0)
      void ctx.recorder.event(
        env,
        'Normal',
        'Pruned',
        `deleted objects no longer desired: ${pruned.slice(0, 10).join(', ')}${pruned.length > 10 ? ` and ${pruned.length - 10} more` : ''}`,
      );
    return { objects: outcome.applied + outcome.unchanged, written };
  } catch (error) {
    // The server refused an object for good (invalid, forbidden): no retry fixes that without a change.
    if (error instanceof KubeApiError && [400, 403, 422].includes(error.statusCode)) return { stall: error.message };
    throw error;
  }
}
