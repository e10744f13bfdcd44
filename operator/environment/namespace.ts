import { createHash } from 'node:crypto';
import { LABELS, MANAGED_BY } from '../api/common';
import { isManagedBy, managedLabels, type EnvironmentRef } from './labels';
import type { KubeObject } from './objects';
import type { PodSecurityLevel } from '../api/baseline';

// The target namespace is the environment's: created with its labels, and
// deleted with it. A namespace that exists without them belongs to someone
// else and is never adopted, changed or deleted.

export const OWNER_ANNOTATION = 'understudy.dev/owner';
export const OWNER_UID_ANNOTATION = 'understudy.dev/owner-uid';

/**
 * `<prefix><environment namespace>-<name>`, shortened with a hash past 63
 * characters. Derived, never chosen: a tenant can only ever name namespaces
 * that start with its own namespace's name.
 */
export function targetNamespaceName(prefix: string, environment: EnvironmentRef): string {
  const base = `${prefix}${environment.namespace}-${environment.name}`.replace(/\./g, '-');
  if (base.length <= 63) return base;
  const hash = createHash('sha256').update(base).digest('hex').slice(0, 8);
  return `${base.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/** The target namespace; its PodSecurity level makes the API server refuse pods above it (privileged test Jobs included). */
export function namespaceObject(
  name: string,
  environment: EnvironmentRef,
  podSecurity: PodSecurityLevel = 'baseline',
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: {
        ...managedLabels(environment),
        'pod-security.kubernetes.io/enforce': podSecurity,
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/warn': podSecurity,
        'pod-security.kubernetes.io/audit': podSecurity,
      },
      annotations: {
        [OWNER_ANNOTATION]: `${environment.namespace}/${environment.name}`,
        ...(environment.uid ? { [OWNER_UID_ANNOTATION]: environment.uid } : {}),
      },
    },
  };
}

export type NamespaceOwnership =
  { state: 'absent' } | { state: 'managed' } | { state: 'terminating' } | { state: 'foreign'; reason: string };

/**
 * Whether an existing namespace is this environment's. A namespace left by a
 * deleted environment of the same name (another uid) is foreign until the
 * orphan sweep removes it.
 */
export function namespaceOwnership(existing: KubeObject | undefined, environment: EnvironmentRef): NamespaceOwnership {
  if (!existing) return { state: 'absent' };
  const name = existing.metadata.name;
  if (!isManagedBy(existing, environment)) {
    const owner = environmentOfNamespace(existing);
    return {
      state: 'foreign',
      reason: owner
        ? `namespace ${name} belongs to StagingEnvironment ${owner.namespace}/${owner.name}`
        : `namespace ${name} exists and is not managed by Understudy; it is never adopted`,
    };
  }
  const uid = existing.metadata.annotations?.[OWNER_UID_ANNOTATION];
  if (uid && environment.uid && uid !== environment.uid)
    return {
      state: 'foreign',
      reason: `namespace ${name} was made for an earlier StagingEnvironment of the same name (uid ${uid})`,
    };
  if (existing.metadata.deletionTimestamp) return { state: 'terminating' };
  return { state: 'managed' };
}

/** The environment a managed namespace was made for, for the orphan sweep; undefined when not managed. */
export function environmentOfNamespace(namespace: KubeObject): EnvironmentRef | undefined {
  const labels = namespace.metadata.labels ?? {};
  if (labels[LABELS.managedBy] !== MANAGED_BY) return undefined;
  const owner = namespace.metadata.annotations?.[OWNER_ANNOTATION];
  const [ownerNamespace, ownerName] = owner?.split('/') ?? [];
  const name = ownerName ?? labels[LABELS.environment];
  const envNamespace = ownerNamespace ?? labels[LABELS.environmentNamespace];
  if (!name || !envNamespace) return undefined;
  const uid = namespace.metadata.annotations?.[OWNER_UID_ANNOTATION];
  return { name, namespace: envNamespace, ...(uid ? { uid } : {}) };
}
