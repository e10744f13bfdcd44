import { baselineSpecOf, copySpecOf } from '../../environment/testing/copy-spec';
import { copiedKinds } from '../../environment/kinds';
import type { KubeObject } from '../../environment/objects';
import type { ReconcileContext } from '../../runtime/reconciler';
import { BaselineReader } from './baseline';

// The reader against in-memory caches: what it reads, and that it scans the
// caches again only when the index says the baseline namespace changed.

function cachesOf(objects: KubeObject[], counter: { lists: number }): ReconcileContext {
  const byKind = (ref: { kind: string }) => objects.filter((o) => o.kind === ref.kind);
  return {
    cache: (ref: { kind: string }) => ({
      get: (namespace: string, name: string) =>
        byKind(ref).find((o) => (o.metadata.namespace ?? '') === namespace && o.metadata.name === name),
      list: (namespace?: string) => {
        counter.lists++;
        return byKind(ref).filter((o) => namespace === undefined || o.metadata.namespace === namespace);
      },
      hasSynced: () => true,
    }),
  } as unknown as ReconcileContext;
}

const spec = copySpecOf();
const granted = (source: Record<string, unknown> = { namespace: 'shop' }) => ({
  name: 'shop',
  uid: 'u',
  generation: 1,
  spec: baselineSpecOf({ source }),
});
const env = {
  metadata: { name: 'pr-1', namespace: 'previews' },
  spec,
  baseline: granted(),
  kinds: copiedKinds(spec.kinds, spec.secrets.policy),
};

describe('BaselineReader over the caches', () => {
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'shop', resourceVersion: '1' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'elsewhere', namespace: 'other', resourceVersion: '2' } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', namespace: 'shop', resourceVersion: '3' } },
  ];

  it("reads the baseline namespace's objects of the copied kinds, and nothing of other namespaces", async () => {
    const read = await new BaselineReader('understudy-system').read(env, cachesOf(objects, { lists: 0 }));
    expect(read.ok && read.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/a',
      'Deployment/cart',
    ]);
  });

  it('gives a new fingerprint when an object of the baseline changed, the same one otherwise', async () => {
    const ctx = cachesOf(objects, { lists: 0 });
    const reader = new BaselineReader('understudy-system');
    const first = await reader.read(env, ctx);
    const second = await reader.read(env, ctx);
    expect(second.ok && first.ok && second.fingerprint === first.fingerprint).toBe(true);
    objects[1] = { ...objects[1]!, metadata: { ...objects[1]!.metadata, resourceVersion: '9' } };
    const third = await reader.read(env, ctx);
    expect(third.ok && first.ok && third.fingerprint !== first.fingerprint).toBe(true);
  });

  it('reports a missing baseline namespace naming the field', async () => {
    const read = await new BaselineReader('understudy-system').read(
      {
        ...env,
        spec: { ...spec, source: { namespace: 'gone', remote: false } },
        baseline: granted({ namespace: 'gone' }),
      },
      cachesOf(objects, { lists: 0 }),
    );
    expect(read).toEqual({
      ok: false,
      reason: 'BaselineNotFound',
      field: 'spec.baselineRef.name',
      message: 'namespace gone of Baseline shop does not exist',
    });
  });
});
