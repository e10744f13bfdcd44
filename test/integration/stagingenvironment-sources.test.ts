import { randomBytes } from 'node:crypto';
import { renderedManifests, syntheticBaseline, SYNTHETIC_SECRET_VALUES } from '../../bench/environment-baseline';
import type { Manager } from '../../operator/runtime/manager';
import { eventually, kubectl } from '../support/kube';
import {
  admin,
  applyObjects,
  condition,
  environment,
  getEnvironment,
  getObject,
  listObjects,
  reconcileCount,
  controllerIdle,
  startPreviews,
  stopPreviews,
  waitForCondition,
  type Json,
} from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// Baselines from rendered manifests and from "another cluster" (a kubeconfig
// Secret pointing at this same test cluster), the secrets policies, shared
// services, isolation, children and tests.

const id = randomBytes(3).toString('hex');
const baseline = `mini-${id}`;
let previews: string;
let manager: Manager;

const apply = (name: string, body: Json): void => {
  kubectl(['apply', '-f', '-'], JSON.stringify(environment(name, previews, body)));
};
const patch = (name: string, body: Json): void => {
  kubectl(['patch', '-n', previews, `stagingenvironment/${name}`, '--type=merge', '-p', JSON.stringify(body)]);
};
const decoded = (secret: Json | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries((secret?.data ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

// A baseline policy admitting every namespace to svc-00: isolation must not let it reopen the copy.
const openPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'svc-00-from-anywhere', namespace: baseline },
  spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc-00' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: {} }] }, { from: [{ podSelector: {} }] }] },
};

beforeAll(async () => {
  applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } }, ...syntheticBaseline(baseline, 3, { secrets: true, partOf: 'mini' }), openPolicy]);
  ({ previews, manager } = await startPreviews());
});

afterAll(() => stopPreviews(previews, manager, baseline));

