import { API_VERSION, LABELS, MANAGED_BY } from '../../api/common';
import { DEFAULT_KINDS } from '../../environment/kinds';
import { BASELINE_REF } from '../baseline-access';
import { environmentOfNamespace } from '../../environment/namespace';
import type { KubeObject } from '../../environment/objects';
import type { KubernetesObject } from '../../runtime/client-node';
import type { WatchesKind } from '../../runtime/controller';
import type { CacheReader } from '../../runtime/informer';
import type { ReconcileContext, Request } from '../../runtime/reconciler';

// What wakes an environment up. The copied kinds are watched in every
// namespace without a label selector, one cache per kind: the environment's
// own objects (found through its labels) so that workload readiness moves
// status, and the baselines' objects (found through the index below) so that
// BaselineStale follows a baseline as soon as it changes, and so that a
// reconcile reads its baseline from memory instead of listing it. Secrets are
// the exception: none is cached (the operator may not list them across the
// cluster); an environment lists its own namespace's when it needs them.

export const STAGING_ENVIRONMENT_REF = { apiVersion: API_VERSION, kind: 'StagingEnvironment' } as const;
export const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

export interface KindRef {
  apiVersion: string;
  kind: string;
}

export const NAMESPACE_REF: KindRef = { apiVersion: 'v1', kind: 'Namespace' };
export const SECRET_REF: KindRef = { apiVersion: 'v1', kind: 'Secret' };
export const JOB_REF: KindRef = { apiVersion: 'batch/v1', kind: 'Job' };
export const DATA_SEED_REF: KindRef = { apiVersion: API_VERSION, kind: 'DataSeed' };
export const PARITY_CHECK_REF: KindRef = { apiVersion: API_VERSION, kind: 'ParityCheck' };

/** Baseline kinds cached whole: the default copied kinds. */
export const CACHED_BASELINE_KINDS: readonly KindRef[] = DEFAULT_KINDS.map((k) => ({ apiVersion: k.group ? `${k.group}/${k.version}` : k.version, kind: k.kind }));

/** Kinds only environments create, cached by the managed-by label. */
export const MANAGED_ONLY_KINDS: readonly KindRef[] = [
  { apiVersion: 'v1', kind: 'ResourceQuota' },
  { apiVersion: 'v1', kind: 'LimitRange' },
  JOB_REF,
  DATA_SEED_REF,
  PARITY_CHECK_REF,
];

/** Every kind an environment may write, with a cache to compare against and prune from. */
export const CACHED_TARGET_KINDS: readonly KindRef[] = [...CACHED_BASELINE_KINDS, ...MANAGED_ONLY_KINDS];

interface Sources {
  /** The Baseline the environment names. */
  baselineName?: string;
  baselineNamespace?: string;
  targetNamespace?: string;
  /** `namespace/name` of the ConfigMap holding rendered manifests. */
  manifests?: string;
}

/**
 * Which environment reads which namespace or ConfigMap, filled in by each
 * reconcile. Every environment is reconciled once when the operator starts,
 * so the index is complete as soon as the first pass is done; an event
 * arriving before that is harmless because that first reconcile reads
 * everything fresh anyway.
 */
export class EnvironmentIndex {
  private readonly sources = new Map<string, Sources>();
  /** Events seen per baseline namespace: a reconcile re-reads a baseline only when this moved. */
  private readonly versions = new Map<string, number>();

  /** Counts a change of an object in a namespace some environment reads. */
  touch(namespace: string | undefined): void {
    if (namespace) this.versions.set(namespace, (this.versions.get(namespace) ?? 0) + 1);
  }

  /** Moves whenever a cached object of the namespace changed since the last call to touch. */
  baselineVersion(namespace: string): number {
    return this.versions.get(namespace) ?? 0;
  }

  set(req: Request, sources: Sources): void {
    this.sources.set(key(req), sources);
  }

  delete(req: Request): void {
    this.sources.delete(key(req));
  }

  readingNamespace(namespace: string | undefined): Request[] {
    if (!namespace) return [];
    return this.matching((s) => s.baselineNamespace === namespace);
  }

  /** Environments reading or writing a namespace of this name, and those in it: its labels decide which Baselines they may use. */
  usingNamespaceName(name: string): Request[] {
    return [...this.matching((s) => s.baselineNamespace === name || s.targetNamespace === name), ...[...this.sources.keys()].map(splitKey).filter((req) => req.namespace === name)];
  }

  usingBaseline(name: string): Request[] {
    return this.matching((s) => s.baselineName === name);
  }

  readingConfigMap(namespace: string | undefined, name: string | undefined): Request[] {
    return this.matching((s) => s.manifests === `${namespace}/${name}`);
  }

  private matching(predicate: (sources: Sources) => boolean): Request[] {
    const out: Request[] = [];
    for (const [k, sources] of this.sources) if (predicate(sources)) out.push(splitKey(k));
    return out;
  }
}

function key(req: Request): string {
  return `${req.namespace}/${req.name}`;
}

function splitKey(k: string): Request {
  const slash = k.indexOf('/');
  return { namespace: k.slice(0, slash), name: k.slice(slash + 1) };
}

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
  return ctx.cache(ref.apiVersion, ref.kind) as unknown as CacheReader<KubeObject>;
}

export function watchedKinds(index: EnvironmentIndex): WatchesKind[] {
  const baselineKinds = CACHED_BASELINE_KINDS.map(
    (ref): WatchesKind => ({
      ...ref,
      scope: 'all',
      map: (object) => {
        const readers = index.readingNamespace(object.metadata?.namespace);
        // The cache already holds this change (informers update it before calling handlers), so the count and the cache agree.
        if (readers.length > 0) index.touch(object.metadata?.namespace);
        const own = environmentOfObject(object);
        if (own.length > 0) return own;
        return ref.kind === 'ConfigMap' ? [...readers, ...index.readingConfigMap(object.metadata?.namespace, object.metadata?.name)] : readers;
      },
    }),
  );
  const managedOnly = MANAGED_ONLY_KINDS.map((ref): WatchesKind => ({ ...ref, scope: 'all', labelSelector: MANAGED_SELECTOR, map: environmentOfObject }));
  const namespaces: WatchesKind = {
    ...NAMESPACE_REF,
    scope: 'all',
    map: (object) => {
      const owner = environmentOfNamespace(object as KubeObject);
      const own = owner ? [{ namespace: owner.namespace, name: owner.name }] : [];
      return [...own, ...index.usingNamespaceName(object.metadata?.name ?? '')];
    },
  };
  const baselines: WatchesKind = { ...BASELINE_REF, scope: 'all', map: (object) => index.usingBaseline(object.metadata?.name ?? '') };
  return [...baselineKinds, ...managedOnly, namespaces, baselines];
}
