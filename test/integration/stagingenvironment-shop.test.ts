import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import type { Manager } from '../../operator/runtime/manager';
import { SOURCE_ANNOTATION } from '../../operator/environment/labels';
import { eventually, kubectl, kubectlAsync } from '../support/kube';
import {
  applyBaseline,
  applyObjects,
  condition,
  controllerIdle,
  createVolumes,
  deleteBaseline,
  deleteVolumes,
  environment,
  everyObjectIn,
  getEnvironment,
  getObject,
  listObjects,
  namespaceExists,
  reconcileCount,
  shopObjects,
  startPreviews,
  stopPreviews,
  waitForCondition,
  type Environment,
  type Json,
  type Obj,
} from './stagingenvironment-fixtures';
import { waitForObject } from '../support/kube';
import { grantSecretRead } from '../setup/operator-identity';

jest.setTimeout(300_000);

// The shop of examples/shop copied into a preview, end to end on the real
// control plane: kube-controller-manager rolls the copies out, kwok runs
// their pods, the namespace controller really deletes the namespace.

const id = randomBytes(3).toString('hex');
/** The shop's production namespace. */
const baseline = `shop-${id}`;
/** The Baseline of examples/shop/baseline.yaml, and one for the pull-request previews below. */
const exampleBaseline = `shop-example-${id}`;
const previewBaseline = `shop-previews-${id}`;
const storageClass = `ssd-${id}`;
let previews: string;
let manager: Manager;

const workloads = [
  'cart',
  'catalog',
  'checkout',
  'gateway',
  'notifications',
  'orders',
  'payments',
  'postgres',
  'redis',
  'users',
];
const SHOP_SELECTOR = { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } };

/** What an admin allows the shop's pull-request previews: the shop by its label, hosts under preview.example.com, isolation; no Secret copied. */
function previewBaselineSpec(selector: Json = SHOP_SELECTOR): Json {
  return {
    source: { namespace: baseline, selector },
    ingress: { domain: 'preview.example.com' },
    isolation: { networkPolicy: true, allowIngressFromNamespaces: ['ingress-nginx'] },
    secrets: { maxPolicy: 'Omit' },
  };
}

function spec(overrides: Json = {}): Json {
  return {
    baselineRef: { name: previewBaseline },
    scale: { replicas: '0.25', resources: '0.5' },
    ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com' },
    services: [
      {
        name: 'checkout',
        image: 'registry.example.com/shop/checkout:pr-7',
        env: [{ name: 'FEATURE_NEW_CHECKOUT', value: 'on' }],
      },
    ],
    ...overrides,
  };
}

const readExample = (path: string): Json & { metadata: Json; spec: Json } =>
  parse(readFileSync(resolve(__dirname, '../../examples/shop', path), 'utf8')) as Json & { metadata: Json; spec: Json };

beforeAll(async () => {
  // One set of volumes for the baseline's two claims and one per copy.
  createVolumes(storageClass, ['20Gi', '200Gi'], 4);
  applyObjects(shopObjects(baseline, storageClass));
  ({ previews, manager } = await startPreviews());
  applyBaseline(previewBaseline, [previews], previewBaselineSpec());
});

afterAll(async () => {
  await stopPreviews(previews, manager, baseline);
  deleteBaseline(exampleBaseline);
  deleteBaseline(previewBaseline);
  deleteVolumes(storageClass);
});

describe('examples/shop/staging.yaml with examples/shop/baseline.yaml', () => {
  it('becomes Ready against the shop once the namespace is labelled: derived namespace, generated secrets, quota, isolation, PodSecurity', async () => {
    // The example Baseline as written, but for this run's shop namespace and under a name of its own.
    const admin = readExample('baseline.yaml');
    admin.metadata.name = exampleBaseline;
    (admin.spec.source as Json).namespace = baseline;
    applyObjects([admin]);
    // What an admin adds with the chart's rbac.secretNamespaces: Generate reads the names and keys of production's Secrets.
    await grantSecretRead(baseline);
    kubectl(['label', 'namespace', previews, 'understudy.dev/previews=true']);
    const example = readExample('staging.yaml');
    example.spec.baselineRef = { name: exampleBaseline };
    kubectl(['apply', '-n', previews, '-f', '-'], JSON.stringify(example));
    const env = await waitForCondition('shop-preview', previews, 'Ready', 'True');
    const target = `shop-${previews}-shop-preview`;
    expect(env.status?.namespace).toBe(target);
    expect(env.status?.readyServices).toBe(`${workloads.length}/${workloads.length}`);
    expect(env.status?.urls).toEqual(['http://gateway.shop-preview.localtest.me/']);
    expect((await listObjects('v1', 'Secret', target)).map((s) => s.metadata.name).sort()).toEqual([
      'payments-api',
      'shop-db',
    ]);
    expect((await getObject('v1', 'ResourceQuota', target, 'understudy-quota'))?.spec).toMatchObject({
      hard: { 'requests.cpu': '8', 'requests.memory': '16Gi', pods: '40' },
    });
    const policy = await getObject('networking.k8s.io/v1', 'NetworkPolicy', target, 'understudy-isolation');
    expect(JSON.stringify((policy?.spec as Json | undefined)?.ingress)).toContain(
      '"kubernetes.io/metadata.name":"ingress-nginx"',
    );
    // The shop's namespace enforces PodSecurity baseline, and so does its copy.
    expect(
      (await getObject('v1', 'Namespace', undefined, target))?.metadata.labels?.['pod-security.kubernetes.io/enforce'],
    ).toBe('baseline');
    kubectl(['delete', '-n', previews, 'stagingenvironment/shop-preview', '--wait=false']);
  });
});

