import { environmentOfNamespace } from '../../environment/namespace';
import { Kinds, type BaselineObject, type NamespaceObject, type StagingEnvironmentObject } from '../../kinds';
import type { Indexers } from '../../runtime/object-store';
import { namespacedKey } from '../../runtime/object-key';
import type { Caches, Request } from '../../runtime/reconciler';
import { baselinesOfProductionNamespace, type BaselineUsers } from '../baseline-access';
import { ENVIRONMENT_BY_TARGET_NAMESPACE } from '../shared-indexes';
import type { ParityCheckObject } from './plan';

// Which checks a change wakes: a check's Baseline, its StagingEnvironment, and
// every namespace it reads or waits for (its own, the requester's, staging,
// production). Each answer is an index lookup over cached objects, never a
// table filled by reconciles, so it is right from the first event after a
// restart, before any check has been reconciled.

export const CHECK_BY_BASELINE = 'spec.baselineRef.name';
/** `namespace/name` of the StagingEnvironment a check's spec.staging.environmentRef names (in the check's namespace). */
export const CHECK_BY_ENVIRONMENT = 'spec.staging.environmentRef';

function field(value: unknown, ...path: string[]): string | undefined {
  let at = value;
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return typeof at === 'string' && at ? at : undefined;
}

/** Read from the spec as stored: an invalid spec is still filed under what it names, so fixing the Baseline wakes it. */
export const checkIndexers: Indexers<ParityCheckObject> = {
  [CHECK_BY_BASELINE]: (check) => {
    const name = field(check.spec, 'baselineRef', 'name');
    return name ? [name] : [];
  },
  [CHECK_BY_ENVIRONMENT]: (check) => {
    const name = field(check.spec, 'staging', 'environmentRef', 'name');
    return name ? [namespacedKey(check.metadata?.namespace, name)] : [];
  },
};

const requestOf = (object: { metadata?: { namespace?: string; name?: string } }): Request => ({
  namespace: object.metadata?.namespace ?? '',
  name: object.metadata?.name ?? '',
});

function unique(requests: Request[]): Request[] {
  return [...new Map(requests.map((r) => [namespacedKey(r.namespace, r.name), r])).values()];
}

const checks = (caches: Caches) => caches.cache(Kinds.ParityCheck);
const environments = (caches: Caches) => caches.cache(Kinds.StagingEnvironment);

export function checksOfBaseline(baseline: BaselineObject, caches: Caches): Request[] {
  return checks(caches)
    .byIndex(CHECK_BY_BASELINE, baseline.metadata?.name ?? '')
    .map(requestOf);
}

/**
 * Checks naming the environment: beside it, and in its target namespace (a
 * check the environment made there names it by name, and is resolved to it).
 */
export function checksOfEnvironment(environment: StagingEnvironmentObject, caches: Caches): Request[] {
  const name = environment.metadata?.name ?? '';
  const keys = [namespacedKey(environment.metadata?.namespace, name)];
  const target = environment.status?.namespace;
  if (typeof target === 'string' && target) keys.push(namespacedKey(target, name));
  return unique(keys.flatMap((key) => checks(caches).byIndex(CHECK_BY_ENVIRONMENT, key).map(requestOf)));
}

/**
 * Checks a namespace's creation, deletion or labels may change: those in it;
 * those whose staging it is (the target namespace of the environment they
 * name); those acting for it (checks in the target namespaces of its
 * environments, whose requester it is); and those whose Baseline's production
 * it is.
 */
export function checksOfNamespace(namespace: NamespaceObject, caches: Caches): Request[] {
  const name = namespace.metadata?.name ?? '';
  const out = checks(caches).list(name).map(requestOf);
  for (const environment of environments(caches).byIndex(ENVIRONMENT_BY_TARGET_NAMESPACE, name))
    out.push(...checksOfEnvironment(environment, caches));
  // A namespace made for an environment names it; the environment may not yet say so in its status.
  const owner = namespace.metadata?.name
    ? environmentOfNamespace(namespace as Parameters<typeof environmentOfNamespace>[0])
    : undefined;
  if (owner)
    out.push(
      ...checks(caches).byIndex(CHECK_BY_ENVIRONMENT, namespacedKey(owner.namespace, owner.name)).map(requestOf),
    );
  for (const environment of environments(caches).list(name)) {
    const target = environment.status?.namespace;
    if (typeof target === 'string' && target) out.push(...checks(caches).list(target).map(requestOf));
  }
  for (const baseline of baselinesOfProductionNamespace(caches, name)) out.push(...checksOfBaseline(baseline, caches));
  return unique(out);
}

export const checkUsersOfBaselines: BaselineUsers = { ofBaseline: checksOfBaseline, ofNamespace: checksOfNamespace };
