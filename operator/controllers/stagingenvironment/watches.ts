import { LABELS, MANAGED_BY } from '../../api/common';
import { DEFAULT_KINDS } from '../../environment/kinds';
import { environmentOfNamespace } from '../../environment/namespace';
import { isRecord, type KubeObject } from '../../environment/objects';
import { Kinds, type StagingEnvironmentObject } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import type { WatchesKind } from '../../runtime/controller';
import { apiVersionOf, typeMeta } from '../../runtime/gvk';
import type { CacheReader } from '../../runtime/informer';
import type { Indexers } from '../../runtime/object-store';
import { type Caches, type ReconcileContext, type Request, requestKey } from '../../runtime/reconciler';
import { baselinesOfProductionNamespace, baselineWatches } from '../baseline-access';
import { ENVIRONMENT_BY_BASELINE, environmentByBaseline } from '../baseline';
import { ENVIRONMENT_BY_TARGET_NAMESPACE, environmentByTargetNamespace } from '../shared-indexes';
import { namespacedKey } from '../../runtime/object-key';

// What wakes an environment up. The copied kinds are watched in every
// namespace without a label selector, one cache per kind: the environment's
// own objects (found through its labels) so that workload readiness moves
// status, and the baselines' objects (found through indexes on the cached
// environments and Baselines, never a table filled by reconciles) so that
// BaselineStale follows a baseline as soon as it changes, and so that a
// reconcile reads its baseline from memory instead of listing it. Secrets are
// the exception: none is cached (the operator may not list them across the
// cluster); an environment lists its own namespace's when it needs them.

export const STAGING_ENVIRONMENT_REF = typeMeta(Kinds.StagingEnvironment);
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

export interface KindRef {
  apiVersion: string;
  kind: string;
}

export const NAMESPACE_REF: KindRef = typeMeta(Kinds.Namespace);
export const SECRET_REF: KindRef = typeMeta(Kinds.Secret);
export const JOB_REF: KindRef = typeMeta(Kinds.Job);
export const DATA_SEED_REF: KindRef = typeMeta(Kinds.DataSeed);
export const PARITY_CHECK_REF: KindRef = typeMeta(Kinds.ParityCheck);
export const LOAD_TEST_REF: KindRef = typeMeta(Kinds.LoadTest);

/** Baseline kinds cached whole: the default copied kinds. */
export const CACHED_BASELINE_KINDS: readonly KindRef[] = DEFAULT_KINDS.map((k) => ({
  apiVersion: apiVersionOf(k),
  kind: k.kind,
}));

/** Kinds only environments create, cached by the managed-by label. */
export const MANAGED_ONLY_KINDS: readonly KindRef[] = [
  typeMeta(Kinds.ResourceQuota),
  typeMeta(Kinds.LimitRange),
  JOB_REF,
  DATA_SEED_REF,
  PARITY_CHECK_REF,
  LOAD_TEST_REF,
];

/** Every kind an environment may write, with a cache to compare against and prune from. */
export const CACHED_TARGET_KINDS: readonly KindRef[] = [...CACHED_BASELINE_KINDS, ...MANAGED_ONLY_KINDS];

/**
 * The primary's indexes, from the stored object alone (an invalid spec is
 * still filed under the Baseline it names, so fixing the Baseline wakes it),
 * so every mapping below holds from the first event after a restart, before
 * any reconcile (controller-runtime's IndexField). Both are shared with the
 * other controllers reading StagingEnvironments through the same informer.
 */
export const environmentIndexers: Indexers<StagingEnvironmentObject> = {
  [ENVIRONMENT_BY_BASELINE]: environmentByBaseline,
  [ENVIRONMENT_BY_TARGET_NAMESPACE]: environmentByTargetNamespace,
};

const requestOf = (object: KubernetesObject): Request => ({
  namespace: object.metadata?.namespace ?? '',
  name: object.metadata?.name ?? '',
});
const environments = (caches: Caches) => caches.cache(Kinds.StagingEnvironment);

/** Environments naming the Baseline. */
export function environmentsOfBaseline(baseline: string, caches: Caches): Request[] {
  return environments(caches).byIndex(ENVIRONMENT_BY_BASELINE, baseline).map(requestOf);
}

/** Environments whose Baseline copies this namespace of this cluster. */
export function environmentsReadingNamespace(namespace: string | undefined, caches: Caches): Request[] {
  if (!namespace) return [];
  return baselinesOfProductionNamespace(caches, namespace).flatMap((b) =>
    environmentsOfBaseline(b.metadata?.name ?? '', caches),
  );
}