describe('the shop copied into a preview', () => {
  const name = 'pr-7';
  /** Derived by the Baseline's rule (the fixture's Baseline has no prefix): <environment namespace>-<name>. */
  const target = () => `${previews}-${name}`;

  it('becomes Ready, and kubectl wait --for=condition=Ready returns 0', async () => {
    kubectl(['apply', '-f', '-'], JSON.stringify(environment(name, previews, spec())));
    const wait = await kubectlAsync([
      'wait',
      '-n',
      previews,
      '--for=condition=Ready',
      `stagingenvironment/${name}`,
      '--timeout=120s',
    ]);
    expect(wait.stderr).toBe('');
    expect(wait.code).toBe(0);
    const env = await getEnvironment(name, previews);
    expect(env?.status?.phase).toBe('Ready');
    expect(env?.status?.namespace).toBe(target());
    expect(env?.status?.readyServices).toBe(`${workloads.length}/${workloads.length}`);
    expect(env?.status?.services?.map((s) => s.name).sort()).toEqual(workloads);
    expect(env?.status?.services?.every((s) => s.ready && (s.readyReplicas ?? 0) >= 1)).toBe(true);
    expect(env?.status?.urls).toEqual([`http://gateway.${name}.preview.example.com/`]);
    expect(env?.status?.observedGeneration).toBe(env?.metadata.generation);
    expect(env?.status?.baselineRevision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(env?.status?.timings?.provisionedSeconds).toBeGreaterThanOrEqual(0);
    expect(env?.status?.timings?.readySeconds).toBeGreaterThanOrEqual(env?.status?.timings?.provisionedSeconds ?? 0);
    for (const type of ['Provisioned', 'DataSeeded', 'TestsPassed']) expect(condition(env, type)?.status).toBe('True');
    expect(condition(env, 'BaselineStale')?.status).toBe('False');
    expect(condition(env, 'Reconciling')).toBeUndefined();
    expect(condition(env, 'Stalled')).toBeUndefined();
    const ns = await getObject('v1', 'Namespace', undefined, target());
    expect(ns?.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('understudy');
    // One Event per transition, not per reconcile.
    // What the copy could not copy as is (Secrets the policy leaves out) is a Warning of its own.
    const events = await eventually(
      async () => {
        const events = (await listObjects('events.k8s.io/v1', 'Event', previews)).filter(
          (e) => (e.regarding as Json | undefined)?.name === name,
        );
        const found = events.map((e) => String(e.reason));
        return ['CopyWarnings', 'NamespaceCreated', 'Provisioned', 'Ready'].every((r) => found.includes(r))
          ? events
          : undefined;
      },
      { what: 'transition events' },
    );
    expect(events.map((e) => String(e.reason)).sort()).toEqual([
      'CopyWarnings',
      'NamespaceCreated',
      'Provisioned',
      'Ready',
    ]);
    expect(events.find((e) => e.reason === 'CopyWarnings')?.type).toBe('Warning');
    expect(events.find((e) => e.reason === 'CopyWarnings')?.note).toMatch(
      /Secrets not in the environment \(payments-api, shop-db\)/,
    );
    // Replicas and autoscaler bounds follow the 0.25 ratio, rounded up, never below one.
    const cart = await getObject('apps/v1', 'Deployment', target(), 'cart');
    expect((cart?.spec as { replicas?: number }).replicas).toBe(1);
    const hpa = await getObject('autoscaling/v2', 'HorizontalPodAutoscaler', target(), 'gateway');
    expect(hpa?.spec).toMatchObject({ minReplicas: 1, maxReplicas: 5 });
  });

  it('rewrites every reference to the baseline namespace', async () => {
    // The target's own name starts with the baseline's: only the baseline's name as a whole DNS label is a reference.
    const reference = new RegExp(`(?<![-a-z0-9])${baseline}(?![-a-z0-9])`);
    for (const object of everyObjectIn(target())) {
      if (
        ['Event', 'Pod', 'ReplicaSet', 'EndpointSlice', 'Endpoints', 'ControllerRevision'].includes(String(object.kind))
      )
        continue;
      const { [SOURCE_ANNOTATION]: _source, ...annotations } = object.metadata.annotations ?? {};
      const text = JSON.stringify({ ...object, metadata: { ...object.metadata, annotations } });
      expect(`${object.kind}/${object.metadata.name}: ${reference.test(text) ? text : 'clean'}`).toBe(
        `${object.kind}/${object.metadata.name}: clean`,
      );
    }
    const endpoints = await getObject('v1', 'ConfigMap', target(), 'shop-endpoints');
    const data = endpoints?.data as Record<string, string>;
    expect(data.CATALOG_URL).toBe(`http://catalog.${target()}.svc.cluster.local:8080`);
    expect(data.USERS_URL).toBe(`http://users.${target()}:8080`);
    expect(data.POSTGRES_PRIMARY).toBe(`postgres-0.postgres-headless.${target()}.svc.cluster.local`);
    expect(data.SHOP_NAMESPACE).toBe(target());
    const gateway = await getObject('apps/v1', 'Deployment', target(), 'gateway');
    expect(JSON.stringify(gateway?.spec)).toContain(`--namespace=${target()}`);
    const binding = await getObject('rbac.authorization.k8s.io/v1', 'RoleBinding', target(), 'shop-config-reader');
    expect((binding?.subjects as Array<{ namespace: string }>).map((s) => s.namespace)).toEqual([target(), target()]);
  });

  it('copies no baseline Secret value anywhere under the Omit policy', async () => {
    const secretValues = (await listObjects('v1', 'Secret', baseline))
      .flatMap((s) => Object.values((s.data ?? {}) as Record<string, string>))
      .map((b64) => Buffer.from(b64, 'base64').toString('utf8'))
      .filter((value) => value.length >= 8);
    expect(secretValues.length).toBeGreaterThanOrEqual(4);
    const everything = everyObjectIn(target());
    expect(everything.filter((o) => o.kind === 'Secret')).toEqual([]);
    const texts = everything.map((o) => JSON.stringify(o));
    for (const value of secretValues) {
      for (const form of [value, Buffer.from(value).toString('base64')])
        expect(texts.filter((t) => t.includes(form))).toEqual([]);
    }
  });

  it('gives the copy new, empty claims', async () => {
    const bound = (ns: string, claimName: string): Promise<Obj> =>
      eventually(
        async () => {
          const claim = await getObject('v1', 'PersistentVolumeClaim', ns, claimName);
          return (claim?.spec as Json | undefined)?.volumeName ? claim : undefined;
        },
        { what: `${ns}/${claimName} bound` },
      );
    for (const claimName of ['redis-data', 'data-postgres-0']) {
      const original = await bound(baseline, claimName);
      const copy = await bound(target(), claimName);
      expect(copy?.metadata.uid).not.toBe(original?.metadata.uid);
      expect((copy?.spec as Json).volumeName).not.toBe((original?.spec as Json).volumeName);
      expect((copy?.spec as Json).dataSource).toBeUndefined();
    }
  });

  it("changes only the overridden service's image", async () => {
    for (const workload of workloads) {
      const kind = workload === 'postgres' ? 'StatefulSet' : 'Deployment';
      const images = async (ns: string) => {
        const object = await getObject('apps/v1', kind, ns, workload);
        return (
          object?.spec as { template: { spec: { containers: Array<{ image: string }> } } }
        ).template.spec.containers.map((c) => c.image);
      };
      const [original, copy] = [await images(baseline), await images(target())];
      if (workload === 'checkout')
        expect(copy).toEqual(original.map((image, i) => (i === 0 ? 'registry.example.com/shop/checkout:pr-7' : image)));
      else expect(copy).toEqual(original);
    }
    const env = await getEnvironment(name, previews);
    expect(env?.status?.services?.find((s) => s.name === 'checkout')?.image).toBe(
      'registry.example.com/shop/checkout:pr-7',
    );
  });

  it('a reconcile with nothing to change issues no write request', async () => {
    await eventually(() => controllerIdle(manager), { what: 'controller idle' });
    await new Promise((r) => setTimeout(r, 6_000));
    await eventually(() => controllerIdle(manager), { what: 'controller idle' });
    const before = manager.client.requestCounts();
    const reconciles = await reconcileCount(manager);
    // An annotation is a metadata change: it wakes the controller without changing what it should do.
    kubectl(['annotate', '-n', previews, `stagingenvironment/${name}`, `touched=${Date.now()}`, '--overwrite']);
    await eventually(async () => (await reconcileCount(manager)) > reconciles && (await controllerIdle(manager)), {
      what: 'a reconcile after the annotation',
    });
    const after = manager.client.requestCounts();
    for (const verb of ['create', 'update', 'patch', 'apply', 'delete'] as const)
      expect(`${verb}=${after[verb]}`).toBe(`${verb}=${before[verb]}`);
  });

  it('follows an edit of the spec', async () => {
    const before = await getEnvironment(name, previews);
    kubectl([
      'patch',
      '-n',
      previews,
      `stagingenvironment/${name}`,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { services: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:pr-8' }] } }),
    ]);
    const env = await waitForCondition(name, previews, 'Ready', 'True');
    expect(env.metadata.generation).toBeGreaterThan(before?.metadata.generation ?? 0);
    const checkout = await getObject('apps/v1', 'Deployment', target(), 'checkout');
    const container = (
      checkout?.spec as { template: { spec: { containers: Array<{ image: string; env?: Array<{ name: string }> }> } } }
    ).template.spec.containers[0];
    expect(container?.image).toBe('registry.example.com/shop/checkout:pr-8');
    // The variable the old spec added is gone with it.
    expect(container?.env?.map((e) => e.name)).not.toContain('FEATURE_NEW_CHECKOUT');
  });

  it("reports the admin narrowing the Baseline's selection as BaselineStale, and prunes the service that left it on the next spec edit", async () => {
    const selector = {
      ...SHOP_SELECTOR,
      matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn', values: ['notifications'] }],
    };
    applyBaseline(previewBaseline, [previews], previewBaselineSpec(selector));
    const stale: Environment = await waitForCondition(name, previews, 'BaselineStale', 'True', 30_000);
    expect(stale.status?.services?.map((s) => s.name)).toContain('notifications');
    expect(await getObject('apps/v1', 'Deployment', target(), 'notifications')).toBeDefined();
    kubectl([
      'patch',
      '-n',
      previews,
      `stagingenvironment/${name}`,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { scale: { replicas: '0.25', resources: '0.4' } } }),
    ]);
    const env = await waitForObject(
      () => getEnvironment(name, previews),
      (e) =>
        condition(e, 'Ready')?.status === 'True' &&
        condition(e, 'BaselineStale')?.status === 'False' &&
        e.status?.observedGeneration === e.metadata.generation,
      { what: `${name} copied again`, timeoutMs: 120_000 },
    );
    expect(env.status?.services?.map((s) => s.name)).not.toContain('notifications');
    await eventually(async () => (await getObject('apps/v1', 'Deployment', target(), 'notifications')) === undefined, {
      what: 'notifications Deployment pruned',
    });
    for (const [apiVersion, kind, objectName] of [
      ['v1', 'Service', 'notifications'],
      ['autoscaling/v2', 'HorizontalPodAutoscaler', 'notifications'],
      ['v1', 'ConfigMap', 'notifications-templates'],
    ] as const) {
      await eventually(async () => (await getObject(apiVersion, kind, target(), objectName)) === undefined, {
        what: `${kind} ${objectName} pruned`,
      });
    }
    expect(await getObject('apps/v1', 'Deployment', target(), 'orders')).toBeDefined();
  });

  it('reports BaselineStale when the baseline changes after the copy, and copies it again on the next spec edit', async () => {
    kubectl([
      'patch',
      '-n',
      baseline,
      'configmap/checkout-config',
      '--type=merge',
      '-p',
      JSON.stringify({ data: { 'application.properties': 'checkout.currency=USD\n' } }),
    ]);
    await waitForCondition(name, previews, 'BaselineStale', 'True', 30_000);
    const copy = await getObject('v1', 'ConfigMap', target(), 'checkout-config');
    expect((copy?.data as Record<string, string>)['application.properties']).toContain('checkout.currency=EUR');
    kubectl([
      'patch',
      '-n',
      previews,
      `stagingenvironment/${name}`,
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { scale: { replicas: '0.3', resources: '0.5' } } }),
    ]);
    await waitForCondition(name, previews, 'BaselineStale', 'False');
    await eventually(
      async () =>
        ((await getObject('v1', 'ConfigMap', target(), 'checkout-config'))?.data as Record<string, string>)[
          'application.properties'
        ] === 'checkout.currency=USD\n',
      { what: 'baseline change copied' },
    );
  });

  it('deleting the environment deletes its namespace, and the environment goes only once the namespace is gone', async () => {
    kubectl(['delete', '-n', previews, `stagingenvironment/${name}`, '--wait=false']);
    await eventually(async () => (await getEnvironment(name, previews)) === undefined, {
      timeoutMs: 120_000,
      what: 'environment gone',
    });
    expect(await namespaceExists(target())).toBe(false);
  });
});
