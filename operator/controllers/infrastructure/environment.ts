import type { PulumiInfrastructure } from '../../api/infrastructure';
import { CONDITION_TYPES, parseStagingEnvironmentSpec } from '../../api/stagingenvironment';
import { parseDuration } from '../../api/values/duration';
import { Kinds, type StagingEnvironmentObject } from '../../kinds';
import { getCondition } from '../../runtime/conditions';
import { removeFinalizer } from '../../runtime/finalizers';
import { isNotFound, KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { INFRASTRUCTURE_FINALIZER } from './hold';

// What the infrastructure controller reads of a StagingEnvironment, and how it
// lets go of one (its finalizer).

export type Env = StagingEnvironmentObject & { metadata: { name: string; namespace: string; uid: string } };

/** Expired under Retain, for this generation: the StagingEnvironment controller's Expired condition. */
export function tornDown(env: Env): boolean {
  const expired = getCondition(env.status?.conditions, CONDITION_TYPES.expired);
  return expired?.status === 'True' && expired.observedGeneration === (env.metadata.generation ?? 0);
}

export function identity(env: Env): { namespace: string; name: string; uid: string } {
  return { namespace: env.metadata.namespace, name: env.metadata.name, uid: env.metadata.uid };
}

export function parsedInfra(env: Env) {
  const parsed = parseStagingEnvironmentSpec(env.spec);
  return parsed.ok ? parsed.spec.infrastructure : undefined;
}

export function driftIntervalMs(pulumi: PulumiInfrastructure): number {
  const parsed = parseDuration(pulumi.driftInterval);
  return parsed.ok ? Math.max(parsed.milliseconds, 60_000) : 60 * 60_000;
}

/** Removes this controller's finalizer; a stale cached object is decided on the live one. */
export async function releaseFinalizer(ctx: Pick<ReconcileContext, 'client'>, env: Env): Promise<void> {
  try {
    await removeFinalizer(ctx.client, env, INFRASTRUCTURE_FINALIZER);
  } catch (error) {
    if (isNotFound(error)) return;
    if (!(error instanceof KubeApiError) || error.statusCode !== 422) throw error;
    // The cached object is stale (the finalizer moved or is gone already): decide on the live one.
    const live = await ctx.client.get<Env>({
      ...Kinds.StagingEnvironment,
      namespace: env.metadata.namespace,
      name: env.metadata.name,
    });
    if (live?.metadata.finalizers?.includes(INFRASTRUCTURE_FINALIZER))
      await removeFinalizer(ctx.client, live, INFRASTRUCTURE_FINALIZER);
  }
}
