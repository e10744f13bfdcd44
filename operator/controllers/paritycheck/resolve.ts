import type { ParityCheckSpec } from '../../api/paritycheck';
import { environmentOfNamespace, OWNER_UID_ANNOTATION } from '../../environment/namespace';
import type { KubeObject } from '../../environment/objects';
import { Kinds, type StagingEnvironmentObject } from '../../kinds';
import type { Caches } from '../../runtime/reconciler';
import { accessBaseline, type BaselineDenial, type GrantedBaseline } from '../baseline-access';

// Before anything is read, a check is resolved from caches only: who asks
// (its namespace, or for a check in a target namespace the namespace of the
// environment that made it), whether the Baseline lets them, and which
// staging and production namespaces are compared — each of which must exist,
// because comparing with a namespace that is not there would find nothing
// and call that parity.

export type BlockReason =
  BaselineDenial | 'StagingNotFound' | 'ProductionNotFound' | 'StagingIsProduction' | 'SourceUnavailable';

export interface Blocked {
  ok: false;
  reason: BlockReason;
  message: string;
  /** A namespace whose appearance may unblock the check: its creation wakes it. */
  awaits?: string;
}

export interface Resolution {
  ok: true;
  baseline: GrantedBaseline;
  /** The namespace the Baseline was asked for. */
  requester: string;
  staging: { namespace: string; environment?: StagingEnvironmentObject };
  /** Set when production is a namespace of this cluster, already known to exist. */
  localProduction?: string;
}

type EnvironmentKey = { namespace: string; name: string };

const namespaces = (ctx: Caches) => ctx.cache(Kinds.Namespace);
const environments = (ctx: Caches) => ctx.cache(Kinds.StagingEnvironment);

/**
 * The environment whose target namespace `namespace` is, when the namespace
 * says so AND the environment agrees: its status names this namespace and its
 * uid is the one the namespace was made for. Namespace annotations alone are
 * not trusted, so a namespace dressed up as a target namespace proves nothing.
 */
export function owningEnvironment(ctx: Caches, namespace: string): StagingEnvironmentObject | undefined {
  const object = namespaces(ctx).get('', namespace);
  if (!object?.metadata?.name) return undefined;
  const owner = environmentOfNamespace(object as unknown as KubeObject);
  if (!owner) return undefined;
  const environment = environments(ctx).get(owner.namespace, owner.name);
  if (!environment || environment.status?.namespace !== namespace) return undefined;
  const uid = object.metadata.annotations?.[OWNER_UID_ANNOTATION];
  return uid === undefined || uid === environment.metadata?.uid ? environment : undefined;
}

function keyOf(environment: StagingEnvironmentObject): EnvironmentKey {
  return { namespace: environment.metadata?.namespace ?? '', name: environment.metadata?.name ?? '' };
}

function stagingOf(
  ctx: Caches,
  spec: ParityCheckSpec,
  checkNamespace: string,
  owner: StagingEnvironmentObject | undefined,
): Blocked | Resolution['staging'] {
  const ref = spec.staging.environmentRef;
  if (!ref) return { namespace: checkNamespace };
  const field = 'spec.staging.environmentRef.name';
  if (owner && keyOf(owner).name === ref.name) return { namespace: checkNamespace, environment: owner };
  const environment = environments(ctx).get(checkNamespace, ref.name);
  if (!environment)
    return {
      ok: false,
      reason: 'StagingNotFound',
      message: `${field}: StagingEnvironment ${checkNamespace}/${ref.name} does not exist`,
    };
  const target = environment.status?.namespace;
  if (!target)
    return {
      ok: false,
      reason: 'StagingNotFound',
      message: `${field}: StagingEnvironment ${checkNamespace}/${ref.name} has no target namespace yet`,
    };
  const made = owningEnvironment(ctx, target);
  if (!made || keyOf(made).namespace !== checkNamespace || keyOf(made).name !== ref.name) {
    return {
      ok: false,
      reason: 'StagingNotFound',
      message: `${field}: the target namespace ${target} of StagingEnvironment ${checkNamespace}/${ref.name} does not exist or is not its own`,
      awaits: target,
    };
  }
  return { namespace: target, environment };
}

/** Everything a run needs decided before it reads anything, or why it may not run. */
export function resolveCheck(ctx: Caches, spec: ParityCheckSpec, checkNamespace: string): Blocked | Resolution {
  const owner = owningEnvironment(ctx, checkNamespace);
  // A check in a target namespace acts for the namespace of the environment that made it.
  const requester = owner ? keyOf(owner).namespace : checkNamespace;
  const access = accessBaseline(ctx, spec.baselineRef.name, requester);
  if (!access.ok) return { ok: false, reason: access.reason, message: `${access.field}: ${access.message}` };
  const staging = stagingOf(ctx, spec, checkNamespace, owner);
  if ('ok' in staging) return staging;
  if (!namespaces(ctx).get('', staging.namespace))
    return {
      ok: false,
      reason: 'StagingNotFound',
      message: `the staging namespace ${staging.namespace} does not exist`,
    };
  const resolution: Resolution = { ok: true, baseline: access.baseline, requester, staging };
  const { source } = access.baseline.spec;
  if (source.cluster || source.manifests) return resolution;
  const production = source.namespace!;
  if (!namespaces(ctx).get('', production)) {
    return {
      ok: false,
      reason: 'ProductionNotFound',
      message: `Baseline ${access.baseline.name}: its production namespace ${production} (spec.source.namespace) does not exist; nothing to compare with`,
      awaits: production,
    };
  }
  if (production === staging.namespace) {
    return {
      ok: false,
      reason: 'StagingIsProduction',
      message: `staging is ${production}, the production namespace of Baseline ${access.baseline.name}; a check compares a copy with production, not production with itself`,
    };
  }
  return { ...resolution, localProduction: production };
}
