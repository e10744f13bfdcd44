import { createHash } from 'node:crypto';
import { LABELS, MANAGED_BY } from '../api/common';
import type { ExpiryPolicy, StagingEnvironmentSpec } from '../api/stagingenvironment';
import { parseDuration } from '../api/values/duration';
import { isRecord, type KubeObject } from './objects';

// When an environment ends, and what its end does.
//
// The lifetime counts from the environment's creation. Under GitOps that is
// not enough: a tool that re-creates what Git declares (Argo CD's automated
// sync, Flux) brings a deleted StagingEnvironment straight back, same spec,
// new uid and creationTimestamp, so deleting at expiry would start a fresh
// lifetime forever. There the resource is kept (Retain): the environment is
// torn down, the resource stays Expired until Git removes it. A record of the
// expiry (a tombstone, in the operator's namespace) outlives the resource, so
// a copy re-created under the same name within TOMBSTONE_RETENTION_MS counts
// its lifetime from the first one's creation, and is expired at once.

/** Labels and annotations by which Argo CD and Flux mark what they manage (and re-create). */
export const GITOPS_TRACKING_LABELS: readonly string[] = [
  'argocd.argoproj.io/instance',
  'app.kubernetes.io/instance',
  'kustomize.toolkit.fluxcd.io/name',
  'helm.toolkit.fluxcd.io/name',
];
export const GITOPS_TRACKING_ANNOTATIONS: readonly string[] = ['argocd.argoproj.io/tracking-id'];

/** How long a tombstone anchors re-created environments of its name after their expiry. */
export const TOMBSTONE_RETENTION_MS = 7 * 24 * 3600_000;
export const TOMBSTONE_LABEL = 'understudy.dev/expired-environment';

export function expiryOf(spec: Pick<StagingEnvironmentSpec, 'ttl' | 'expiresAt'>, createdAt: Date): Date | undefined {
  if (spec.expiresAt !== undefined) return new Date(spec.expiresAt);
  if (spec.ttl === undefined) return undefined;
  const ttl = parseDuration(spec.ttl);
  return ttl.ok ? new Date(createdAt.getTime() + ttl.milliseconds) : undefined;
}

/** Milliseconds until expiry (0 or less: expired), or undefined when the environment does not expire. */
export function timeToExpiry(
  spec: Pick<StagingEnvironmentSpec, 'ttl' | 'expiresAt'>,
  createdAt: Date,
  now: Date,
): number | undefined {
  const expiry = expiryOf(spec, createdAt);
  return expiry ? expiry.getTime() - now.getTime() : undefined;
}

export interface ExpiryPolicyChoice {
  policy: ExpiryPolicy;
  /** Why: the field, or the tracking marker that made Retain the default. */
  because: string;
}

type Marked = { labels?: Readonly<Record<string, string>>; annotations?: Readonly<Record<string, string>> };

/** spec.expiryPolicy, else Retain for an object a GitOps tool tracks (it would re-create it), else Delete. */
export function expiryPolicyOf(explicit: ExpiryPolicy | undefined, metadata: Marked): ExpiryPolicyChoice {
  if (explicit) return { policy: explicit, because: 'spec.expiryPolicy' };
  const label = GITOPS_TRACKING_LABELS.find((key) => metadata.labels?.[key] !== undefined);
  if (label) return { policy: 'Retain', because: `label ${label}` };
  const annotation = GITOPS_TRACKING_ANNOTATIONS.find((key) => metadata.annotations?.[key] !== undefined);
  if (annotation) return { policy: 'Retain', because: `annotation ${annotation}` };
  return { policy: 'Delete', because: 'the default without a GitOps tracking label or annotation' };
}

/** What an expiry leaves behind under Retain, so that a re-created copy of the resource is not a new lifetime. */
export interface Tombstone {
  namespace: string;
  name: string;
  /** uid of the resource that expired. */
  uid: string;
  /** When the first resource of this name was created: the lifetime of every later copy counts from it. */
  firstCreatedAt: Date;
  expiredAt: Date;
}

/** One tombstone per environment name: a ConfigMap name from a digest (namespace and name together exceed 253 characters). */
export function tombstoneName(environment: { namespace: string; name: string }): string {
  return `understudy-expired-${createHash('sha256').update(`${environment.namespace}/${environment.name}`).digest('hex').slice(0, 20)}`;
}

export function tombstoneObject(t: Tombstone, operatorNamespace: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: tombstoneName(t),
      namespace: operatorNamespace,
      labels: { [LABELS.managedBy]: MANAGED_BY, [TOMBSTONE_LABEL]: 'true' },
    },
    data: {
      namespace: t.namespace,
      name: t.name,
      uid: t.uid,
      firstCreatedAt: t.firstCreatedAt.toISOString(),
      expiredAt: t.expiredAt.toISOString(),
    },
  };
}

/** The tombstone a ConfigMap holds; undefined for anything else (never trusted beyond its own fields). */
export function parseTombstone(object: KubeObject | undefined): Tombstone | undefined {
  if (!object || object.metadata.labels?.[TOMBSTONE_LABEL] !== 'true' || !isRecord(object.data)) return undefined;
  const { namespace, name, uid, firstCreatedAt, expiredAt } = object.data;
  if (typeof namespace !== 'string' || typeof name !== 'string' || typeof uid !== 'string') return undefined;
  const first = new Date(String(firstCreatedAt));
  const expired = new Date(String(expiredAt));
  if (Number.isNaN(first.getTime()) || Number.isNaN(expired.getTime())) return undefined;
  return { namespace, name, uid, firstCreatedAt: first, expiredAt: expired };
}

export function tombstoneLive(t: Tombstone, now: Date): boolean {
  return now.getTime() - t.expiredAt.getTime() < TOMBSTONE_RETENTION_MS;
}

/**
 * Where the lifetime counts from: the resource's creation, or the first
 * creation of its name when an earlier resource of that name expired (under
 * Retain) within the retention. An expiresAt in the spec is absolute and
 * needs no anchor.
 */
export function lifetimeStart(
  environment: { namespace: string; name: string; uid?: string },
  createdAt: Date,
  tombstone: Tombstone | undefined,
  now: Date,
): { start: Date; earlier?: Tombstone } {
  if (
    !tombstone ||
    !tombstoneLive(tombstone, now) ||
    tombstone.namespace !== environment.namespace ||
    tombstone.name !== environment.name
  )
    return { start: createdAt };
  if (tombstone.firstCreatedAt.getTime() >= createdAt.getTime()) return { start: createdAt };
  return { start: tombstone.firstCreatedAt, ...(tombstone.uid !== environment.uid ? { earlier: tombstone } : {}) };
}
