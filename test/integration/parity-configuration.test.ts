import { parseResolvedParityCheck } from '../../operator/api/paritycheck';
import { runParityCheck, type ParitySources } from '../../operator/parity/check';
import type { KubeObject } from '../../operator/parity/config/normalize';
import { KubeObjectSource } from '../../operator/parity/sources/kube';
import { shopService, type ServiceOptions } from '../../operator/parity/testing/shop-fixture';
import { KubeClient } from '../../operator/runtime/kube-client';
import { KubeConfig } from '../../operator/runtime/client-node';
import { grantSecretRead } from '../setup/operator-identity';
import { adminKubeConfig, createNamespace, deleteNamespace, kubectl, operatorKubeConfig } from '../support/kube';

jest.setTimeout(120_000);

// Configuration parity against a real kube-apiserver: objects are applied,
// defaulted and stored by the server, then listed back and compared.
describe('ParityCheck configuration category on a real API server', () => {
  const client = new KubeClient(adminKubeConfig(), { fieldManager: 'parity-test' });
  const namespaces: string[] = [];

  afterAll(() => namespaces.forEach(deleteNamespace));

  async function shop(
    prefix: string,
    options: Partial<ServiceOptions> = {},
    change?: (objects: KubeObject[]) => void,
  ): Promise<string> {
    const namespace = createNamespace(prefix);
    namespaces.push(namespace);
    const objects = ['catalog', 'checkout', 'cart'].flatMap((name) =>
      shopService(name, { namespace, ...options, ...(name === 'cart' ? { hpa: { min: 2, max: 8 } } : {}) }),
    );
    change?.(objects);
    for (const object of objects) await client.apply(object as never);
    return namespace;
  }

  function edit(kind: string, name: string, mutate: (o: any) => void) {
    // any: test edits reach into free-form manifests
    return (objects: KubeObject[]) => {
      const object = objects.find((o) => o.kind === kind && o.metadata.name === name);
      if (!object) throw new Error(`${kind}/${name} is not in the fixture`);
      mutate(object);
    };
  }

  async function check(staging: string, production: string, extra: Partial<ParitySources> = {}) {
    const source = KubeObjectSource.fromKubeConfig(adminKubeConfig(), 'test');
    const spec = parseResolvedParityCheck({ staging: { namespace: staging }, production: { namespace: production } });
    return runParityCheck(spec, { objects: { staging: source, production: source }, ...extra }, undefined, new Date());
  }

  let production: string;
  beforeAll(async () => {
    production = await shop('parity-prod', { replicas: 4 });
  });

  it('finds nothing between production and a faithful copy, with one LIST per kind and namespace', async () => {
    const staging = await shop('parity-copy', { replicas: 4 });
    const result = await check(staging, production);
    expect(result.findings).toEqual([]);
    expect(result.status.summary).toMatchObject({ verdict: 'InParity', score: 100 });
    expect(result.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    // 8 kinds in 2 namespaces, plus discovery of 3 group versions.
    expect(result.requests.kubernetes).toBeLessThanOrEqual(8 * 2 + 3);
  });

  it('finds nothing when staging was applied with every default written out', async () => {
    const staging = await shop('parity-explicit', { replicas: 4, explicitDefaults: true });
    const result = await check(staging, production);
    expect(result.findings).toEqual([]);
  });

  it('finds an env value, a ConfigMap key and a replica ratio with the right paths and severities', async () => {
    // The environment asked for half the replicas: staging follows, except catalog.
    const staging = await shop('parity-drift', { replicas: 2 }, (objects) => {
      edit('HorizontalPodAutoscaler', 'cart', (h) => Object.assign(h.spec, { minReplicas: 1, maxReplicas: 4 }))(
        objects,
      );
      edit('Deployment', 'checkout', (d) => (d.spec.template.spec.containers[0].env[0].value = 'debug'))(objects);
      edit('ConfigMap', 'catalog-config', (c) => delete c.data['cache.ttl'])(objects);
      edit('Deployment', 'catalog', (d) => (d.spec.replicas = 1))(objects);
    });
    const environment = {
      metadata: { name: 'pr-1', namespace: 'previews' },
      spec: { scale: { replicas: '0.5' }, secrets: { policy: 'Generate' } },
    };
    const result = await check(staging, production, { environment });
    const unexpected = result.findings.filter((f) => !f.expected).map((f) => [f.resource, f.path, f.severity]);
    expect(unexpected.sort()).toEqual(
      [
        ['ConfigMap/catalog-config', 'data[cache.ttl]', 'critical'],
        ['Deployment/catalog', 'spec.replicas', 'warning'],
        ['Deployment/checkout', 'spec.template.spec.containers[app].env[LOG_LEVEL]', 'warning'],
      ].sort(),
    );
    const expected = result.findings.filter((f) => f.expected).map((f) => [f.resource, f.path]);
    expect(expected.sort()).toEqual([
      ['Deployment/checkout', 'spec.replicas'],
      ['HorizontalPodAutoscaler/cart', 'spec.maxReplicas'],
      ['HorizontalPodAutoscaler/cart', 'spec.minReplicas'],
    ]);
    expect(result.status.summary?.verdict).toBe('Drifted');
    expect(result.status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    expect(result.status.conditions?.find((c) => c.type === 'ConfigDrifted')).toMatchObject({ status: 'True' });
  });

  it('reports an image override the environment declared as expected, not drift', async () => {
    const image = 'registry.example.com/shop/checkout:pr-1';
    const staging = await shop(
      'parity-override',
      { replicas: 4 },
      edit('Deployment', 'checkout', (d) => (d.spec.template.spec.containers[0].image = image)),
    );
    const environment = {
      metadata: { name: 'pr-1', namespace: 'previews' },
      spec: { services: [{ name: 'checkout', image }] },
    };
    const result = await check(staging, production, { environment });
    expect(result.findings).toEqual([
      expect.objectContaining({
        resource: 'Deployment/checkout',
        path: 'spec.template.spec.containers[app].image',
        expected: true,
        severity: 'info',
        staging: image,
      }),
    ]);
    expect(result.status.summary).toMatchObject({ verdict: 'InParity', expected: 1 });
  });

  it('never shows a Secret value, in findings or status', async () => {
    const staging = await shop('parity-secret', { replicas: 4, secret: { password: 'hunter2-staging' } });
    const result = await check(staging, production);
    const text = JSON.stringify(result);
    expect(result.findings.filter((f) => f.resource.startsWith('Secret/')).length).toBe(3);
    expect(text).not.toContain('hunter2-staging');
    expect(text).not.toContain(Buffer.from('hunter2-staging').toString('base64'));
    expect(text).not.toContain('catalog-s3cret');
  });

  it("with the operator's least-privilege identity and the Secret access an admin grants, lists every compared kind and decides", async () => {
    const source = KubeObjectSource.fromKubeConfig(operatorKubeConfig(), 'operator');
    const staging = await shop('parity-rbac', { replicas: 4 });
    // The chart reads no Secret cluster-wide: an admin grants it per namespace (rbac.secretNamespaces).
    await Promise.all([grantSecretRead(staging), grantSecretRead(production)]);
    const result = await runParityCheck(
      parseResolvedParityCheck({ staging: { namespace: staging }, production: { namespace: production } }),
      { objects: { staging: source, production: source } },
      undefined,
      new Date(),
    );
    expect(result.inconclusive).toEqual([]);
    expect(result.status.summary?.verdict).toBe('InParity');
  });

  it('with an identity that may not list Secrets (the chart with rbac.readSecrets=false), reports the kind instead of failing', async () => {
    const staging = await shop('parity-nosecrets', { replicas: 4 });
    const source = KubeObjectSource.fromKubeConfig(
      identityWithoutSecrets(staging, [staging, production]),
      'no-secrets',
    );
    const all = parseResolvedParityCheck({ staging: { namespace: staging }, production: { namespace: production } });
    const result = await runParityCheck(
      all,
      { objects: { staging: source, production: source } },
      undefined,
      new Date(),
    );
    expect(result.status.conditions?.find((c) => c.type === 'Stalled')).toBeUndefined();
    expect(result.inconclusive.map((i) => i.resource)).toEqual(['Secret/*', 'Secret/*']);
    expect(result.inconclusive[0]!.reason).toMatch(/not allowed to list Secret/);
    expect(result.status.summary?.verdict).toBe('Inconclusive');

    // Leaving Secret out is not enough while workloads take env from Secrets: the reason says so.
    const withoutSecrets = [
      'Deployment',
      'StatefulSet',
      'DaemonSet',
      'Service',
      'ConfigMap',
      'HorizontalPodAutoscaler',
    ] as const;
    const narrowed = parseResolvedParityCheck({
      staging: { namespace: staging },
      production: { namespace: production },
      categories: { configuration: { kinds: [...withoutSecrets] } },
    });
    const stillUndecided = await runParityCheck(
      narrowed,
      { objects: { staging: source, production: source } },
      undefined,
      new Date(),
    );
    expect(stillUndecided.inconclusive[0]!.reason).toMatch(/the workloads compared need it .*grant list on Secret/);

    // Without workloads, nothing needs Secrets and the check is decisive.
    const plain = parseResolvedParityCheck({
      staging: { namespace: staging },
      production: { namespace: production },
      categories: { configuration: { kinds: ['Service', 'ConfigMap'] } },
    });
    const decisive = await runParityCheck(
      plain,
      { objects: { staging: source, production: source } },
      undefined,
      new Date(),
    );
    expect(decisive.inconclusive).toEqual([]);
    expect(decisive.status.summary?.verdict).toBe('InParity');
  });
});

const clusterRoles: string[] = [];
afterAll(() => clusterRoles.forEach((role) => kubectl(['delete', 'clusterrole', role, '--ignore-not-found'])));

/** A ServiceAccount that may list every compared kind but Secrets, in the given namespaces. */
function identityWithoutSecrets(home: string, namespaces: string[]): KubeConfig {
  const role = `${home}-no-secrets`;
  clusterRoles.push(role);
  const rules = [
    { apiGroups: [''], resources: ['services', 'configmaps', 'pods'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list'] },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
  ];
  const manifests = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'no-secrets', namespace: home } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: role }, rules },
    ...namespaces.map((namespace) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'no-secrets', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
      subjects: [{ kind: 'ServiceAccount', name: 'no-secrets', namespace: home }],
    })),
  ];
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }));
  const token = kubectl(['create', 'token', 'no-secrets', '-n', home, '--duration=1h']).trim();
  const cluster = adminKubeConfig().getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'no-secrets', token }],
    contexts: [{ name: 'no-secrets', cluster: cluster.name, user: 'no-secrets' }],
    currentContext: 'no-secrets',
  });
  return kc;
}
