import { EnvironmentIndex, watchedKinds } from './watches';

const managed = { 'app.kubernetes.io/managed-by': 'understudy', 'understudy.dev/environment': 'pr-1', 'understudy.dev/environment-namespace': 'previews' };

describe('what wakes an environment', () => {
  const index = new EnvironmentIndex();
  index.set({ namespace: 'previews', name: 'pr-1' }, { baselineName: 'shop', baselineNamespace: 'shop', targetNamespace: 'shop-pr-1' });
  index.set({ namespace: 'previews', name: 'pr-2' }, { baselineName: 'rendered', manifests: 'admin/rendered', targetNamespace: 'rendered-pr-2' });
  const watches = watchedKinds(index);
  const watch = (kind: string) => {
    const found = watches.find((w) => w.kind === kind);
    if (!found) throw new Error(`no watch of ${kind}`);
    return found;
  };

  it('maps the environment\'s own objects by their labels', () => {
    expect(watch('Deployment').map({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'cart', namespace: 'shop-pr-1', labels: managed } })).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(watch('ResourceQuota').map({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'shop-pr-1', labels: managed } })).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(watch('ResourceQuota').map({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'shop' } })).toEqual([]);
  });

  it('maps baseline objects to the environments reading their namespace, and the manifests ConfigMap to its reader', () => {
    expect(watch('ConfigMap').map({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } })).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(watch('ConfigMap').map({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rendered', namespace: 'admin' } })).toEqual([{ namespace: 'previews', name: 'pr-2' }]);
    expect(watch('ConfigMap').map({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rendered', namespace: 'previews' } })).toEqual([]);
    expect(watch('Service').map({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'x', namespace: 'elsewhere' } })).toEqual([]);
  });

  it('maps namespaces to their owner, and to environments using that name as baseline or target', () => {
    const owned = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop-pr-1', labels: managed, annotations: { 'understudy.dev/owner': 'previews/pr-1' } } };
    expect(watch('Namespace').map(owned)).toEqual([{ namespace: 'previews', name: 'pr-1' }, { namespace: 'previews', name: 'pr-1' }]);
    expect(watch('Namespace').map({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(watch('Namespace').map({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rendered-pr-2' } })).toEqual([{ namespace: 'previews', name: 'pr-2' }]);
  });

  it('maps the environments\' own namespace to them, whose labels decide which Baselines allow them', () => {
    const labelled = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'previews', labels: { 'understudy.dev/previews': 'true' } } };
    expect(watch('Namespace').map(labelled)).toEqual([{ namespace: 'previews', name: 'pr-1' }, { namespace: 'previews', name: 'pr-2' }]);
    expect(watch('Namespace').map({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } })).toEqual([]);
  });

  it('maps a Baseline to the environments naming it', () => {
    expect(watch('Baseline').map({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'shop' } })).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(watch('Baseline').map({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'rendered' } })).toEqual([{ namespace: 'previews', name: 'pr-2' }]);
    expect(watch('Baseline').map({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'other' } })).toEqual([]);
  });

  it('caches no Secret at all (each environment lists its own namespace\'s), and forgets deleted environments', () => {
    expect(watches.some((w) => w.kind === 'Secret')).toBe(false);
    expect(watch('ResourceQuota').labelSelector).toBe('app.kubernetes.io/managed-by=understudy');
    expect(watch('Deployment').labelSelector).toBeUndefined();
    expect(watches.every((w) => w.scope === 'all')).toBe(true);
    index.delete({ namespace: 'previews', name: 'pr-1' });
    expect(watch('ConfigMap').map({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'shop' } })).toEqual([]);
    expect(watch('Baseline').map({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: 'shop' } })).toEqual([]);
  });
});
