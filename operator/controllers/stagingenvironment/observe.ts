import { parseStagingEnvironmentSpec, type SpecParseResult } from '../../api/stagingenvironment';
import type { CopiedKind } from '../../environment/kinds';
import {
  expiryPolicyOf,
  lifetimeStart,
  parseTombstone,
  tombstoneName,
  type ExpiryPolicyChoice,
  type Tombstone,
} from '../../environment/lifecycle';
import type { KubeObject } from '../../environment/objects';
import { resolveEnvironment, type EnvironmentResolution } from '../../environment/resolve';
import { KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { accessBaseline, type BaselineAccess, type GrantedBaseline } from '../baseline-access';
import { Kinds } from '../../kinds';
import { apiVersionOf, typeMeta } from '../../runtime/gvk';
import type { BaselineRead, BaselineReader } from './baseline';
import { seedProgress } from './children';
import { liveObjects, type LiveObjects } from './apply';
import { type EnvironmentObject, namespacesOf, refOf, retainedExpiryAt } from './lifecycle';
import { ACCESS_BINDING_NAME } from './namespace-access';
import type { SeedProgress } from './status';
import { DATA_SEED_REF, NAMESPACE_REF, SECRET_REF, cacheOf } from './watches';

// Observe: everything one reconcile decides from, gathered into a plain
// snapshot before anything is decided or written (cert-manager's "gather").
// Reads come from the informer caches; what is not cached (Secrets, kinds
// outside the default list, a remote baseline, the Baseline's TLS Secret) is
// read live here and nowhere else. Parsing and resolving the spec happen here
// only because they say what to read: the target namespace, the kinds, the
// sources. Nothing here writes to the cluster.

export interface Observed {
  now: Date;
  env: EnvironmentObject;
  /** The namespaces made for this environment, for a teardown or the finalizer. */
  ownNamespaces: KubeObject[];
  spec: SpecParseResult;
  expiry: ExpiryPolicyChoice;
  /** Where the lifetime counts from, and the expiry of an earlier resource of this name it counts from. */
  lifetime: { start: Date; earlier?: Tombstone };
  access?: BaselineAccess;
  resolved?: EnvironmentResolution;
  world?: World;
}

/** What the copy is made from and written into; read once the spec resolved within its Baseline. */
export interface World {
  granted: GrantedBaseline;
  /** The kinds copied, derived once from the Baseline's list and the secrets policy. */
  kinds: CopiedKind[];
  baseline: BaselineRead;
  /** status.namespace once set (a copy never moves), else the derived name. */
  targetNamespace: string;
  namespace: KubeObject | undefined;
  /** The operator's RoleBinding in the target namespace, which lets it read the Secrets it wrote there. */
  accessGranted: boolean;
  tlsSecret?: KubeObject;
  /** The environment's own Secrets, for the values Generate already chose. */
  secrets: KubeObject[];
  ingresses: readonly KubeObject[];
  live: LiveObjects;
  seeds: SeedProgress;
}

export interface ObserveOptions {
  baselines: BaselineReader;
  /** Where tombstones of expired environments live. */
  operatorNamespace: string;
  now: () => Date;
}

export async function observe(
  env: EnvironmentObject,
  ctx: ReconcileContext,
  options: ObserveOptions,
): Promise<Observed> {
  const now = options.now();
  const environment = refOf(env);
  const ownNamespaces = namespacesOf(environment, ctx);
  const spec = parseStagingEnvironmentSpec(env.spec);
  const expiry = expiryPolicyOf(spec.ok ? spec.spec.expiryPolicy : undefined, env.metadata);
  const createdAt = new Date(env.metadata.creationTimestamp ?? now);
  const tombstone =
    expiry.policy === 'Retain'
      ? parseTombstone(cacheOf(ctx, CONFIG_MAP_REF).get(options.operatorNamespace, tombstoneName(environment)))
      : undefined;
  const lifetime = lifetimeStart(environment, createdAt, tombstone, now);
  const observed: Observed = { now, env, ownNamespaces, spec, expiry, lifetime };
  // Torn down under Retain and unchanged since: nothing more is read, not even its Baseline.
  if (env.metadata.deletionTimestamp || !spec.ok || retainedExpiryAt(env, expiry.policy)) return observed;
  // Nothing of a Baseline is read for a namespace it does not allow.
  const access = accessBaseline(ctx, spec.spec.baselineRef.name, environment.namespace);
  observed.access = access;
  if (!access.ok) return observed;
  const resolution = resolveEnvironment({
    environment,
    spec: spec.spec,
    baseline: access.baseline,
    createdAt: lifetime.start,
    ...productionLabels(ctx, access.baseline),
  });
  observed.resolved = resolution;
  if (!resolution.ok) return observed;
  const { copy, kinds, expiresAt } = resolution.resolved;
  const targetNamespace = env.status?.namespace ?? copy.targetNamespace;
  // An environment at its end reads nothing more: its baseline no longer matters.
  if (expiresAt && expiresAt.getTime() <= now.getTime()) return observed;

  const baseline = await options.baselines.read(
    { metadata: environment, spec: copy, baseline: access.baseline, kinds },
    ctx,
  );
  const namespace = cacheOf(ctx, NAMESPACE_REF).get('', targetNamespace);
  const accessGranted = cacheOf(ctx, ROLE_BINDING_REF).get(targetNamespace, ACCESS_BINDING_NAME) !== undefined;
  // Only a namespace of our own, which we may read Secrets in, is listed: elsewhere there is nothing of ours to find.
  const ours = namespace !== undefined && ownNamespaces.some((n) => n.metadata.uid === namespace.metadata.uid);
  const listKinds =
    ours && accessGranted ? [...kinds.map((k) => ({ apiVersion: apiVersionOf(k), kind: k.kind })), SECRET_REF] : [];
  const live = await liveObjects(ctx, targetNamespace, environment, listKinds);
  observed.world = {
    granted: access.baseline,
    kinds,
    baseline,
    targetNamespace,
    namespace,
    accessGranted,
    ...(await tlsSecret(copy.ingress?.tlsSecretRef, ctx)),
    secrets: live.owned().filter((o) => o.kind === 'Secret'),
    ingresses: cacheOf(ctx, INGRESS_REF).list(),
    live,
    seeds: seedProgress(copy, targetNamespace, cacheOf(ctx, DATA_SEED_REF)),
  };
  return observed;
}

export const CONFIG_MAP_REF = typeMeta(Kinds.ConfigMap);
const ROLE_BINDING_REF = typeMeta(Kinds.RoleBinding);
const INGRESS_REF = typeMeta(Kinds.Ingress);

/** The Baseline's TLS Secret, read live where the admin granted the operator read access; absent or unreadable is a warning, not a failure. */
async function tlsSecret(
  ref: { namespace: string; name: string } | undefined,
  ctx: ReconcileContext,
): Promise<{ tlsSecret?: KubeObject }> {
  if (!ref) return {};
  try {
    const secret = await ctx.client.get({ ...SECRET_REF, namespace: ref.namespace, name: ref.name });
    return secret ? { tlsSecret: secret as unknown as KubeObject } : {};
  } catch (error) {
    if (error instanceof KubeApiError && error.statusCode === 403) return {};
    throw error;
  }
}

/** The production namespace's labels, for its PodSecurity level; a remote or rendered source has none here. */
function productionLabels(
  ctx: ReconcileContext,
  baseline: GrantedBaseline,
): { productionNamespaceLabels?: Record<string, string> } {
  const { source } = baseline.spec;
  if (source.cluster || source.manifests) return {};
  const labels = cacheOf(ctx, NAMESPACE_REF).get('', source.namespace ?? '')?.metadata.labels;
  return labels ? { productionNamespaceLabels: labels } : {};
}
