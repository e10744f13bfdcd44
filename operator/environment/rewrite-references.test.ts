import type { KubeObject } from './objects';
import { rewriteNamespaceReferences } from './rewrite-references';

const rewrite = { from: 'shop', to: 'shop-pr-1', serviceNames: new Set(['redis', 'users']) };

describe('rewriteNamespaceReferences', () => {
  it('rewrites containers of every kind of pod template, and probes', () => {
    const cronJob: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'report', labels: { 'app.kubernetes.io/part-of': 'shop' } },
      spec: {
        jobTemplate: {
          spec: {
            template: {
              spec: {
                initContainers: [
                  { name: 'wait', image: 'registry.shop.svc:5000/wait:1', args: ['--for=redis.shop:6379'] },
                ],
                containers: [
                  {
                    name: 'report',
                    image: 'report:1',
                    command: ['report', '--namespace', 'shop'],
                    env: [
                      { name: 'NAMESPACE', value: 'shop' },
                      { name: 'DB_NAME', value: 'shop' },
                      { name: 'USERS', value: 'http://users.shop:8080' },
                    ],
                    livenessProbe: { httpGet: { host: 'users.shop.svc', path: '/live', port: 8080 } },
                  },
                ],
              },
            },
          },
        },
      },
    };
    const out = rewriteNamespaceReferences(cronJob, rewrite) as any; // any: reading deep into a test fixture
    const pod = out.spec.jobTemplate.spec.template.spec;
    expect(pod.initContainers[0]).toEqual({
      name: 'wait',
      image: 'registry.shop.svc:5000/wait:1',
      args: ['--for=redis.shop-pr-1:6379'],
    });
    expect(pod.containers[0].command).toEqual(['report', '--namespace', 'shop-pr-1']);
    expect(pod.containers[0].env).toEqual([
      { name: 'NAMESPACE', value: 'shop-pr-1' },
      { name: 'DB_NAME', value: 'shop' },
      { name: 'USERS', value: 'http://users.shop-pr-1:8080' },
    ]);
    expect(pod.containers[0].livenessProbe.httpGet.host).toBe('users.shop-pr-1.svc');
    expect(out.metadata.labels).toEqual({ 'app.kubernetes.io/part-of': 'shop' });
    expect((cronJob.spec as any).jobTemplate.spec.template.spec.containers[0].env[0].value).toBe('shop'); // any: as above
  });

  it('rewrites ConfigMap values, annotations and ExternalName targets but not names, labels or selectors', () => {
    const configMap: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'redis.shop',
        annotations: { upstream: 'users.shop.svc.cluster.local' },
        labels: { target: 'redis.shop' },
      },
      data: { 'app.yaml': 'redis: redis.shop:6379\ndb: shop\n', SHOP_NAMESPACE: 'shop', DB: 'shop' },
      binaryData: { blob: 'cmVkaXMuc2hvcA==' },
    };
    expect(rewriteNamespaceReferences(configMap, rewrite)).toEqual({
      ...configMap,
      metadata: { ...configMap.metadata, annotations: { upstream: 'users.shop-pr-1.svc.cluster.local' } },
      data: { 'app.yaml': 'redis: redis.shop-pr-1:6379\ndb: shop\n', SHOP_NAMESPACE: 'shop-pr-1', DB: 'shop' },
    });
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'legacy' },
      spec: { type: 'ExternalName', externalName: 'legacy.shop.svc.cluster.local', selector: { host: 'x.shop.svc' } },
    };
    expect(rewriteNamespaceReferences(service, rewrite).spec).toEqual({
      type: 'ExternalName',
      externalName: 'legacy.shop-pr-1.svc.cluster.local',
      selector: { host: 'x.shop.svc' },
    });
  });

  it('moves RoleBinding subjects of the baseline namespace and only those', () => {
    const binding: KubeObject = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
      subjects: [
        { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
        { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
        { kind: 'Group', name: 'shop', apiGroup: 'rbac.authorization.k8s.io' },
      ],
    };
    expect(rewriteNamespaceReferences(binding, rewrite).subjects).toEqual([
      { kind: 'ServiceAccount', name: 'app', namespace: 'shop-pr-1' },
      { kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' },
      { kind: 'Group', name: 'shop', apiGroup: 'rbac.authorization.k8s.io' },
    ]);
  });

  it('retargets NetworkPolicy namespace selectors that name the baseline', () => {
    const policy: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'db' },
      spec: {
        podSelector: { matchLabels: { app: 'db' } },
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } },
              {
                namespaceSelector: {
                  matchExpressions: [
                    { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop', 'monitoring'] },
                  ],
                },
              },
              { namespaceSelector: { matchLabels: { team: 'shop' } } },
            ],
          },
        ],
      },
    };
    expect((rewriteNamespaceReferences(policy, rewrite).spec as any).ingress[0].from).toEqual([
      // any: reading a fixture
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-pr-1' } } },
      {
        namespaceSelector: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['shop-pr-1', 'monitoring'] },
          ],
        },
      },
      { namespaceSelector: { matchLabels: { team: 'shop' } } },
    ]);
  });

  it('is idempotent on a whole object', () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'a' },
      spec: {
        template: {
          spec: {
            containers: [{ name: 'a', args: ['-n', 'shop', '--x=redis.shop'], env: [{ name: 'NS', value: 'shop' }] }],
          },
        },
      },
    };
    const once = rewriteNamespaceReferences(deployment, rewrite);
    expect(rewriteNamespaceReferences(once, rewrite)).toEqual(once);
  });
});
