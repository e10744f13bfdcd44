import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runSeedCommand } from '../../operator/commands/seed';
import { createNamespace, deleteNamespace, kubectl, kubectlAsync } from '../support/kube';
import { orphanCount, rowCounts, shopDatabase } from '../support/shop-db';

jest.setTimeout(180_000);

const rules = readFileSync(join(__dirname, '../../examples/shop/db/rules.yaml'), 'utf8');
const sink = () => {
  let text = '';
  return { stream: new Writable({ write(chunk, _enc, done) { text += String(chunk); done(); } }), text: () => text };
};

// What the Job runner does: `understudy seed --resource ns/name --write-status`, against a real API server.
describe('a DataSeed resource run from the cluster', () => {
  let ns: string;
  let target: string;

  beforeAll(async () => {
    ns = createNamespace('seed');
    const production = (await shopDatabase('seed_resource_prod', 400)).url;
    target = (await shopDatabase('seed_resource_target')).url;
    kubectl(['create', 'secret', 'generic', 'shop-preview-db', '-n', ns, `--from-literal=url=${target}`]);
    kubectl(['create', 'secret', 'generic', 'shop-production-db', '-n', ns, `--from-literal=url=${production}`]);
    kubectl(['create', 'secret', 'generic', 'shop-masking-key', '-n', ns, '--from-literal=key=resource-test-key-0123456789']);
    kubectl(['create', 'configmap', 'shop-seed-rules', '-n', ns, `--from-literal=rules.yaml=${rules}`]);
  });
  afterAll(() => deleteNamespace(ns));

  const apply = (name: string, targetSecret: string) =>
    kubectl(['apply', '-n', ns, '-f', '-'], `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: ${name}}
spec:
  source:
    anonymize:
      from: {urlSecretRef: {name: shop-production-db, key: url}}
      subset: {roots: [{table: users, fraction: "0.5"}]}
      key: {secretKeyRef: {name: shop-masking-key, key: key}}
  target: {urlSecretRef: {name: ${targetSecret}, key: url}}
  rulesFrom: {name: shop-seed-rules, key: rules.yaml}
  runner: Job
`);

  it('seeds the target and writes per-table status', async () => {
    apply('shop', 'shop-preview-db');
    const out = sink();
    const code = await runSeedCommand({ resource: `${ns}/shop`, kubeconfig: process.env.KUBECONFIG, writeStatus: true, progress: false, output: 'json' }, out.stream);
    expect(code).toBe(0);
    expect(JSON.parse(out.text()).source).toBe('anonymize');
    const status = JSON.parse(kubectl(['get', 'dataseed', 'shop', '-n', ns, '-o', 'jsonpath={.status}']));
    expect(status.phase).toBe('Succeeded');
    expect(status.observedGeneration).toBe(1);
    expect(status.tables).toHaveLength(11);
    expect(status.totals.rows).toBe(Object.values(await rowCounts(target)).reduce((a, b) => a + b, 0));
    expect(status.piiCoverage).toEqual({ covered: 65, total: 65, personal: 12 });
    expect(status.fidelity).toMatchObject({ passed: true, foreignKeyOrphans: 0, uniqueViolations: 0 });
    expect(await orphanCount(target)).toBe(0);
    expect(kubectl(['get', 'dseed', '-n', ns])).toMatch(/shop\s+Succeeded\s+[0-9]+\s+true/);
  });

  it('fails clearly, without crashing, when the connection Secret is missing', async () => {
    apply('broken', 'no-such-secret');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runSeedCommand({ resource: `${ns}/broken`, kubeconfig: process.env.KUBECONFIG, writeStatus: true, progress: false }, sink().stream);
      expect(code).toBe(1);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain(`seed failed (ReferenceNotFound): spec.target.urlSecretRef: Secret ${ns}/no-such-secret not found`);
    } finally {
      stderr.mockRestore();
    }
    expect(kubectl(['get', 'dataseed', 'broken', '-n', ns, '-o', 'jsonpath={.status.phase}'])).toBe('Failed');
  });

  it('is refused by the API server with two sources, naming the field', async () => {
    const bad = await kubectlAsync(['apply', '-n', ns, '-f', '-'], `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: two-sources}
spec:
  source:
    sql: {configMapRef: {name: a, key: b}}
    fixtures: {configMapRef: {name: a, key: b}}
  target: {urlSecretRef: {name: x, key: url}}
`);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.source');
    expect(bad.stderr).toContain('exactly one of synthesize, anonymize, sql or fixtures');
    expect(kubectl(['explain', 'dataseed.spec.source.anonymize.subset'])).toContain('referentially complete subset');
  });
});
