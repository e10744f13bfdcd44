import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { runSeedCommand } from '../../operator/commands/seed';
import { writeSeedStatus } from '../../operator/commands/seed-status-write';
import { admin } from './stagingenvironment-fixtures';
import { createNamespace, deleteNamespace, kubectl, kubectlAsync } from '../support/kube';
import { orphanCount, rowCounts, shopDatabase } from '../support/shop-db';

jest.setTimeout(180_000);

const rules = readFileSync(join(__dirname, '../../examples/shop/db/rules.yaml'), 'utf8');
const profile = readFileSync(join(__dirname, '../../examples/shop/db/profile.json'), 'utf8');
const sink = () => {
  let text = '';
  return {
    stream: new Writable({
      write(chunk, _enc, done) {
        text += String(chunk);
        done();
      },
    }),
    text: () => text,
  };
};

// What the Job runner does: `understudy seed --resource ns/name --write-status`, against a real API server.
// A Job's pod never gets production credentials: sources that read
// production run inside the operator, and the command refuses them.
describe('a DataSeed resource run from the cluster', () => {
  let ns: string;
  let target: string;

  beforeAll(async () => {
    ns = createNamespace('seed');
    target = (await shopDatabase('seed_resource_target')).url;
    kubectl(['create', 'secret', 'generic', 'shop-preview-db', '-n', ns, `--from-literal=url=${target}`]);
    kubectl([
      'create',
      'secret',
      'generic',
      'shop-masking-key',
      '-n',
      ns,
      '--from-literal=key=resource-test-key-0123456789',
    ]);
    kubectl(['create', 'configmap', 'shop-seed-rules', '-n', ns, `--from-literal=rules.yaml=${rules}`]);
    kubectl(
      ['apply', '--server-side', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'shop-profile', namespace: ns },
        data: { 'profile.json': profile },
      }),
    );
  });
  afterAll(() => deleteNamespace(ns));

  const apply = (name: string, targetSecret: string) =>
    kubectl(
      ['apply', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: ${name}}
spec:
  source:
    synthesize:
      profile: {configMapRef: {name: shop-profile, key: profile.json}}
      scale: {ratio: "0.02", rows: {categories: 40, tags: 30}}
      seed: 11
  target: {urlSecretRef: {name: ${targetSecret}, key: url}}
  rulesFrom: {name: shop-seed-rules, key: rules.yaml}
  runner: Job
`,
    );

  it('seeds the target and writes per-table status', async () => {
    apply('shop', 'shop-preview-db');
    const out = sink();
    const code = await runSeedCommand(
      {
        resource: `${ns}/shop`,
        kubeconfig: process.env.KUBECONFIG,
        writeStatus: true,
        progress: false,
        output: 'json',
      },
      out.stream,
    );
    expect(code).toBe(0);
    expect(JSON.parse(out.text()).source).toBe('synthesize');
    const status = JSON.parse(kubectl(['get', 'dataseed', 'shop', '-n', ns, '-o', 'jsonpath={.status}']));
    expect(status.phase).toBe('Succeeded');
    expect(status.observedGeneration).toBe(1);
    expect(status.tables).toHaveLength(11);
    expect(status.totals.rows).toBe(Object.values(await rowCounts(target)).reduce((a, b) => a + b, 0));
    expect((await rowCounts(target))['public.users']).toBe(200);
    expect(status.piiCoverage.covered).toBe(status.piiCoverage.total);
    expect(status.fidelity).toMatchObject({ foreignKeyOrphans: 0, uniqueViolations: 0 });
    expect(await orphanCount(target)).toBe(0);
    expect(kubectl(['get', 'dseed', '-n', ns])).toMatch(/shop\s+Succeeded\s+[0-9]+\s+(true|false)/);
  });

  it('writes its status only for the generation it seeded, keeping what the controller wrote', async () => {
    apply('moved', 'shop-preview-db');
    const client = admin();
    const ref = { apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', namespace: ns, name: 'moved' };
    // The controller's Running status, with a field the pod does not write.
    const seeding = {
      type: 'Reconciling',
      status: 'True',
      reason: 'Seeding',
      message: 'the seed Job runs',
      lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    await client.patchStatus(ref, { status: { phase: 'Running', observedGeneration: 1, conditions: [seeding] } });
    const target = { namespace: ns, name: 'moved', generation: 1 };
    expect(await writeSeedStatus(client, target, { phase: 'Succeeded', observedGeneration: 1 })).toBe('written');
    const written = JSON.parse(kubectl(['get', 'dataseed', 'moved', '-n', ns, '-o', 'jsonpath={.status}']));
    expect(written).toMatchObject({ phase: 'Succeeded', observedGeneration: 1, conditions: [seeding] });
    // A spec edit while the pod seeded: generation 2's run owns the status, the pod's report is not written over it.
    kubectl([
      'patch',
      'dataseed',
      'moved',
      '-n',
      ns,
      '--type=merge',
      '-p',
      '{"spec":{"source":{"synthesize":{"seed":12}}}}',
    ]);
    await client.patchStatus(ref, { status: { phase: 'Running', observedGeneration: 2 } });
    expect(await writeSeedStatus(client, target, { phase: 'Failed', observedGeneration: 1 })).toBe('superseded');
    const after = JSON.parse(kubectl(['get', 'dataseed', 'moved', '-n', ns, '-o', 'jsonpath={.status}']));
    expect(after).toMatchObject({ phase: 'Running', observedGeneration: 2 });
    expect(await writeSeedStatus(client, { ...target, name: 'no-such-seed' }, { phase: 'Failed' })).toBe('gone');
  });

  it('refuses a source that reads production, before reading it: the pod has no way to production', async () => {
    kubectl(
      ['apply', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: anonymized}
spec:
  baselineRef: {name: shop}
  source:
    anonymize:
      from: {database: orders}
      key: {secretKeyRef: {name: shop-masking-key, key: key}}
  target: {urlSecretRef: {name: shop-preview-db, key: url}}
  rulesFrom: {name: shop-seed-rules, key: rules.yaml}
`,
    );
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runSeedCommand(
        { resource: `${ns}/anonymized`, kubeconfig: process.env.KUBECONFIG, progress: false },
        sink().stream,
      );
      // Bad input, not a seed that ran and failed its checks.
      expect(code).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain(
        'seed failed (InvalidSpec): spec.source.anonymize.from.database: production is read only inside the operator (runner Inline)',
      );
    } finally {
      stderr.mockRestore();
    }
  });

  it('fails clearly, without crashing, when the connection Secret is missing', async () => {
    apply('broken', 'no-such-secret');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await runSeedCommand(
        { resource: `${ns}/broken`, kubeconfig: process.env.KUBECONFIG, writeStatus: true, progress: false },
        sink().stream,
      );
      expect(code).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain(
        `seed failed (ReferenceNotFound): spec.target.urlSecretRef: Secret ${ns}/no-such-secret not found`,
      );
    } finally {
      stderr.mockRestore();
    }
    expect(kubectl(['get', 'dataseed', 'broken', '-n', ns, '-o', 'jsonpath={.status.phase}'])).toBe('Failed');
  });

  it('is refused by the API server with two sources, naming the field', async () => {
    const bad = await kubectlAsync(
      ['apply', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: two-sources}
spec:
  source:
    sql: {configMapRef: {name: a, key: b}}
    fixtures: {configMapRef: {name: a, key: b}}
  target: {urlSecretRef: {name: x, key: url}}
`,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.source');
    expect(bad.stderr).toContain('exactly one of synthesize, anonymize, sql or fixtures');
    expect(kubectl(['explain', 'dataseed.spec.source.anonymize.subset'])).toContain('referentially complete subset');
  });

  it('is refused by the API server with an anonymize source that names its own connection, or without a Baseline', async () => {
    const spec = (from: string, baseline = '  baselineRef: {name: shop}\n') => `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: own-connection}
spec:
${baseline}  source:
    anonymize:
      from: ${from}
      key: {secretKeyRef: {name: shop-masking-key, key: key}}
  target: {urlSecretRef: {name: shop-preview-db, key: url}}
`;
    const url = await kubectlAsync(
      ['apply', '-n', ns, '-f', '-'],
      spec('{database: orders, urlSecretRef: {name: shop-preview-db, key: url}}'),
    );
    expect(url.code).not.toBe(0);
    expect(url.stderr).toContain('production connections come only from a Baseline');
    const noBaseline = await kubectlAsync(['apply', '-n', ns, '-f', '-'], spec('{database: orders}', ''));
    expect(noBaseline.code).not.toBe(0);
    expect(noBaseline.stderr).toContain('spec.baselineRef');
    expect(kubectl(['explain', 'dataseed.spec.target'])).toContain('Naming a Secret here is like mounting it in a Pod');
  });
});