describe('StagingEnvironment baselines', () => {
  it('copies rendered manifests held in a ConfigMap, rewriting the namespace they were rendered for', async () => {
    const renderedFor = `rendered-${id}`;
    const manifests = renderedManifests(syntheticBaseline(renderedFor, 2, { partOf: 'rendered' }));
    applyObjects([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rendered-shop', namespace: previews }, data: { 'all.yaml': manifests } }]);
    apply('from-manifests', { baseline: { namespace: renderedFor, manifests: { configMapRef: { name: 'rendered-shop', key: 'all.yaml' } } } });
    const env = await waitForCondition('from-manifests', previews, 'Ready', 'True');
    const target = `${renderedFor}-from-manifests`;
    expect(env.status?.namespace).toBe(target);
    expect(env.status?.services?.map((s) => s.name)).toEqual(['svc-00', 'svc-01']);
    const endpoints = await getObject('v1', 'ConfigMap', target, 'endpoints');
    expect((endpoints?.data as Record<string, string>).SVC_00_URL).toBe(`http://svc-00.${target}.svc.cluster.local:8080`);
    expect((endpoints?.data as Record<string, string>).APP_NAMESPACE).toBe(target);
  });

  it('copies a namespace of another cluster through a kubeconfig Secret', async () => {
    kubectl(['create', 'secret', 'generic', 'prod-cluster', '-n', previews, `--from-file=kubeconfig=${process.env.KUBECONFIG}`]);
    apply('from-afar', { baseline: { namespace: baseline, kubeconfigSecretRef: { name: 'prod-cluster', key: 'kubeconfig' } }, targetNamespace: `afar-${id}` });
    const env = await waitForCondition('from-afar', previews, 'Ready', 'True');
    expect(env.status?.readyServices).toBe('3/3');
    const deployment = await getObject('apps/v1', 'Deployment', `afar-${id}`, 'svc-01');
    expect(JSON.stringify(deployment?.spec)).toContain(`http://svc-02.afar-${id}.svc.cluster.local:8080`);
  });

  it('reports an unreadable kubeconfig Secret as Stalled naming the field', async () => {
    kubectl(['create', 'secret', 'generic', 'not-a-kubeconfig', '-n', previews, '--from-literal=kubeconfig=hello: [']);
    apply('bad-afar', { baseline: { namespace: baseline, kubeconfigSecretRef: { name: 'not-a-kubeconfig', key: 'kubeconfig' } } });
    const env = await waitForCondition('bad-afar', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')?.message).toMatch(/^spec\.baseline\.kubeconfigSecretRef: /);
    apply('no-secret', { baseline: { namespace: baseline, kubeconfigSecretRef: { name: 'absent', key: 'kubeconfig' } } });
    const missing = await waitForCondition('no-secret', previews, 'Stalled', 'True', 30_000);
    expect(condition(missing, 'Stalled')).toMatchObject({ reason: 'BaselineNotFound', message: `spec.baseline.kubeconfigSecretRef.name: Secret ${previews}/absent does not exist` });
  });
});

describe('secrets policies', () => {
  it('Generate: the same names and keys with fresh values, stable across reconciles', async () => {
    apply('generated', { baseline: { namespace: baseline }, secrets: { policy: 'Generate' } });
    await waitForCondition('generated', previews, 'Ready', 'True');
    const target = `${baseline}-generated`;
    const db = await getObject('v1', 'Secret', target, 'app-db');
    const original = decoded(await getObject('v1', 'Secret', baseline, 'app-db'));
    const copy = decoded(db);
    expect(Object.keys(copy).sort()).toEqual(Object.keys(original).sort());
    for (const key of Object.keys(original)) expect(copy[key]).not.toBe(original[key]);
    expect(JSON.stringify(copy)).not.toContain(SYNTHETIC_SECRET_VALUES.password);
    expect(db?.metadata.annotations?.['understudy.dev/secret-policy']).toBe('Generate');
    // Another reconcile (an annotation wakes it) keeps the values: the Secret is not written again.
    const reconciles = await reconcileCount(manager);
    kubectl(['annotate', '-n', previews, 'stagingenvironment/generated', `touched=${Date.now()}`]);
    await eventually(async () => (await reconcileCount(manager)) > reconciles && (await controllerIdle(manager)), { what: 'reconcile after annotation' });
    expect((await getObject('v1', 'Secret', target, 'app-db'))?.metadata.resourceVersion).toBe(db?.metadata.resourceVersion);
  });

  it('CopyListed: only the listed Secret, as it is; references to the others become optional', async () => {
    apply('listed', { baseline: { namespace: baseline }, secrets: { policy: 'CopyListed', names: ['app-api'] } });
    await waitForCondition('listed', previews, 'Ready', 'True');
    const target = `${baseline}-listed`;
    expect(decoded(await getObject('v1', 'Secret', target, 'app-api'))).toEqual({ TOKEN: SYNTHETIC_SECRET_VALUES.token });
    expect(await getObject('v1', 'Secret', target, 'app-db')).toBeUndefined();
    const svc = await getObject('apps/v1', 'Deployment', target, 'svc-00');
    const env = (svc?.spec as { template: { spec: { containers: Array<{ env: Array<{ name: string; valueFrom?: { secretKeyRef?: { optional?: boolean } } }> }> } } }).template.spec.containers[0]?.env;
    expect(env?.find((e) => e.name === 'DB_PASSWORD')?.valueFrom?.secretKeyRef?.optional).toBe(true);
    expect(JSON.stringify(await listObjects('v1', 'Secret', target))).not.toContain(Buffer.from(SYNTHETIC_SECRET_VALUES.password).toString('base64'));
  });
});

describe('services, isolation, children and tests', () => {
  it('a shared service is an ExternalName to the baseline\'s, also when a copied one switches to shared', async () => {
    apply('sharing', { baseline: { namespace: baseline } });
    await waitForCondition('sharing', previews, 'Ready', 'True');
    const target = `${baseline}-sharing`;
    const before = await getObject('v1', 'Service', target, 'svc-01');
    expect((before?.spec as Json).clusterIP).toMatch(/^10\.96\./);
    patch('sharing', { spec: { services: [{ name: 'svc-01', mode: 'shared' }] } });
    const env = await waitForCondition('sharing', previews, 'Ready', 'True');
    expect(env.status?.services?.find((s) => s.name === 'svc-01')).toMatchObject({ kind: 'Service', mode: 'shared', ready: true });
    const after = await getObject('v1', 'Service', target, 'svc-01');
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.spec).toMatchObject({ type: 'ExternalName', externalName: `svc-01.${baseline}.svc.cluster.local` });
    // The API server clears the cluster IP when a Service becomes an ExternalName.
    expect((after?.spec as Json).clusterIP).toBeUndefined();
    await eventually(async () => (await getObject('apps/v1', 'Deployment', target, 'svc-01')) === undefined, { what: 'shared workload pruned' });
  });

  it('with isolation on, copied NetworkPolicies cannot admit other namespaces', async () => {
    apply('isolated', { baseline: { namespace: baseline }, isolation: { networkPolicy: true, resourceQuota: { cpu: '2', memory: '2Gi' }, limitRange: { defaultRequest: { cpu: '10m' } } } });
    await waitForCondition('isolated', previews, 'Ready', 'True');
    const target = `${baseline}-isolated`;
    expect((await getObject('networking.k8s.io/v1', 'NetworkPolicy', target, 'understudy-isolation'))?.spec).toMatchObject({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] });
    expect((await getObject('networking.k8s.io/v1', 'NetworkPolicy', target, 'svc-00-from-anywhere'))?.spec).toMatchObject({ ingress: [{ from: [{ podSelector: {} }] }] });
    expect((await getObject('v1', 'ResourceQuota', target, 'understudy-quota'))?.spec).toEqual({ hard: { 'requests.cpu': '2', 'requests.memory': '2Gi' } });
    expect(await getObject('v1', 'LimitRange', target, 'understudy-limits')).toBeDefined();
  });

  it('creates DataSeed and ParityCheck children and is Ready only once every DataSeed succeeded', async () => {
    const seed = { source: { fixtures: { configMapRef: { name: 'rows', key: 'rows.yaml' } } }, target: { host: 'db', database: 'app', user: 'app' } };
    apply('seeded', {
      baseline: { namespace: baseline },
      dataSeeds: [{ name: 'orders', spec: seed }],
      parityChecks: [{ name: 'drift', spec: { staging: { namespace: `${baseline}-seeded` }, production: { namespace: baseline } } }],
    });
    const target = `${baseline}-seeded`;
    const waiting = await waitForCondition('seeded', previews, 'DataSeeded', 'False');
    expect(condition(waiting, 'DataSeeded')?.reason).toBe('Seeding');
    await eventually(async () => (await getEnvironment('seeded', previews))?.status?.phase === 'Seeding', { what: 'phase Seeding' });
    expect(condition(await getEnvironment('seeded', previews), 'Ready')).toMatchObject({ status: 'False', reason: 'Seeding' });
    const dataSeed = await getObject('understudy.dev/v1alpha1', 'DataSeed', target, 'orders');
    expect(dataSeed?.spec).toMatchObject(seed);
    expect(await getObject('understudy.dev/v1alpha1', 'ParityCheck', target, 'drift')).toBeDefined();
    // This test plays the DataSeed controller (written in its own issue): it reports success through the status subresource.
    await admin().patchStatus(
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', namespace: target, name: 'orders' },
      { status: { phase: 'Succeeded', observedGeneration: dataSeed?.metadata.generation, conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: 'seeded', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
    );
    const ready = await waitForCondition('seeded', previews, 'Ready', 'True');
    expect(condition(ready, 'DataSeeded')?.status).toBe('True');
    expect(ready.status?.timings?.seededSeconds).toBeGreaterThanOrEqual(ready.status?.timings?.provisionedSeconds ?? 0);
  });

  it('refuses a DataSeed template its kind would refuse, naming the field, before writing anything', async () => {
    apply('bad-seed', { baseline: { namespace: baseline }, dataSeeds: [{ name: 'orders', spec: { source: { sql: { configMapRef: { name: 'x', key: 'y' } } } } }] });
    const env = await waitForCondition('bad-seed', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')).toMatchObject({ reason: 'InvalidSpec' });
    expect(condition(env, 'Stalled')?.message).toMatch(/^spec\.dataSeeds\[0\]\.spec\.target: /);
    expect(await getObject('v1', 'Namespace', undefined, `${baseline}-bad-seed`)).toBeUndefined();
  });

  it('runs test Jobs once Ready and reports their outcome in TestsPassed', async () => {
    const job = (extra: Json = {}, podExtra: Json = {}) => ({ backoffLimit: 0, ...extra, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'test', image: 'registry.example.com/shop/smoke:1' }], ...podExtra } } });
    apply('tested', { baseline: { namespace: baseline }, tests: [{ name: 'smoke', template: job() }] });
    const passed = await waitForCondition('tested', previews, 'TestsPassed', 'True');
    expect(condition(passed, 'TestsPassed')?.reason).toBe('Succeeded');
    expect(passed.status?.tests).toEqual({ total: 1, succeeded: 1, failed: 0, running: 0 });
    const target = `${baseline}-tested`;
    const smoke = await getObject('batch/v1', 'Job', target, 'test-smoke');
    expect(smoke?.metadata.labels?.['understudy.dev/test']).toBe('smoke');
    // A test that cannot pass: its pod is never scheduled and the Job hits its deadline.
    patch('tested', { spec: { tests: [{ name: 'smoke', template: job() }, { name: 'broken', template: job({ activeDeadlineSeconds: 3 }, { nodeSelector: { 'example.com/no-such-node': 'true' } }) }] } });
    const failed = await waitForCondition('tested', previews, 'TestsPassed', 'False', 90_000);
    expect(condition(failed, 'TestsPassed')?.message).toContain('broken');
    expect(condition(failed, 'Ready')?.status).toBe('True');
    expect(failed.status?.tests).toMatchObject({ total: 2, failed: 1 });
    // The spec changed (a new generation), so the smoke test ran again as a new Job.
    expect((await getObject('batch/v1', 'Job', target, 'test-smoke'))?.metadata.uid).not.toBe(smoke?.metadata.uid);
  });
});
