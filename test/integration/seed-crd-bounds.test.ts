import { createNamespace, deleteNamespace, kubectlAsync } from '../support/kube';

// The API server itself refuses out-of-range ratios of a DataSeed (CEL), so a
// `fraction: 15` never reaches the operator, let alone production.
describe('DataSeed bounds on a real API server', () => {
  let ns: string;
  beforeAll(() => {
    ns = createNamespace('seed-bounds');
  });
  afterAll(() => deleteNamespace(ns));

  const dataSeed = (name: string, extra: string) => `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: ${name}}
spec:
  baselineRef: {name: shop}
  source:
    anonymize:
      from: {database: shop}
      key: {secretKeyRef: {name: k, key: key}}
      subset:
        roots: [{table: users, fraction: "${extra}"}]
  target: {urlSecretRef: {name: t, key: url}}
`;

  it('refuses a subset fraction of 15 or 0 and accepts 1, naming the field', async () => {
    for (const fraction of ['15', '0']) {
      const out = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], dataSeed('bad', fraction));
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('spec.source.anonymize.subset.roots[0].fraction');
      expect(out.stderr).toContain('must be greater than 0 and at most 1');
    }
    expect((await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], dataSeed('good', '1'))).code).toBe(0);
  });

  it('refuses a fidelity threshold above 1', async () => {
    const out = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: loose}
spec:
  source: {synthesize: {profile: {configMapRef: {name: p, key: profile.json}}}}
  target: {urlSecretRef: {name: t, key: url}}
  fidelity: {maxKolmogorovSmirnov: "15"}
`);
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('fidelity thresholds are between 0 and 1');
  });
});
