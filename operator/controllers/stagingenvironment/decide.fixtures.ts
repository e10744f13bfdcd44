import type { StagingEnvironmentStatus } from '../../api/stagingenvironment';
import { parseStagingEnvironmentSpec } from '../../api/stagingenvironment';
import { isManagedBy } from '../../environment/labels';
import { expiryPolicyOf, lifetimeStart, type Tombstone } from '../../environment/lifecycle';
import { namespaceObject } from '../../environment/namespace';
import type { KubeObject } from '../../environment/objects';
import { resolveEnvironment } from '../../environment/resolve';
import { baselineSpecOf } from '../../environment/testing/copy-spec';
import type { BaselineAccess } from '../baseline-access';
import type { LiveObjects } from './apply';
import { type EnvironmentObject, refOf } from './lifecycle';
import type { Observed } from './observe';

// Snapshots for the decide table: what observe would gather, built with the
// same pure functions (spec parsing, resolution within the Baseline) and no
// client or cache. A fixture states only what its case is about.

export const CREATED = new Date('2030-01-01T00:00:00Z');
export const at = (seconds: number): Date => new Date(CREATED.getTime() + seconds * 1000);

const deployment = (name: string, image: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop', resourceVersion: '7' },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image }] } },
  },
});

export const PRODUCTION: readonly KubeObject[] = [
  deployment('checkout', 'registry.example.com/shop/checkout:1.0'),
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: { selector: { app: 'checkout' }, ports: [{ port: 80 }] },
  },
];

export interface Fixture {
  spec?: Record<string, unknown>;
  generation?: number;
  status?: StagingEnvironmentStatus;
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    uid?: string;
    creationTimestamp?: string;
  };
  now?: Date;
  baseline?: Record<string, unknown>;
  /** A denial instead of the Baseline. */
  denied?: Extract<BaselineAccess, { ok: false }>;
  /** The target namespace as the cache shows it: 'absent', ours, or an object of someone else's. */
  namespace?: 'absent' | 'ours' | KubeObject;
  accessGranted?: boolean;
  live?: KubeObject[];
  tombstone?: Tombstone;
}

export function environmentOf(f: Fixture): EnvironmentObject {
  return {
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'StagingEnvironment',
    metadata: {
      name: 'pr-1',
      namespace: 'previews',
      uid: 'uid-1',
      generation: f.generation ?? 1,
      creationTimestamp: CREATED.toISOString(),
      ...(f.metadata as object),
    },
    spec: { baselineRef: { name: 'shop' }, ...f.spec },
    ...(f.status ? { status: f.status } : {}),
  };
}

/** The snapshot observe would take of this fixture. */
export function observed(f: Fixture = {}): Observed {
  const env = environmentOf(f);
  const now = f.now ?? at(60);
  const environment = refOf(env);
  const spec = parseStagingEnvironmentSpec(env.spec);
  const expiry = expiryPolicyOf(spec.ok ? spec.spec.expiryPolicy : undefined, env.metadata);
  const createdAt = new Date(env.metadata.creationTimestamp ?? CREATED);
  const lifetime = lifetimeStart(environment, createdAt, expiry.policy === 'Retain' ? f.tombstone : undefined, now);
  const ours = namespaceObject('previews-pr-1', environment);
  const ownNamespaces = f.namespace === 'ours' || (f.namespace === undefined && f.status?.namespace) ? [ours] : [];
  const base: Observed = { now, env, ownNamespaces, spec, expiry, lifetime };
  if (!spec.ok || env.metadata.deletionTimestamp) return base;
  const access: BaselineAccess = f.denied ?? {
    ok: true,
    baseline: { name: 'shop', uid: 'b-1', generation: 1, spec: baselineSpecOf(f.baseline) },
  };
  if (!access.ok) return { ...base, access };
  const resolved = resolveEnvironment({
    environment,
    spec: spec.spec,
    baseline: access.baseline,
    createdAt: lifetime.start,
  });
  if (!resolved.ok) return { ...base, access, resolved };
  const namespace =
    f.namespace === 'absent' ? undefined : typeof f.namespace === 'object' ? f.namespace : ownNamespaces[0];
  const live = f.live ?? [];
  const liveObjects: LiveObjects = {
    get: (object) => live.find((o) => o.kind === object.kind && o.metadata.name === object.metadata.name),
    owned: () => live.filter((o) => isManagedBy(o, environment)),
  };
  return {
    ...base,
    access,
    resolved,
    world: {
      granted: access.baseline,
      kinds: resolved.resolved.kinds,
      baseline: { ok: true, objects: [...PRODUCTION], namespace: 'shop', fingerprint: 'production@7', remote: false },
      targetNamespace: env.status?.namespace ?? resolved.resolved.copy.targetNamespace,
      namespace,
      accessGranted: f.accessGranted ?? namespace !== undefined,
      secrets: [],
      ingresses: [],
      live: liveObjects,
      seeds: { total: 0, succeeded: [], failed: [], pending: [] },
    },
  };
}
