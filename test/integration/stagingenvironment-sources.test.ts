import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { renderedManifests, syntheticBaseline, SYNTHETIC_SECRET_VALUES } from '../../bench/environment-baseline';
import type { Manager } from '../../operator/runtime/manager';
import { createNamespace, deleteNamespace, eventually, kubectl, waitForObject } from '../support/kube';
import { grantSecretRead } from '../setup/operator-identity';
import {
  admin,
  applyBaseline,
  applyObjects,
  condition,
  deleteBaseline,
  environment,
  getEnvironment,
  getObject,
  listObjects,
  reconcileCount,
  controllerIdle,
  startPreviews,
  stopPreviews,
  waitForCondition,
  type Environment,
  type Json,
  type Obj,
} from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// Baselines from rendered manifests and from "another cluster" (a kubeconfig
// Secret in the operator's namespace pointing at this same test cluster), the
// secrets policies, shared services, isolation, children and tests.

const id = randomBytes(3).toString('hex');
/** The production namespace, and the Baseline (no prefix) most environments below copy. */
const baseline = `mini-${id}`;
const operatorNamespace = process.env.UNDERSTUDY_OPERATOR_NAMESPACE ?? 'understudy-system';
let previews: string;
let manager: Manager;
/** Where an admin keeps rendered manifests: not the tenant's namespace. */
let adminNamespace: string;
const baselines: string[] = [];
const operatorSecrets: string[] = [];
/** The target namespace derived for an environment of a Baseline with no prefix. */
const target = (name: string): string => `${previews}-${name}`;

/** An admin's Baseline open to the previews namespace, tracked for cleanup. */
const baselineOf = (name: string, spec: Json): string => {
  baselines.push(applyBaseline(name, [previews], spec));
  return name;
};

/** A Secret only an admin can create: in the operator's own namespace, where remote Baselines' kubeconfigs live. */
const operatorSecret = (name: string, args: string[]): void => {
  operatorSecrets.push(name);
  kubectl(['create', 'secret', 'generic', name, '-n', operatorNamespace, ...args]);
};

/** Stalled with this reason for the current generation (a Baseline applied a moment ago may still be BaselineNotFound in the operator's cache). */
// `message` tells apart stalls that share a reason: a Baseline created just
// before its environment may not be cached yet (BaselineNotFound for the
// Baseline), and the Secret it names is judged only on the next reconcile.
const waitForStall = (name: string, reason: string, message?: RegExp): Promise<Environment> =>
  waitForObject(
    () => getEnvironment(name, previews),
    (env) =>
      condition(env, 'Stalled')?.status === 'True' &&
      condition(env, 'Stalled')?.reason === reason &&
      condition(env, 'Stalled')?.observedGeneration === env.metadata.generation &&
      (message === undefined || message.test(condition(env, 'Stalled')?.message ?? '')),
    { what: `Stalled ${reason} on ${previews}/${name}`, timeoutMs: 30_000 },
  );

const apply = (name: string, body: Json): void => {
  kubectl(['apply', '-f', '-'], JSON.stringify(environment(name, previews, body)));
};
const patch = (name: string, body: Json): void => {
  kubectl(['patch', '-n', previews, `stagingenvironment/${name}`, '--type=merge', '-p', JSON.stringify(body)]);
};
const decoded = (secret: Json | undefined): Record<string, string> =>
  Object.fromEntries(
    Object.entries((secret?.data ?? {}) as Record<string, string>).map(([k, v]) => [
      k,
      Buffer.from(v, 'base64').toString('utf8'),
    ]),
  );

// A baseline policy admitting every namespace to svc-00: isolation must not let it reopen the copy.
const openPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'svc-00-from-anywhere', namespace: baseline },
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc-00' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: {} }] }, { from: [{ podSelector: {} }] }],
  },
};
// And one letting svc-00 reach anywhere: egress allowances add up just the same.
const openEgressPolicy = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'svc-00-to-anywhere', namespace: baseline },
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'svc-00' } },
    policyTypes: ['Egress'],
    egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { namespaceSelector: {} }] }, { ports: [{ port: 443 }] }],
  },
};

