import type { LoadTestSpec } from '../../api/loadtest';
import { Kinds, type StagingEnvironmentObject } from '../../kinds';
import type { Caches } from '../../runtime/reconciler';
import { accessBaseline, type BaselineDenial, type GrantedBaseline } from '../baseline-access';
import { owningEnvironment } from '../paritycheck/resolve';

// Who asks and where the targets live, from caches only, before anything is
// read: a LoadTest in an environment's target namespace acts for the
// namespace of the environment that made it; one beside its environment
// (spec.environmentRef) tests that environment's target namespace. Either way
// the Baseline must allow the requester, or nothing of it is read.

export type BlockReason = BaselineDenial | 'EnvironmentNotFound';

export interface Blocked {
  ok: false;
  reason: BlockReason;
  message: string;
}

export interface Resolution {
  ok: true;
  baseline: GrantedBaseline;
  requester: string;
  /** Where the target Services live. */
  namespace: string;
  environment: StagingEnvironmentObject | undefined;
}

const keyOf = (e: StagingEnvironmentObject) => ({
  namespace: e.metadata?.namespace ?? '',
  name: e.metadata?.name ?? '',
});

export function resolveLoadTest(ctx: Caches, spec: LoadTestSpec, namespace: string): Blocked | Resolution {
  const owner = owningEnvironment(ctx, namespace);
  const requester = owner ? keyOf(owner).namespace : namespace;
  const access = accessBaseline(ctx, spec.baselineRef.name, requester);
  if (!access.ok) return { ok: false, reason: access.reason, message: `${access.field}: ${access.message}` };
  const ref = spec.environmentRef;
  if (!ref || (owner && keyOf(owner).name === ref.name))
    return { ok: true, baseline: access.baseline, requester, namespace, environment: owner };
  const field = 'spec.environmentRef.name';
  const environment = ctx.cache(Kinds.StagingEnvironment).get(namespace, ref.name);
  if (!environment)
    return {
      ok: false,
      reason: 'EnvironmentNotFound',
      message: `${field}: StagingEnvironment ${namespace}/${ref.name} does not exist`,
    };
  const target = environment.status?.namespace;
  const made = target ? owningEnvironment(ctx, target) : undefined;
  if (!target || !made || keyOf(made).namespace !== namespace || keyOf(made).name !== ref.name) {
    return {
      ok: false,
      reason: 'EnvironmentNotFound',
      message: `${field}: StagingEnvironment ${namespace}/${ref.name} has no target namespace of its own yet`,
    };
  }
  return { ok: true, baseline: access.baseline, requester, namespace: target, environment };
}

/** Whether the environment (if any) is Ready: a test of a copy still being made would measure the copying. */
export function environmentReady(environment: StagingEnvironmentObject | undefined): boolean {
  if (!environment) return true;
  // Ready for this generation: after a spec change (a new image) the old Ready describes the copy being replaced.
  const generation = environment.metadata?.generation;
  return (
    environment.status?.conditions?.some(
      (c) =>
        c.type === 'Ready' &&
        c.status === 'True' &&
        (generation === undefined || c.observedGeneration === undefined || c.observedGeneration === generation),
    ) ?? false
  );
}

/**
 * Where a LoadTest's Jobs can be, from caches alone (nothing of the Baseline read, so it also serves a test the
 * Baseline no longer allows, or one deleted): its own namespace and the target namespaces of the environments beside it.
 */
export function jobNamespaces(ctx: Caches, namespace: string): string[] {
  const targets = ctx
    .cache(Kinds.StagingEnvironment)
    .list(namespace)
    .map((e) => e.status?.namespace)
    .filter((t): t is string => typeof t === 'string' && t !== '');
  return [namespace, ...targets];
}
