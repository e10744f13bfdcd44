import {
  describeAllowedNamespaces,
  parseBaselineSpec,
  type BaselineSpec,
  type NamespacedSecretKey,
} from '../api/baseline';
import { matchesLabelSelector } from '../environment/selectors';
import { type BaselineObject, Kinds, type NamespaceObject, type SecretObject } from '../kinds';
import { type WatchesKind, watching } from '../runtime/controller';
import { KubeApiError } from '../runtime/kube-errors';
import type { Caches, ReconcileContext, Request } from '../runtime/reconciler';
import {
  BASELINE_BY_PRODUCTION_NAMESPACE,
  baselineByProductionNamespace,
  NAMESPACE_BY_ENVIRONMENT_NAMESPACE,
  namespaceByEnvironmentNamespace,
} from './shared-indexes';

// The one door to production. A StagingEnvironment, DataSeed or ParityCheck
// names a Baseline; it gets the Baseline's spec only when the Baseline
// allows the requester's namespace, so a user can reach nothing an admin did
// not put in a Baseline for them. Nothing of the Baseline is read otherwise.

export type BaselineDenial = 'BaselineNotFound' | 'BaselineNotAllowed' | 'InvalidBaseline';

export interface GrantedBaseline {
  name: string;
  uid: string | undefined;
  generation: number;
  spec: BaselineSpec;
}

export type BaselineAccess =
  { ok: true; baseline: GrantedBaseline } | { ok: false; reason: BaselineDenial; field: string; message: string };

/**
 * The Baseline `name`, if it allows `namespace`. `field` is the requester's
 * field that names it (`spec.baselineRef.name`), so messages point at it.
 * Reads both the Baseline and the namespace from the caches the controller
 * registered with baselineWatches().
 */
export function accessBaseline(
  ctx: Caches,
  name: string,
  namespace: string,
  field = 'spec.baselineRef.name',
): BaselineAccess {
  const object = ctx.cache(Kinds.Baseline).get('', name);
  if (!object) return { ok: false, reason: 'BaselineNotFound', field, message: `Baseline ${name} does not exist` };
  const labels = ctx.cache(Kinds.Namespace).get('', namespace)?.metadata?.labels;
  const parsed = parseBaselineSpec(object.spec);
  // Judge access first: a namespace that may not use a Baseline learns nothing of it, not even that it is broken.
  const allowed = parsed.ok ? allowsNamespace(parsed.spec, namespace, labels) : false;
  if (!parsed.ok)
    return {
      ok: false,
      reason: 'InvalidBaseline',
      field,
      message: `Baseline ${name} is invalid (${parsed.field}: ${parsed.message}); ask its admin`,
    };
  if (!allowed) {
    return {
      ok: false,
      reason: 'BaselineNotAllowed',
      field,
      message: `Baseline ${name} does not allow namespace ${namespace}; it allows ${describeAllowedNamespaces(parsed.spec)}`,
    };
  }
  return {
    ok: true,
    baseline: { name, uid: object.metadata?.uid, generation: object.metadata?.generation ?? 0, spec: parsed.spec },
  };
}

/** Whether a namespace (with its labels) may use the Baseline: by name, or by a selector with at least one requirement. */
export function allowsNamespace(
  spec: Pick<BaselineSpec, 'allowedNamespaces'>,
  namespace: string,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const { names, selector } = spec.allowedNamespaces;
  if (names?.includes(namespace)) return true;
  if (!selector) return false;
  // An empty selector would allow every namespace of the cluster: it allows none.
  const requirements = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length;
  return requirements > 0 && matchesLabelSelector({ ...labels }, selector);
}

/** The value of a Secret key a Baseline names, read live (the operator caches no Secret); undefined when absent. */
export async function readBaselineSecret(
  ctx: Pick<ReconcileContext, 'client'>,
  ref: NamespacedSecretKey,
): Promise<{ ok: true; value: string } | { ok: false; message: string }> {
  let secret: SecretObject | undefined;
  try {
    secret = await ctx.client.get<SecretObject>({ ...Kinds.Secret, namespace: ref.namespace, name: ref.name });
  } catch (error) {
    if (error instanceof KubeApiError && error.statusCode === 403) {
      return {
        ok: false,
        message: `the operator may not read Secrets in namespace ${ref.namespace}; an admin grants it with the chart value rbac.secretNamespaces (docs/security.md)`,
      };
    }
    throw error;
  }
  if (!secret) return { ok: false, message: `Secret ${ref.namespace}/${ref.name} does not exist` };
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) return { ok: false, message: `Secret ${ref.namespace}/${ref.name} has no key ${ref.key}` };
  return { ok: true, value: Buffer.from(encoded, 'base64').toString('utf8') };
}

/** Who uses Baselines, as pure lookups over the caches (indexes), so they hold from the first event after a restart. */
export interface BaselineUsers {
  /** The requests that name this Baseline (a change re-judges them). */
  ofBaseline: (baseline: BaselineObject, caches: Caches) => Request[];
  /** The requests whose access this namespace's labels (or existence) decide. */
  ofNamespace: (namespace: NamespaceObject, caches: Caches) => Request[];
}

/**
 * Watches every controller that uses Baselines registers: Baselines and
 * Namespaces, both cluster-scoped and small. Baselines are indexed by their
 * production namespace (BASELINE_BY_PRODUCTION_NAMESPACE), so a namespace's
 * appearance can wake what waits for it; Namespaces by the environment
 * namespace a preview acts for (NAMESPACE_BY_ENVIRONMENT_NAMESPACE).
 */
export function baselineWatches(users: BaselineUsers): WatchesKind[] {
  return [
    watching(Kinds.Baseline, {
      scope: 'all',
      indexers: { [BASELINE_BY_PRODUCTION_NAMESPACE]: baselineByProductionNamespace },
      map: users.ofBaseline,
    }),
    watching(Kinds.Namespace, {
      scope: 'all',
      indexers: { [NAMESPACE_BY_ENVIRONMENT_NAMESPACE]: namespaceByEnvironmentNamespace },
      map: users.ofNamespace,
    }),
  ];
}

/** The previews' target namespaces acting for `namespace` (by their label: a hint to wake, never proof of access). */
export function namespacesActingFor(caches: Caches, namespace: string): NamespaceObject[] {
  return caches.cache(Kinds.Namespace).byIndex(NAMESPACE_BY_ENVIRONMENT_NAMESPACE, namespace);
}

/** The Baselines whose production is this namespace of this cluster. */
export function baselinesOfProductionNamespace(caches: Caches, namespace: string): BaselineObject[] {
  return caches.cache(Kinds.Baseline).byIndex(BASELINE_BY_PRODUCTION_NAMESPACE, namespace);
}