/** Environments whose Baseline renders its manifests from this ConfigMap (Baselines are few and cluster-scoped). */
export function environmentsReadingConfigMap(
  namespace: string | undefined,
  name: string | undefined,
  caches: Caches,
): Request[] {
  return caches
    .cache(Kinds.Baseline)
    .list()
    .filter((b) => {
      const ref =
        isRecord(b.spec?.source?.manifests) && isRecord(b.spec.source.manifests.configMapRef)
          ? b.spec.source.manifests.configMapRef
          : undefined;
      return ref?.namespace === namespace && ref?.name === name;
    })
    .flatMap((b) => environmentsOfBaseline(b.metadata?.name ?? '', caches));
}

/**
 * Environments a namespace's appearance, labels or deletion concern: the one
 * it was made for, those whose copy it is (status.namespace), those whose
 * Baseline's production it is, and those in it (its labels decide which
 * Baselines allow them).
 */
export function environmentsOfNamespace(namespace: KubernetesObject, caches: Caches): Request[] {
  const name = namespace.metadata?.name ?? '';
  const owner = environmentOfNamespace(namespace as KubeObject);
  return unique([
    ...(owner ? [{ namespace: owner.namespace, name: owner.name }] : []),
    ...environments(caches).byIndex(ENVIRONMENT_BY_TARGET_NAMESPACE, name).map(requestOf),
    ...environmentsReadingNamespace(name, caches),
    ...environments(caches).list(name).map(requestOf),
  ]);
}

function unique(requests: Request[]): Request[] {
  return [...new Map(requests.map((r) => [requestKey(r), r])).values()];
}

/** Namespaces by the environment they were made for (`namespace/name`, from the owner annotation or labels). */
export const NAMESPACE_BY_OWNER = 'understudy.dev/owner';
export const namespaceByOwner = (namespace: KubernetesObject): string[] => {
  const owner = environmentOfNamespace(namespace as KubeObject);
  return owner ? [namespacedKey(owner.namespace, owner.name)] : [];
};

/** The environment whose labels an object carries. */
export function environmentOfObject(object: KubernetesObject): Request[] {
  const labels = object.metadata?.labels ?? {};
  if (labels[LABELS.managedBy] !== MANAGED_BY) return [];
  const name = labels[LABELS.environment];
  const namespace = labels[LABELS.environmentNamespace];
  return name && namespace ? [{ namespace, name }] : [];
}

/**
 * A watched kind's cache, with objects seen as the copy transformation sees
 * them. The informer stores what the API server sent: JSON objects with
 * apiVersion, kind and metadata.name always set, which is what KubeObject
 * states and client-node's KubernetesObject leaves optional.
 */
export function cacheOf(ctx: ReconcileContext, ref: KindRef): CacheReader<KubeObject> {
  return ctx.cache<KubeObject>(ref);
}

export function watchedKinds(): WatchesKind[] {
  const baselineKinds = CACHED_BASELINE_KINDS.map((ref): WatchesKind => ({
    ...ref,
    scope: 'all',
    map: (object, caches) => {
      const own = environmentOfObject(object);
      if (own.length > 0 || !caches) return own;
      const readers = environmentsReadingNamespace(object.metadata?.namespace, caches);
      return ref.kind === 'ConfigMap'
        ? unique([
            ...readers,
            ...environmentsReadingConfigMap(object.metadata?.namespace, object.metadata?.name, caches),
          ])
        : readers;
    },
  }));
  const managedOnly = MANAGED_ONLY_KINDS.map((ref): WatchesKind => ({
    ...ref,
    scope: 'all',
    labelSelector: MANAGED_SELECTOR,
    map: environmentOfObject,
  }));
  // Baselines (indexed by their production namespace) and Namespaces, as every user of Baselines watches them.
  const baselines = baselineWatches({
    ofBaseline: (baseline, caches) => environmentsOfBaseline(baseline.metadata?.name ?? '', caches),
    ofNamespace: (namespace, caches) => environmentsOfNamespace(namespace, caches),
  });
  // Namespaces are also found by the environment they were made for, without scanning them all.
  const indexed = baselines.map((w) =>
    w.kind === NAMESPACE_REF.kind ? { ...w, indexers: { ...w.indexers, [NAMESPACE_BY_OWNER]: namespaceByOwner } } : w,
  );
  return [...baselineKinds, ...managedOnly, ...indexed];
}
