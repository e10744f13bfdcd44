import { createNamespace, deleteNamespace, kubectl, kubectlAsync } from '../support/kube';

// The CRDs are applied by the global setup; these tests prove the API server
// accepted them as written and enforces their schemas and CEL rules.
describe('CRDs on a real API server', () => {
  let ns: string;
  const baselines: string[] = [];
  beforeAll(() => {
    ns = createNamespace('crds');
  });
  afterAll(() => {
    deleteNamespace(ns);
    if (baselines.length > 0) kubectl(['delete', 'baseline', ...baselines, '--ignore-not-found', '--wait=false']);
  });

  it('serves kubectl explain with descriptions', () => {
    const out = kubectl(['explain', 'stagingenvironment.spec']);
    expect(out).toContain('KIND:       StagingEnvironment');
    expect(out).toMatch(/baselineRef\s+<Object> -required-/);
    expect(out).not.toMatch(/targetNamespace/);
    expect(kubectl(['explain', 'baseline.spec.source'])).toMatch(/namespace\s+<string>/);
    expect(kubectl(['explain', 'dataseed.spec.source'])).toContain('DESCRIPTION');
    expect(kubectl(['explain', 'paritycheck.status.findings'])).toContain('DESCRIPTION');
  });

  it('groups the kinds under the understudy category and short names; Baseline is cluster-scoped', () => {
    const resources = kubectl(['api-resources', '--api-group=understudy.dev', '-o', 'wide']);
    for (const kind of ['StagingEnvironment', 'DataSeed', 'ParityCheck', 'Baseline']) expect(resources).toContain(kind);
    expect(resources).toContain('understudy');
    expect(kubectl(['api-resources', '--api-group=understudy.dev', '--namespaced=false', '-o', 'name']).trim()).toBe(
      'baselines.understudy.dev',
    );
    // An empty namespace lists nothing of its own; Baselines, cluster-scoped, show in every namespace.
    const listed = kubectl(['get', 'understudy', '-n', ns, '-o', 'name']).split('\n').filter(Boolean);
    expect(listed.filter((line) => !line.startsWith('baseline.understudy.dev/'))).toEqual([]);
  });

  it('refuses a malformed resource with a message that names the field', async () => {
    const bad = await kubectlAsync(
      ['apply', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: bad-ratio}
spec:
  baselineRef: {name: shop}
  scale: {replicas: "a quarter"}
`,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.scale.replicas');
    const noBaseline = await kubectlAsync(
      ['apply', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: no-baseline}
spec:
  ttl: 72h
`,
    );
    expect(noBaseline.code).not.toBe(0);
    expect(noBaseline.stderr).toContain('spec.baselineRef: Required value');
  });

  it('has no targetNamespace: it is derived from the Baseline and cannot be chosen', async () => {
    const chosen = `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: chosen-target}
spec:
  baselineRef: {name: shop}
  targetNamespace: kube-system
`;
    const strict = await kubectlAsync(['apply', '-n', ns, '-f', '-'], chosen);
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toContain('unknown field "spec.targetNamespace"');
    // Without client validation the API server prunes the field: nothing of it is stored for the operator to read.
    const lax = await kubectlAsync(['apply', '--validate=false', '-n', ns, '-f', '-'], chosen);
    expect(lax.code).toBe(0);
    const stored = JSON.parse(kubectl(['get', 'senv', 'chosen-target', '-n', ns, '-o', 'json'])) as {
      spec: Record<string, unknown>;
    };
    expect(stored.spec).toEqual(expect.objectContaining({ baselineRef: { name: 'shop' } }));
    expect(stored.spec).not.toHaveProperty('targetNamespace');
  });

  it('enforces CEL rules: one Baseline source with its namespace, ttl exclusive with expiresAt, baselineRef immutable', async () => {
    const twoSources = await kubectlAsync(
      ['apply', '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: Baseline
metadata: {name: ${ns}-two-sources}
spec:
  source:
    namespace: shop
    manifests: {configMapRef: {namespace: admin, name: rendered}}
    cluster: {kubeconfigSecretRef: {name: prod, key: kubeconfig}}
`,
    );
    expect(twoSources.code).not.toBe(0);
    expect(twoSources.stderr).toContain('spec.source.cluster');
    expect(twoSources.stderr).toContain('manifests and cluster are mutually exclusive');
    const noNamespace = await kubectlAsync(
      ['apply', '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: Baseline
metadata: {name: ${ns}-no-namespace}
spec:
  source:
    cluster: {kubeconfigSecretRef: {name: prod, key: kubeconfig}}
`,
    );
    expect(noNamespace.code).not.toBe(0);
    expect(noNamespace.stderr).toContain('source.namespace is required');
    const both = await kubectlAsync(
      ['apply', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: ttl-and-expiry}
spec:
  baselineRef: {name: shop}
  ttl: 72h
  expiresAt: "2030-01-01T00:00:00Z"
`,
    );
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('ttl and expiresAt are mutually exclusive');
    const env = (baseline: string) => `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: moves}
spec:
  baselineRef: {name: ${baseline}}
`;
    expect((await kubectlAsync(['apply', '-n', ns, '-f', '-'], env('shop'))).code).toBe(0);
    const moved = await kubectlAsync(['apply', '-n', ns, '-f', '-'], env('other'));
    expect(moved.code).not.toBe(0);
    expect(moved.stderr).toContain('baselineRef is immutable');
  });

  it('accepts valid resources and shows printer columns', async () => {
    const name = `${ns}-fine`;
    baselines.push(name);
    const baseline = await kubectlAsync(
      ['apply', '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: Baseline
metadata: {name: ${name}}
spec:
  source: {namespace: shop}
  allowedNamespaces: {names: [${ns}]}
`,
    );
    expect(baseline.stderr).toBe('');
    expect(kubectl(['get', 'baseline', name]).split('\n')[0]).toMatch(/SOURCE\s+READY\s+ENVIRONMENTS\s+AGE/);
    const ok = await kubectlAsync(
      ['apply', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: fine}
spec:
  baselineRef: {name: ${name}}
  ttl: 72h
`,
    );
    expect(ok.stderr).toBe('');
    const [header, row] = kubectl(['get', 'senv', 'fine', '-n', ns]).split('\n');
    expect(header).toMatch(/^NAME\s+BASELINE\s+PHASE\s+READY\s+SERVICES\s+URL\s+AGE\s+EXPIRES/);
    expect(kubectl(['get', 'senv', 'fine', '-n', ns, '-o', 'wide']).split('\n')[0]).toMatch(/\bNAMESPACE\s+REASON\b/);
    expect(row).toContain(name);
    const listed = kubectl(['get', 'understudy', '-n', ns, '-o', 'name']).split('\n');
    expect(listed).toEqual(
      expect.arrayContaining([`baseline.understudy.dev/${name}`, 'stagingenvironment.understudy.dev/fine']),
    );
  });
});
