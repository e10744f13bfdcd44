import { Kinds } from '../../kinds';
import type { KubeClient } from '../../runtime/kube-client';
import type { ReconcileContext } from '../../runtime/reconciler';
import { staticCaches } from '../../runtime/testing/static-caches';
import { PERMISSIVE_BASELINE } from '../../environment/testing/copy-spec';
import { BaselineReader } from './baseline';
import type { EnvironmentObject } from './lifecycle';
import { observe } from './observe';
import { NAMESPACE_BY_OWNER, namespaceByOwner } from './watches';

// Observe reads and never writes: with a client whose every write throws, it
// gathers the snapshot decide needs.

const production = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'previews' } },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cart', namespace: 'shop', resourceVersion: '3' },
    spec: { replicas: 1 },
  },
  {
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'Baseline',
    metadata: { name: 'shop', uid: 'b' },
    spec: PERMISSIVE_BASELINE,
  },
];

function contextOf(objects: object[], reads: string[]): ReconcileContext {
  const caches = staticCaches(objects, [
    { kind: Kinds.Namespace, indexers: { [NAMESPACE_BY_OWNER]: namespaceByOwner } },
  ]);
  const refuse = (verb: string) => () => {
    throw new Error(`observe must not ${verb}`);
  };
  const client = {
    get: async (ref: { kind: string; name: string }) => void reads.push(`get ${ref.kind}/${ref.name}`),
    list: async (_apiVersion: string, kind: string) => {
      reads.push(`list ${kind}`);
      return { items: [] };
    },
    apply: refuse('apply'),
    create: refuse('create'),
    delete: refuse('delete'),
    mergePatch: refuse('patch'),
    jsonPatch: refuse('patch'),
  } as unknown as KubeClient;
  return { ...caches, client } as unknown as ReconcileContext;
}

const env = (spec: Record<string, unknown> = {}): EnvironmentObject => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind: 'StagingEnvironment',
  metadata: {
    name: 'pr-1',
    namespace: 'previews',
    uid: 'u-1',
    generation: 1,
    creationTimestamp: '2030-01-01T00:00:00Z',
  },
  spec: { baselineRef: { name: 'shop' }, ...spec },
});

describe('observe', () => {
  const now = () => new Date('2030-01-01T00:01:00Z');

  it("gathers a new environment's world from the caches, writing nothing and listing nothing in a namespace not yet made", async () => {
    const reads: string[] = [];
    const observed = await observe(env(), contextOf(production, reads), {
      baselines: new BaselineReader('understudy-system'),
      operatorNamespace: 'understudy-system',
      now,
    });
    expect(observed.access?.ok).toBe(true);
    expect(observed.world?.baseline.ok && observed.world.baseline.objects.map((o) => o.metadata.name)).toEqual([
      'cart',
    ]);
    expect(observed.world?.namespace).toBeUndefined();
    expect(observed.world?.targetNamespace).toBe('previews-pr-1');
    expect(reads).toEqual([]);
  });

  it('stops reading at what decide needs: nothing of the Baseline for an invalid spec, nothing of the world once expired', async () => {
    const reads: string[] = [];
    const invalid = await observe(env({ scale: { replicas: '0' } }), contextOf(production, reads), {
      baselines: new BaselineReader('understudy-system'),
      operatorNamespace: 'understudy-system',
      now,
    });
    expect(invalid.spec.ok).toBe(false);
    expect(invalid.access).toBeUndefined();
    const expired = await observe(env({ ttl: '30s' }), contextOf(production, reads), {
      baselines: new BaselineReader('understudy-system'),
      operatorNamespace: 'understudy-system',
      now,
    });
    expect(expired.resolved?.ok && expired.resolved.resolved.expiresAt?.toISOString()).toBe('2030-01-01T00:00:30.000Z');
    expect(expired.world).toBeUndefined();
    expect(reads).toEqual([]);
  });
});
