import { Kinds } from '../../kinds';
import { staticCaches } from '../../runtime/testing/static-caches';
import { BASELINE_BY_PRODUCTION_NAMESPACE, baselineByProductionNamespace } from '../shared-indexes';
import { environmentIndexers, watchedKinds } from './watches';

// What wakes an environment, from caches just listed (as after a restart):
// every mapping is an index lookup, so it holds before any reconcile ran.

const managed = {
  'app.kubernetes.io/managed-by': 'understudy',
  'understudy.dev/environment': 'pr-1',
  'understudy.dev/environment-namespace': 'previews',
};
const env = (name: string, baseline: string, target?: string) => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind: 'StagingEnvironment',
  metadata: { name, namespace: 'previews' },
  spec: { baselineRef: { name: baseline } },
  ...(target ? { status: { namespace: target } } : {}),
});
const baseline = (name: string, source: Record<string, unknown>) => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind: 'Baseline',
  metadata: { name },
  spec: { source },
});

describe('what wakes an environment', () => {
  const caches = staticCaches(
    [
      env('pr-1', 'shop', 'shop-pr-1'),
      env('pr-2', 'rendered', 'rendered-pr-2'),
      baseline('shop', { namespace: 'shop' }),
      baseline('rendered', {
        namespace: 'shop',
        manifests: { configMapRef: { namespace: 'admin', name: 'rendered', key: 'all.yaml' } },
      }),
    ],
    [
      { kind: Kinds.StagingEnvironment, indexers: environmentIndexers },
      { kind: Kinds.Baseline, indexers: { [BASELINE_BY_PRODUCTION_NAMESPACE]: baselineByProductionNamespace } },
    ],
  );
  const watches = watchedKinds();
  const watch = (kind: string) => {
    const found = watches.find((w) => w.kind === kind);
    if (!found) throw new Error(`no watch of ${kind}`);
    return (object: Record<string, unknown>) => found.map(object, caches);
  };

  it("maps the environment's own objects by their labels", () => {
    expect(
      watch('Deployment')({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'cart', namespace: 'shop-pr-1', labels: managed },
      }),
    ).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(
      watch('ResourceQuota')({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'q', namespace: 'shop-pr-1', labels: managed },
      }),
    ).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(
      watch('ResourceQuota')({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'shop' } }),
    ).toEqual([]);
  });

  it('maps baseline objects to the environments reading their namespace, and the manifests ConfigMap to its reader', () => {
    expect(
      watch('ConfigMap')({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } }),
    ).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(
      watch('ConfigMap')({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rendered', namespace: 'admin' } }),
    ).toEqual([{ namespace: 'previews', name: 'pr-2' }]);
    expect(
      watch('ConfigMap')({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'rendered', namespace: 'previews' },
      }),
    ).toEqual([]);
    expect(
      watch('Service')({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'elsewhere' } }),
    ).toEqual([]);
  });

  it('maps namespaces to their owner, and to environments using that name as baseline or target', () => {
    const owned = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop-pr-1', labels: managed, annotations: { 'understudy.dev/owner': 'previews/pr-1' } },
    };
    expect(watch('Namespace')(owned)).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(watch('Namespace')({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).toEqual([
      { namespace: 'previews', name: 'pr-1' },
    ]);
    expect(watch('Namespace')({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rendered-pr-2' } })).toEqual([
      { namespace: 'previews', name: 'pr-2' },
    ]);
  });

  it("maps the environments' own namespace to them, whose labels decide which Baselines allow them", () => {
    const labelled = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'previews', labels: { 'understudy.dev/previews': 'true' } },
    };
    expect(watch('Namespace')(labelled)).toEqual([
      { namespace: 'previews', name: 'pr-1' },
      { namespace: 'previews', name: 'pr-2' },
    ]);
    expect(watch('Namespace')({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } })).toEqual([]);
  });

  it('maps a Baseline to the environments naming it', () => {
    expect(
      watch('Baseline')({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'shop' } }),
    ).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(
      watch('Baseline')({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'rendered' } }),
    ).toEqual([{ namespace: 'previews', name: 'pr-2' }]);
    expect(
      watch('Baseline')({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'other' } }),
    ).toEqual([]);
  });

  it("caches no Secret at all (each environment lists its own namespace's), and forgets deleted environments", () => {
    expect(watches.some((w) => w.kind === 'Secret')).toBe(false);
    expect(watches.find((w) => w.kind === 'ResourceQuota')?.labelSelector).toBe(
      'app.kubernetes.io/managed-by=understudy',
    );
    expect(watches.find((w) => w.kind === 'Deployment')?.labelSelector).toBeUndefined();
    expect(watches.every((w) => w.scope === 'all')).toBe(true);
    caches.remove(env('pr-1', 'shop', 'shop-pr-1'));
    expect(
      watch('ConfigMap')({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } }),
    ).toEqual([]);
    expect(
      watch('Baseline')({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'shop' } }),
    ).toEqual([]);
  });
});
