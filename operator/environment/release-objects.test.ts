import type { KubeObject } from './objects';
import { DEFAULT_TRACKING_LABELS, isReleaseBookkeeping, stripTrackingMetadata } from './release-objects';

const object = (
  apiVersion: string,
  kind: string,
  name: string,
  extra: Partial<KubeObject> & { labels?: Record<string, string> } = {},
): KubeObject => {
  const { labels, ...rest } = extra;
  return { apiVersion, kind, metadata: { name, namespace: 'shop', ...(labels ? { labels } : {}) }, ...rest };
};

describe('isReleaseBookkeeping', () => {
  it.each([
    ['a Helm release Secret by type', object('v1', 'Secret', 'anything', { type: 'helm.sh/release.v1' })],
    ['a Helm release Secret by name', object('v1', 'Secret', 'sh.helm.release.v1.shop.v12', { type: 'Opaque' })],
    ['a Helm release ConfigMap by name', object('v1', 'ConfigMap', 'sh.helm.release.v1.shop.v3')],
    [
      'a Helm release ConfigMap by labels',
      object('v1', 'ConfigMap', 'shop.v3', {
        labels: { owner: 'helm', name: 'shop', version: '3', status: 'deployed' },
      }),
    ],
    [
      'a Tiller (Helm 2) ConfigMap',
      object('v1', 'ConfigMap', 'shop.v3', { labels: { OWNER: 'TILLER', NAME: 'shop', VERSION: '3' } }),
    ],
    [
      'an Argo CD cluster Secret',
      object('v1', 'Secret', 'cluster-prod', { labels: { 'argocd.argoproj.io/secret-type': 'cluster' } }),
    ],
    [
      'an Argo CD repository Secret',
      object('v1', 'Secret', 'repo-shop', { labels: { 'argocd.argoproj.io/secret-type': 'repository' } }),
    ],
    ['an Argo CD Application', object('argoproj.io/v1alpha1', 'Application', 'shop')],
    ['an Argo CD ApplicationSet', object('argoproj.io/v1alpha1', 'ApplicationSet', 'shop')],
    ['an Argo CD AppProject', object('argoproj.io/v1alpha1', 'AppProject', 'shop')],
    ['a Flux Kustomization', object('kustomize.toolkit.fluxcd.io/v1', 'Kustomization', 'shop')],
    ['a Flux HelmRelease', object('helm.toolkit.fluxcd.io/v2', 'HelmRelease', 'shop')],
    ['a Flux GitRepository', object('source.toolkit.fluxcd.io/v1', 'GitRepository', 'shop')],
  ])('true for %s', (_, o) => {
    expect(isReleaseBookkeeping(o)).toBe(true);
  });

  it.each([
    ['an ordinary Secret', object('v1', 'Secret', 'db', { type: 'Opaque' })],
    [
      'an ordinary ConfigMap with Helm-managed labels',
      object('v1', 'ConfigMap', 'shop-config', {
        labels: { 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'shop-1.2.3' },
      }),
    ],
    [
      'a ConfigMap labelled owner=helm without a release version',
      object('v1', 'ConfigMap', 'notes', { labels: { owner: 'helm', name: 'x' } }),
    ],
    ['a ConfigMap named like a release of another version', object('v1', 'ConfigMap', 'sh.helm.release.v2.x')],
    [
      'a Deployment tracked by Argo CD',
      object('apps/v1', 'Deployment', 'gateway', { labels: { 'argocd.argoproj.io/instance': 'shop' } }),
    ],
    ['an Argo Rollout (a workload)', object('argoproj.io/v1alpha1', 'Rollout', 'gateway')],
    [
      'a Deployment named like a release',
      object('apps/v1', 'Deployment', 'sh.helm.release.v1.x', { type: 'helm.sh/release.v1' }),
    ],
    ['a kind of another group named Secret', object('example.com/v1', 'Secret', 'sh.helm.release.v1.x')],
  ])('false for %s', (_, o) => {
    expect(isReleaseBookkeeping(o)).toBe(false);
  });
});

describe('stripTrackingMetadata', () => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'gateway',
      labels: {
        'argocd.argoproj.io/instance': 'shop',
        'app.kubernetes.io/instance': 'shop',
        'kustomize.toolkit.fluxcd.io/name': 'apps',
        app: 'gateway',
      },
      annotations: {
        'argocd.argoproj.io/tracking-id': 'shop:apps/Deployment:shop/gateway',
        'argocd.argoproj.io/sync-options': 'Prune=false',
        'argocd.argoproj.io/sync-wave': '2',
        'kubectl.kubernetes.io/last-applied-configuration': '{"env":"secret"}',
        'meta.helm.sh/release-name': 'shop',
        'meta.helm.sh/release-namespace': 'shop',
        'prometheus.io/scrape': 'true',
      },
    },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/instance': 'shop', 'argocd.argoproj.io/instance': 'shop' } },
      template: {
        metadata: {
          labels: { 'app.kubernetes.io/instance': 'shop', 'argocd.argoproj.io/instance': 'shop' },
          annotations: { 'argocd.argoproj.io/sync-wave': '2' },
        },
        spec: { containers: [] },
      },
    },
  };

  it('removes the default tracking labels and tool annotations from the top-level metadata only', () => {
    const before = JSON.stringify(deployment);
    const stripped = stripTrackingMetadata(deployment, DEFAULT_TRACKING_LABELS);
    expect(stripped.metadata.labels).toEqual({ 'app.kubernetes.io/instance': 'shop', app: 'gateway' });
    expect(stripped.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true' });
    expect(stripped.spec).toEqual(deployment.spec);
    expect(JSON.stringify(deployment)).toBe(before);
    expect(stripped.metadata).not.toBe(deployment.metadata);
  });

  it('removes app.kubernetes.io/instance when the caller names it the tracking label', () => {
    const stripped = stripTrackingMetadata(deployment, [...DEFAULT_TRACKING_LABELS, 'app.kubernetes.io/instance']);
    expect(stripped.metadata.labels).toEqual({ app: 'gateway' });
    expect((stripped.spec as { selector: unknown }).selector).toEqual({
      matchLabels: { 'app.kubernetes.io/instance': 'shop', 'argocd.argoproj.io/instance': 'shop' },
    });
  });

  it('drops label and annotation maps that end up empty', () => {
    const only: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'c',
        labels: { 'argocd.argoproj.io/instance': 'shop' },
        annotations: { 'meta.helm.sh/release-name': 'shop' },
      },
    };
    expect(stripTrackingMetadata(only, DEFAULT_TRACKING_LABELS).metadata).toEqual({ name: 'c' });
  });
});
