import { API_VERSION } from '../api/common';
import { describeAllowedNamespaces, parseBaselineSpec, type BaselineSpec, type NamespacedSecretKey } from '../api/baseline';
import { matchesLabelSelector } from '../environment/selectors';
import type { KubernetesObject } from '../runtime/client-node';
import type { WatchesKind } from '../runtime/controller';
import { KubeApiError } from '../runtime/kube-errors';
import type { ReconcileContext, Request } from '../runtime/reconciler';

// The one door to production. A StagingEnvironment, DataSeed or ParityCheck
// names a Baseline; it gets the Baseline's spec only when the Baseline
// allows the requester's namespace, so a user can reach nothing an admin did
// not put in a Baseline for them. Nothing of the Baseline is read otherwise.

export const BASELINE_REF = { apiVersion: API_VERSION, kind: 'Baseline' } as const;
export const NAMESPACE_KIND = { apiVersion: 'v1', kind: 'Namespace' } as const;

export type BaselineDenial = 'BaselineNotFound' | 'BaselineNotAllowed' | 'InvalidBaseline';

export interface GrantedBaseline {
  name: string;
  uid: string | undefined;
  generation: number;
  spec: BaselineSpec;
}

export type BaselineAccess = { ok: true; baseline: GrantedBaseline } | { ok: false; reason: BaselineDenial; field: string; message: string };

/**
 * The Baseline `name`, if it allows `namespace`. `field` is the requester's
 * field that names it (`spec.baselineRef.name`), so messages point at it.
 * Reads both the Baseline and the namespace from the caches the controller
 * registered with baselineWatches().
 */
export function accessBaseline(ctx: Pick<ReconcileContext, 'cache'>, name: string, namespace: string, field = 'spec.baselineRef.name'): BaselineAccess {
  const object = ctx.cache<KubernetesObject & { spec?: unknown }>(BASELINE_REF.apiVersion, BASELINE_REF.kind).get('', name);
  if (!object) return { ok: false, reason: 'BaselineNotFound', field, message: `Baseline ${name} does not exist` };
  const labels = ctx.cache(NAMESPACE_KIND.apiVersion, NAMESPACE_KIND.kind).get('', namespace)?.metadata?.labels;
  const parsed = parseBaselineSpec(object.spec);
  // Judge access first: a namespace that may not use a Baseline learns nothing of it, not even that it is broken.
  const allowed = parsed.ok ? allowsNamespace(parsed.spec, namespace, labels) : false;
  if (!parsed.ok) return { ok: false, reason: 'InvalidBaseline', field, message: `Baseline ${name} is invalid (${parsed.field}: ${parsed.message}); ask its admin` };
  if (!allowed) {
    return { ok: false, reason: 'BaselineNotAllowed', field, message: `Baseline ${name} does not allow namespace ${namespace}; it allows ${describeAllowedNamespaces(parsed.spec)}` };
  }
  return { ok: true, baseline: { name, uid: object.metadata?.uid, generation: object.metadata?.generation ?? 0, spec: parsed.spec } };
}

/** Whether a namespace (with its labels) may use the Baseline: by name, or by a selector with at least one requirement. */
export function allowsNamespace(spec: Pick<BaselineSpec, 'allowedNamespaces'>, namespace: string, labels: Readonly<Record<string, string>> | undefined): boolean {
  const { names, selector } = spec.allowedNamespaces;
  if (names?.includes(namespace)) return true;
  if (!selector) return false;
  // An empty selector would allow every namespace of the cluster: it allows none.
  const requirements = Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length;
  return requirements > 0 && matchesLabelSelector({ ...labels }, selector);
}

/** The value of a Secret key a Baseline names, read live (the operator caches no Secret); undefined when absent. */
export async function readBaselineSecret(ctx: Pick<ReconcileContext, 'client'>, ref: NamespacedSecretKey): Promise<{ ok: true; value: string } | { ok: false; message: string }> {
  let secret: (KubernetesObject & { data?: Record<string, string> }) | undefined;
  try {
    secret = await ctx.client.get<KubernetesObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', namespace: ref.namespace, name: ref.name });
  } catch (error) {
    if (error instanceof KubeApiError && error.statusCode === 403) {
      return { ok: false, message: `the operator may not read Secrets in namespace ${ref.namespace}; an admin grants it with the chart value rbac.secretNamespaces (docs/security.md)` };
    }
    throw error;
  }
  if (!secret) return { ok: false, message: `Secret ${ref.namespace}/${ref.name} does not exist` };
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) return { ok: false, message: `Secret ${ref.namespace}/${ref.name} has no key ${ref.key}` };
  return { ok: true, value: Buffer.from(encoded, 'base64').toString('utf8') };
}

/**
 * Watches every controller that uses Baselines registers: Baselines (a change
 * re-reconciles the requests `usersOf` names) and Namespaces (their labels
 * decide access). Both are cluster-scoped and small.
 */
export function baselineWatches(usersOf: (baselineName: string) => Request[], usersInNamespace: (namespace: string) => Request[] = () => []): WatchesKind[] {
  return [
    { ...BASELINE_REF, scope: 'all', map: (object) => usersOf(object.metadata?.name ?? '') },
    { ...NAMESPACE_KIND, scope: 'all', map: (object) => usersInNamespace(object.metadata?.name ?? '') },
  ];
}
