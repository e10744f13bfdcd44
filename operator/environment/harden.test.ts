import { hardenCopies } from './harden';
import type { KubeObject } from './objects';

// The last pass over copies, tried as an attacker would use a baseline.

const options = {
  targetNamespace: 'preview-team-a-pr-1',
  policy: 'Omit' as const,
  keep: new Set<string>(),
  rbac: { bindableClusterRoles: ['view'] },
  random: (n: number) => new Uint8Array(n).fill(7),
};

function binding(name: string, roleRef: Record<string, unknown>, subjects: Array<Record<string, unknown>>): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
}

describe('hardening copies', () => {
  it('never copies a binding to a person or to a ClusterRole the Baseline does not list', () => {
    const result = hardenCopies(
      [
        binding('to-user', { kind: 'Role', name: 'admin-ish' }, [{ kind: 'User', name: 'mallory' }]),
        binding('to-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [
          { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
        ]),
        binding('to-view', { kind: 'ClusterRole', name: 'view' }, [
          { kind: 'ServiceAccount', name: 'app', namespace: 'kube-system' },
        ]),
      ],
      options,
    );
    expect(result.objects.map((o) => o.metadata.name)).toEqual(['to-view']);
    expect(result.objects[0]?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'app', namespace: 'preview-team-a-pr-1' },
    ]);
    expect(result.warnings.join('\n')).toMatch(/to-user binds User mallory/);
    expect(result.warnings.join('\n')).toMatch(/ClusterRole cluster-admin/);
  });

  // The copy's workloads run the tenant's image under these Roles; the Baseline's TLS Secret is in the same namespace.
  it("never copies a Role that may read the Baseline's TLS Secret", () => {
    const role = (name: string, rules: Array<Record<string, unknown>>): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name },
      rules,
    });
    const roles = [
      role('reads-secrets', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]),
      role('reads-everything', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }]),
      role('names-it', [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['wildcard'], verbs: ['list'] }]),
      role('names-others', [
        { apiGroups: [''], resources: ['secrets'], resourceNames: ['app-config'], verbs: ['get'] },
      ]),
      role('writes-only', [{ apiGroups: [''], resources: ['secrets'], verbs: ['create'] }]),
      role('config', [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'watch'] }]),
    ];
    const withTls = hardenCopies(roles, { ...options, rbac: { ...options.rbac, tlsSecretName: 'wildcard' } });
    expect(withTls.objects.map((o) => o.metadata.name)).toEqual(['names-others', 'writes-only', 'config']);
    expect(withTls.warnings.join('\n')).toMatch(/Role reads-secrets may read Secret wildcard, .*it is not copied/);
    // Without hosts there is no TLS Secret in the preview: Roles are copied as they are.
    expect(hardenCopies(roles, options).objects).toHaveLength(roles.length);
  });

  it('replaces credentials in ConfigMaps and env under Omit, naming the place and never the value', () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cart-config' },
      data: { REDIS_URL: 'redis://:s3cr3t-pr0d@redis:6379/0', LOG_LEVEL: 'info' },
    };
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'payments', labels: { 'app.kubernetes.io/instance': 'shop-prod' } },
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/instance': 'shop-prod' } },
        template: {
          metadata: { labels: { 'app.kubernetes.io/instance': 'shop-prod' } },
          spec: {
            containers: [
              {
                name: 'app',
                image: 'p:1',
                env: [{ name: 'STRIPE_API_KEY', value: 'sk_live_51HxProdKeyDoNotLeak9a8b7c6d5e4f' }],
              },
            ],
          },
        },
      },
    };
    const result = hardenCopies([configMap, deployment], options);
    const text = JSON.stringify(result.objects);
    expect(text).not.toContain('s3cr3t-pr0d');
    expect(text).not.toContain('sk_live_51HxProdKeyDoNotLeak9a8b7c6d5e4f');
    expect(text).toContain('"LOG_LEVEL":"info"');
    expect(result.redacted.sort()).toEqual([
      'ConfigMap/cart-config:REDIS_URL',
      'Deployment/payments:app/STRIPE_API_KEY',
    ]);
    expect(result.redacted.join()).not.toContain('s3cr3t');
    // Argo CD's tracking label leaves the top level only; the selector still matches the pods.
    const copy = result.objects[1]!;
    expect(copy.metadata.labels?.['app.kubernetes.io/instance']).toBeUndefined();
    expect(JSON.stringify(copy.spec)).toContain('"app.kubernetes.io/instance":"shop-prod"');
  });

  it("strips every Argo CD and Flux label and annotation from copies, so the baseline's Application or Kustomization never claims or prunes them", () => {
    const tracked: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'cart-config',
        labels: {
          'app.kubernetes.io/instance': 'shop-prod',
          'argocd.argoproj.io/instance': 'shop-prod',
          'kustomize.toolkit.fluxcd.io/name': 'shop',
          'kustomize.toolkit.fluxcd.io/namespace': 'flux-system',
          'helm.toolkit.fluxcd.io/name': 'shop',
          'app.kubernetes.io/name': 'cart',
        },
        annotations: {
          'argocd.argoproj.io/tracking-id': 'shop-prod:/ConfigMap:shop/cart-config',
          'argocd.argoproj.io/hook': 'PreSync',
          'kustomize.toolkit.fluxcd.io/prune': 'disabled',
          'kustomize.toolkit.fluxcd.io/ssa': 'Merge',
          'helm.toolkit.fluxcd.io/driftDetection': 'enabled',
          'example.com/owner': 'team-cart',
        },
      },
      data: { LOG_LEVEL: 'info' },
    };
    const [copy] = hardenCopies([tracked], options).objects;
    expect(copy?.metadata.labels).toEqual({ 'app.kubernetes.io/name': 'cart' });
    expect(copy?.metadata.annotations).toEqual({ 'example.com/owner': 'team-cart' });
    // The input is never changed: the cache hands out frozen objects.
    expect(tracked.metadata.annotations?.['kustomize.toolkit.fluxcd.io/ssa']).toBe('Merge');
  });

  it('strips snippet annotations from Ingresses', () => {
    const ingress: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: 'shop',
        annotations: {
          'nginx.ingress.kubernetes.io/configuration-snippet': 'more_set_headers "x: y";',
          'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
        },
      },
    };
    const result = hardenCopies([ingress], options);
    expect(result.objects[0]?.metadata.annotations).toEqual({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'true' });
  });
});