beforeAll(async () => {
  applyObjects([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } },
    ...syntheticBaseline(baseline, 3, { secrets: true, partOf: 'mini' }),
    openPolicy,
    openEgressPolicy,
  ]);
  adminNamespace = createNamespace('admin');
  ({ previews, manager } = await startPreviews());
  // Generate and CopyListed read production's Secrets: the admin grants that (the chart's rbac.secretNamespaces).
  await grantSecretRead(baseline);
  baselineOf(baseline, {
    source: { namespace: baseline },
    secrets: { maxPolicy: 'CopyListed', copyable: ['app-api'] },
  });
});

afterAll(async () => {
  await stopPreviews(previews, manager, baseline);
  for (const name of baselines) deleteBaseline(name);
  if (operatorSecrets.length > 0)
    kubectl(['delete', 'secret', '-n', operatorNamespace, ...operatorSecrets, '--ignore-not-found']);
  if (adminNamespace) deleteNamespace(adminNamespace);
});

describe('StagingEnvironment baselines', () => {
  it('copies rendered manifests held in a ConfigMap of an admin namespace, rewriting the namespace they were rendered for', async () => {
    const renderedFor = `rendered-${id}`;
    const manifests = renderedManifests(syntheticBaseline(renderedFor, 2, { partOf: 'rendered' }));
    applyObjects([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'rendered-shop', namespace: adminNamespace },
        data: { 'all.yaml': manifests },
      },
    ]);
    const rendered = baselineOf(`rendered-${id}`, {
      source: {
        namespace: renderedFor,
        manifests: { configMapRef: { namespace: adminNamespace, name: 'rendered-shop', key: 'all.yaml' } },
      },
      targetNamespace: { prefix: 'r-' },
    });
    apply('from-manifests', { baselineRef: { name: rendered } });
    const env = await waitForCondition('from-manifests', previews, 'Ready', 'True');
    const copy = `r-${previews}-from-manifests`;
    expect(env.status?.namespace).toBe(copy);
    expect(env.status?.services?.map((s) => s.name)).toEqual(['svc-00', 'svc-01']);
    const endpoints = await getObject('v1', 'ConfigMap', copy, 'endpoints');
    expect((endpoints?.data as Record<string, string>).SVC_00_URL).toBe(`http://svc-00.${copy}.svc.cluster.local:8080`);
    expect((endpoints?.data as Record<string, string>).APP_NAMESPACE).toBe(copy);
  });

  it("copies a namespace of another cluster through a kubeconfig Secret in the operator's namespace", async () => {
    operatorSecret(`prod-cluster-${id}`, [`--from-file=kubeconfig=${process.env.KUBECONFIG}`]);
    const afar = baselineOf(`afar-${id}`, {
      source: {
        namespace: baseline,
        cluster: { kubeconfigSecretRef: { name: `prod-cluster-${id}`, key: 'kubeconfig' } },
      },
      targetNamespace: { prefix: 'afar-' },
    });
    apply('from-afar', { baselineRef: { name: afar } });
    const env = await waitForCondition('from-afar', previews, 'Ready', 'True');
    const copy = `afar-${previews}-from-afar`;
    expect(env.status?.namespace).toBe(copy);
    expect(env.status?.readyServices).toBe('3/3');
    const deployment = await getObject('apps/v1', 'Deployment', copy, 'svc-01');
    expect(JSON.stringify(deployment?.spec)).toContain(`http://svc-02.${copy}.svc.cluster.local:8080`);
  });

  it('reports an unreadable, an unsafe or a missing kubeconfig Secret as Stalled naming the field, and never runs an exec', async () => {
    operatorSecret(`not-a-kubeconfig-${id}`, ['--from-literal=kubeconfig=hello: [']);
    apply('bad-afar', {
      baselineRef: {
        name: baselineOf(`bad-afar-${id}`, {
          source: {
            namespace: baseline,
            cluster: { kubeconfigSecretRef: { name: `not-a-kubeconfig-${id}`, key: 'kubeconfig' } },
          },
        }),
      },
    });
    const env = await waitForStall('bad-afar', 'BaselineUnreachable');
    expect(condition(env, 'Stalled')?.message).toMatch(
      new RegExp(
        `^spec\\.baselineRef\\.name: Secret ${operatorNamespace}/not-a-kubeconfig-${id}, key kubeconfig, of Baseline bad-afar-${id}: is not valid YAML`,
      ),
    );
    const marker = `/tmp/understudy-exec-ran-${id}`;
    const exec = `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: sh, args: ["-c", "touch ${marker}"]}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;
    operatorSecret(`exec-kubeconfig-${id}`, [`--from-literal=kubeconfig=${exec}`]);
    apply('exec-afar', {
      baselineRef: {
        name: baselineOf(`exec-afar-${id}`, {
          source: {
            namespace: baseline,
            cluster: { kubeconfigSecretRef: { name: `exec-kubeconfig-${id}`, key: 'kubeconfig' } },
          },
        }),
      },
    });
    const refused = await waitForStall('exec-afar', 'BaselineUnreachable');
    expect(condition(refused, 'Stalled')?.message).toMatch(
      new RegExp(
        `^spec\\.baselineRef\\.name: Secret ${operatorNamespace}/exec-kubeconfig-${id}, key kubeconfig, of Baseline exec-afar-${id}: .*exec.* is refused: it runs a command inside the operator`,
      ),
    );
    expect(existsSync(marker)).toBe(false);
    apply('no-secret', {
      baselineRef: {
        name: baselineOf(`no-secret-${id}`, {
          source: {
            namespace: baseline,
            cluster: { kubeconfigSecretRef: { name: `absent-${id}`, key: 'kubeconfig' } },
          },
        }),
      },
    });
    const missing = await waitForStall('no-secret', 'BaselineNotFound', /Secret /);
    expect(condition(missing, 'Stalled')?.message).toBe(
      `spec.baselineRef.name: Secret ${operatorNamespace}/absent-${id}, key kubeconfig, of Baseline no-secret-${id} does not exist`,
    );
    for (const name of ['bad-afar', 'exec-afar', 'no-secret'])
      expect(await getObject('v1', 'Namespace', undefined, target(name))).toBeUndefined();
  });
});

describe('secrets policies', () => {
  it('Generate: the same names and keys with fresh values, stable across reconciles', async () => {
    apply('generated', { baselineRef: { name: baseline }, secrets: { policy: 'Generate' } });
    await waitForCondition('generated', previews, 'Ready', 'True');
    const db = await getObject('v1', 'Secret', target('generated'), 'app-db');
    const original = decoded(await getObject('v1', 'Secret', baseline, 'app-db'));
    const copy = decoded(db);
    expect(Object.keys(copy).sort()).toEqual(Object.keys(original).sort());
    for (const key of Object.keys(original)) expect(copy[key]).not.toBe(original[key]);
    expect(JSON.stringify(copy)).not.toContain(SYNTHETIC_SECRET_VALUES.password);
    expect(db?.metadata.annotations?.['understudy.dev/secret-policy']).toBe('Generate');
    // Another reconcile (an annotation wakes it) keeps the values: the Secret is not written again.
    const reconciles = await reconcileCount(manager);
    kubectl(['annotate', '-n', previews, 'stagingenvironment/generated', `touched=${Date.now()}`]);
    await eventually(async () => (await reconcileCount(manager)) > reconciles && (await controllerIdle(manager)), {
      what: 'reconcile after annotation',
    });
    expect((await getObject('v1', 'Secret', target('generated'), 'app-db'))?.metadata.resourceVersion).toBe(
      db?.metadata.resourceVersion,
    );
  });

  it('CopyListed: only the listed Secret, as it is; references to the others become optional; one the Baseline does not list is refused', async () => {
    apply('listed', { baselineRef: { name: baseline }, secrets: { policy: 'CopyListed', names: ['app-api'] } });
    await waitForCondition('listed', previews, 'Ready', 'True');
    const copy = target('listed');
    expect(decoded(await getObject('v1', 'Secret', copy, 'app-api'))).toEqual({ TOKEN: SYNTHETIC_SECRET_VALUES.token });
    expect(await getObject('v1', 'Secret', copy, 'app-db')).toBeUndefined();
    const svc = await getObject('apps/v1', 'Deployment', copy, 'svc-00');
    const env = (
      svc?.spec as {
        template: {
          spec: {
            containers: Array<{ env: Array<{ name: string; valueFrom?: { secretKeyRef?: { optional?: boolean } } }> }>;
          };
        };
      }
    ).template.spec.containers[0]?.env;
    expect(env?.find((e) => e.name === 'DB_PASSWORD')?.valueFrom?.secretKeyRef?.optional).toBe(true);
    expect(JSON.stringify(await listObjects('v1', 'Secret', copy))).not.toContain(
      Buffer.from(SYNTHETIC_SECRET_VALUES.password).toString('base64'),
    );
    // The Baseline lists only app-api as copyable: asking for app-db too stalls, and nothing more is copied.
    patch('listed', { spec: { secrets: { policy: 'CopyListed', names: ['app-api', 'app-db'] } } });
    const refused = await waitForStall('listed', 'ExceedsBaseline');
    expect(condition(refused, 'Stalled')?.message).toBe(
      "spec.secrets.names: app-db is not in the Baseline's copyable Secrets (app-api)",
    );
    expect(await getObject('v1', 'Secret', copy, 'app-db')).toBeUndefined();
  });
});

describe('services, isolation, children and tests', () => {
  it("a shared service is an ExternalName to the baseline's, also when a copied one switches to shared", async () => {
    apply('sharing', { baselineRef: { name: baseline } });
    await waitForCondition('sharing', previews, 'Ready', 'True');
    const copy = target('sharing');
    const before = await getObject('v1', 'Service', copy, 'svc-01');
    expect((before?.spec as Json).clusterIP).toMatch(/^10\.96\./);
    patch('sharing', { spec: { services: [{ name: 'svc-01', mode: 'shared' }] } });
    const env = await waitForCondition('sharing', previews, 'Ready', 'True');
    expect(env.status?.services?.find((s) => s.name === 'svc-01')).toMatchObject({
      kind: 'Service',
      mode: 'shared',
      ready: true,
    });
    const after = await getObject('v1', 'Service', copy, 'svc-01');
    expect(after?.metadata.uid).toBe(before?.metadata.uid);
    expect(after?.spec).toMatchObject({ type: 'ExternalName', externalName: `svc-01.${baseline}.svc.cluster.local` });
    // The API server clears the cluster IP when a Service becomes an ExternalName.
    expect((after?.spec as Json).clusterIP).toBeUndefined();
    await eventually(async () => (await getObject('apps/v1', 'Deployment', copy, 'svc-01')) === undefined, {
      what: 'shared workload pruned',
    });
  });

  it("with the Baseline's isolation on, copied NetworkPolicies cannot admit other namespaces, and its quota caps fill what the environment left out", async () => {
    const isolatedBaseline = baselineOf(`isolated-${id}`, {
      source: { namespace: baseline },
      isolation: { networkPolicy: true },
      limits: { maxReplicas: '1', maxResources: '1', maxTtl: '24h', quota: { cpu: '4', memory: '4Gi', pods: 20 } },
    });
    apply('isolated', {
      baselineRef: { name: isolatedBaseline },
      isolation: { resourceQuota: { cpu: '2', memory: '2Gi' }, limitRange: { defaultRequest: { cpu: '10m' } } },
    });
    await waitForCondition('isolated', previews, 'Ready', 'True');
    const copy = target('isolated');
    expect(
      (await getObject('networking.k8s.io/v1', 'NetworkPolicy', copy, 'understudy-isolation'))?.spec,
    ).toMatchObject({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
    });
    expect(
      (await getObject('networking.k8s.io/v1', 'NetworkPolicy', copy, 'svc-00-from-anywhere'))?.spec,
    ).toMatchObject({ ingress: [{ from: [{ podSelector: {} }] }] });
    expect((await getObject('networking.k8s.io/v1', 'NetworkPolicy', copy, 'svc-00-to-anywhere'))?.spec).toMatchObject({
      egress: [{ ports: [{ port: 443 }], to: [{ podSelector: {} }] }],
    });
    expect((await getObject('v1', 'ResourceQuota', copy, 'understudy-quota'))?.spec).toEqual({
      hard: { 'requests.cpu': '2', 'requests.memory': '2Gi', pods: '20' },
    });
    expect(await getObject('v1', 'LimitRange', copy, 'understudy-limits')).toBeDefined();
    // A quota above the Baseline's cap is refused, naming the field; the copy keeps its quota.
    patch('isolated', { spec: { isolation: { resourceQuota: { cpu: '8' } } } });
    const refused = await waitForStall('isolated', 'ExceedsBaseline');
    expect(condition(refused, 'Stalled')?.message).toBe(
      "spec.isolation.resourceQuota.cpu: 8 is above the Baseline's cap of 4",
    );
    expect((await getObject('v1', 'ResourceQuota', copy, 'understudy-quota'))?.spec).toEqual({
      hard: { 'requests.cpu': '2', 'requests.memory': '2Gi', pods: '20' },
    });
  });

  // The Baseline's TLS Secret is copied into every preview for the ingress controller: no pod of the tenant's reads it.
  it("refuses an env override or a test Job reading the Baseline's TLS Secret, before creating anything", async () => {
    const hosted = baselineOf(`hosted-${id}`, {
      source: { namespace: baseline },
      ingress: { domain: 'preview.example.com', tlsSecretRef: { namespace: adminNamespace, name: 'wildcard' } },
    });
    const ingress = { hostTemplate: '{{service}}.{{environment}}.preview.example.com' };
    apply('tls-env', {
      baselineRef: { name: hosted },
      ingress,
      services: [
        { name: 'svc-00', env: [{ name: 'K', valueFrom: { secretKeyRef: { name: 'wildcard', key: 'tls.key' } } }] },
      ],
    });
    apply('tls-test', {
      baselineRef: { name: hosted },
      ingress,
      tests: [
        {
          name: 'steal',
          template: {
            template: {
              spec: {
                restartPolicy: 'Never',
                containers: [{ name: 't', image: 'busybox', envFrom: [{ secretRef: { name: 'wildcard' } }] }],
              },
            },
          },
        },
      ],
    });
    const byEnv = await waitForStall('tls-env', 'ExceedsBaseline', /TLS Secret/);
    expect(condition(byEnv, 'Stalled')?.message).toMatch(
      /^spec\.services\[0\]\.env\[0\]\.valueFrom\.secretKeyRef\.name: wildcard is the Baseline's TLS Secret/,
    );
    const byTest = await waitForStall('tls-test', 'ExceedsBaseline', /TLS Secret/);
    expect(condition(byTest, 'Stalled')?.message).toMatch(
      /^spec\.tests\[0\]\.template\.template\.spec\.containers\[0\]\.envFrom\[0\]\.secretRef\.name: /,
    );
    expect(await getObject('v1', 'Namespace', undefined, target('tls-env'))).toBeUndefined();
    expect(await getObject('v1', 'Namespace', undefined, target('tls-test'))).toBeUndefined();
  });

  it('creates DataSeed and ParityCheck children and is Ready only once every DataSeed succeeded', async () => {
    const seed = {
      source: { fixtures: { configMapRef: { name: 'rows', key: 'rows.yaml' } } },
      target: { host: 'db', database: 'app', user: 'app' },
    };
    apply('seeded', {
      baselineRef: { name: baseline },
      dataSeeds: [{ name: 'orders', spec: seed }],
      parityChecks: [{ name: 'drift', spec: { staging: { environmentRef: { name: 'seeded' } } } }],
    });
    const copy = target('seeded');
    const waiting = await waitForCondition('seeded', previews, 'DataSeeded', 'False');
    expect(condition(waiting, 'DataSeeded')?.reason).toBe('Seeding');
    await eventually(async () => (await getEnvironment('seeded', previews))?.status?.phase === 'Seeding', {
      what: 'phase Seeding',
    });
    expect(condition(await getEnvironment('seeded', previews), 'Ready')).toMatchObject({
      status: 'False',
      reason: 'Seeding',
    });
    const dataSeed = await getObject('understudy.dev/v1alpha1', 'DataSeed', copy, 'orders');
    // Children without a Baseline of their own name the environment's.
    expect(dataSeed?.spec).toMatchObject({ ...seed, baselineRef: { name: baseline } });
    expect((await getObject('understudy.dev/v1alpha1', 'ParityCheck', copy, 'drift'))?.spec).toMatchObject({
      baselineRef: { name: baseline },
      staging: { environmentRef: { name: 'seeded' } },
    });
    // This test plays the DataSeed controller (written in its own issue): it reports success through the status subresource.
    await admin().patchStatus(
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', namespace: copy, name: 'orders' },
      {
        status: {
          phase: 'Succeeded',
          observedGeneration: dataSeed?.metadata.generation,
          conditions: [
            {
              type: 'Ready',
              status: 'True',
              reason: 'Succeeded',
              message: 'seeded',
              lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
            },
          ],
        },
      },
    );
    const ready = await waitForCondition('seeded', previews, 'Ready', 'True');
    expect(condition(ready, 'DataSeeded')?.status).toBe('True');
    expect(ready.status?.timings?.seededSeconds).toBeGreaterThanOrEqual(ready.status?.timings?.provisionedSeconds ?? 0);
  });

  it('gives its LoadTests the revision of the copy: a new image runs them again, a new TTL does not', async () => {
    const loadTest = {
      targets: [{ name: 'web', service: 'svc-00', port: 80 }],
      scenarios: [
        { name: 'browse', executor: 'constant-arrival-rate', rate: 5, duration: '10s', requests: [{ path: '/' }] },
      ],
    };
    apply('loaded', { baselineRef: { name: baseline }, ttl: '24h', loadTests: [{ name: 'peak', spec: loadTest }] });
    const copy = target('loaded');
    const first = await waitForObject<Obj & { status?: unknown }>(
      () => getObject('understudy.dev/v1alpha1', 'LoadTest', copy, 'peak'),
      (t) => typeof (t.spec as Json | undefined)?.environmentRevision === 'string',
      { what: 'the LoadTest child with its environmentRevision', timeoutMs: 30_000 },
    );
    const revision = (first.spec as Json).environmentRevision as string;
    expect(first.spec).toMatchObject({ ...loadTest, baselineRef: { name: baseline } });
    await waitForCondition('loaded', previews, 'Provisioned', 'True');

    patch('loaded', { spec: { ttl: '48h' } });
    await eventually(
      async () => {
        const env = await getEnvironment('loaded', previews);
        return (env?.metadata.generation ?? 0) >= 2 && env?.status?.observedGeneration === env?.metadata.generation;
      },
      { what: 'the TTL change observed' },
    );
    const afterTtl = await getObject('understudy.dev/v1alpha1', 'LoadTest', copy, 'peak');
    expect((afterTtl?.spec as Json).environmentRevision).toBe(revision);
    expect(afterTtl?.metadata.generation).toBe(first.metadata.generation);

    patch('loaded', { spec: { services: [{ name: 'svc-00', image: `registry.example.com/mini/svc-00:pr-2` }] } });
    const rerun = await waitForObject<Obj & { status?: unknown }>(
      () => getObject('understudy.dev/v1alpha1', 'LoadTest', copy, 'peak'),
      (t) => (t.spec as Json | undefined)?.environmentRevision !== revision,
      { what: 'a new environmentRevision after the image override', timeoutMs: 30_000 },
    );
    expect(rerun.metadata.generation).toBeGreaterThan(first.metadata.generation ?? 0);
  });

  it('refuses a DataSeed template its kind would refuse, naming the field, before writing anything', async () => {
    apply('bad-seed', {
      baselineRef: { name: baseline },
      dataSeeds: [{ name: 'orders', spec: { source: { sql: { configMapRef: { name: 'x', key: 'y' } } } } }],
    });
    const env = await waitForCondition('bad-seed', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')).toMatchObject({ reason: 'InvalidSpec' });
    expect(condition(env, 'Stalled')?.message).toMatch(/^spec\.dataSeeds\[0\]\.spec\.target: /);
    expect(await getObject('v1', 'Namespace', undefined, target('bad-seed'))).toBeUndefined();
  });

  // Production may run privileged; a tenant's test Job must not, unless an admin writes podSecurity in the Baseline.
  it("does not inherit a privileged production namespace's PodSecurity level: a privileged test Job is refused", async () => {
    const privileged = `priv-${id}`;
    applyObjects([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: privileged, labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
      },
      ...syntheticBaseline(privileged, 1, { partOf: 'priv' }),
    ]);
    const fromPrivileged = baselineOf(privileged, { source: { namespace: privileged } });
    const hostPath = {
      backoffLimit: 0,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'root',
              image: 'busybox',
              securityContext: { privileged: true },
              volumeMounts: [{ name: 'host', mountPath: '/host' }],
            },
          ],
          volumes: [{ name: 'host', hostPath: { path: '/' } }],
        },
      },
    };
    apply('from-privileged', { baselineRef: { name: fromPrivileged }, tests: [{ name: 'root', template: hostPath }] });
    const refused = await waitForCondition('from-privileged', previews, 'TestsPassed', 'False');
    expect(condition(refused, 'TestsPassed')?.reason).toBe('Refused');
    const copy = await getObject('v1', 'Namespace', undefined, target('from-privileged'));
    expect(copy?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('baseline');
    expect(await getObject('batch/v1', 'Job', target('from-privileged'), 'test-root')).toBeUndefined();
    deleteNamespace(privileged);
  });

  it('runs test Jobs once Ready and reports their outcome in TestsPassed', async () => {
    const job = (extra: Json = {}, podExtra: Json = {}) => ({
      backoffLimit: 0,
      ...extra,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'test', image: 'registry.example.com/shop/smoke:1' }],
          ...podExtra,
        },
      },
    });
    apply('tested', { baselineRef: { name: baseline }, tests: [{ name: 'smoke', template: job() }] });
    const passed = await waitForCondition('tested', previews, 'TestsPassed', 'True');
    expect(condition(passed, 'TestsPassed')?.reason).toBe('Succeeded');
    expect(passed.status?.tests).toEqual({ total: 1, succeeded: 1, failed: 0, running: 0 });
    const smoke = await getObject('batch/v1', 'Job', target('tested'), 'test-smoke');
    expect(smoke?.metadata.labels?.['understudy.dev/test']).toBe('smoke');
    // A test that cannot pass: its pod is never scheduled (a scheduling gate nobody lifts) and the Job hits its deadline.
    patch('tested', {
      spec: {
        tests: [
          { name: 'smoke', template: job() },
          {
            name: 'broken',
            template: job({ activeDeadlineSeconds: 3 }, { schedulingGates: [{ name: 'example.com/never' }] }),
          },
        ],
      },
    });
    const failed = await waitForCondition('tested', previews, 'TestsPassed', 'False', 90_000);
    expect(condition(failed, 'TestsPassed')?.message).toContain('broken');
    expect(condition(failed, 'Ready')?.status).toBe('True');
    expect(failed.status?.tests).toMatchObject({ total: 2, failed: 1 });
    // The spec changed (a new generation), so the smoke test ran again as a new Job.
    expect((await getObject('batch/v1', 'Job', target('tested'), 'test-smoke'))?.metadata.uid).not.toBe(
      smoke?.metadata.uid,
    );

    // A test pod that picks the control plane's nodes: the operator would be placing the tenant's pod there.
    apply('on-control-plane', {
      baselineRef: { name: baseline },
      tests: [
        {
          name: 'escape',
          template: job(
            {},
            {
              nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
              tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
            },
          ),
        },
      ],
    });
    const placed = await waitForStall('on-control-plane', 'ExceedsBaseline');
    expect(condition(placed, 'Stalled')?.message).toBe(
      "spec.tests[0].template.template.spec.nodeSelector: a test pod may not choose its node, runtime or priority: the Baseline's limits.tests.allowPlacement is not set",
    );
    expect(await getObject('v1', 'Namespace', undefined, target('on-control-plane'))).toBeUndefined();
  });
});
