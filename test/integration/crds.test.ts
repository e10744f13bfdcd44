import { createNamespace, deleteNamespace, kubectl, kubectlAsync } from '../support/kube';

// The CRDs are applied by the global setup; these tests prove the API server
// accepted them as written and enforces their schemas and CEL rules.
describe('CRDs on a real API server', () => {
  let ns: string;
  beforeAll(() => {
    ns = createNamespace('crds');
  });
  afterAll(() => deleteNamespace(ns));

  it('serves kubectl explain with descriptions', () => {
    const out = kubectl(['explain', 'stagingenvironment.spec']);
    expect(out).toContain('KIND:       StagingEnvironment');
    expect(out).toMatch(/baseline\s+<Object> -required-/);
    expect(kubectl(['explain', 'dataseed.spec.source'])).toContain('DESCRIPTION');
    expect(kubectl(['explain', 'paritycheck.status.findings'])).toContain('DESCRIPTION');
  });

  it('groups the kinds under the understudy category and short names', () => {
    const resources = kubectl(['api-resources', '--api-group=understudy.dev', '-o', 'wide']);
    for (const kind of ['StagingEnvironment', 'DataSeed', 'ParityCheck']) expect(resources).toContain(kind);
    expect(resources).toContain('understudy');
    expect(kubectl(['get', 'understudy', '-n', ns]).trim()).toBe('');
  });

  it('refuses a malformed resource with a message that names the field', async () => {
    const bad = await kubectlAsync(['apply', '-n', ns, '-f', '-'], `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: bad-ratio}
spec:
  baseline: {namespace: shop}
  scale: {replicas: "a quarter"}
`);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.scale.replicas');
  });

  it('enforces CEL rules: one baseline source, ttl exclusive with expiresAt', async () => {
    const twoSources = await kubectlAsync(['apply', '-n', ns, '-f', '-'], `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: two-sources}
spec:
  baseline:
    namespace: shop
    manifests: {configMapRef: {name: rendered}}
    kubeconfigSecretRef: {name: prod, key: kubeconfig}
`);
    expect(twoSources.code).not.toBe(0);
    expect(twoSources.stderr).toContain('spec.baseline');
    const both = await kubectlAsync(['apply', '-n', ns, '-f', '-'], `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: ttl-and-expiry}
spec:
  baseline: {namespace: shop}
  ttl: 72h
  expiresAt: "2030-01-01T00:00:00Z"
`);
    expect(both.code).not.toBe(0);
    expect(both.stderr).toContain('ttl and expiresAt are mutually exclusive');
  });

  it('accepts a valid resource and shows printer columns', async () => {
    const ok = await kubectlAsync(['apply', '-n', ns, '-f', '-'], `apiVersion: understudy.dev/v1alpha1
kind: StagingEnvironment
metadata: {name: fine}
spec:
  baseline: {namespace: shop}
  ttl: 72h
`);
    expect(ok.stderr).toBe('');
    const header = kubectl(['get', 'senv', 'fine', '-n', ns]).split('\n')[0] ?? '';
    expect(header).toMatch(/PHASE/);
    expect(header).toMatch(/AGE/);
  });
});
