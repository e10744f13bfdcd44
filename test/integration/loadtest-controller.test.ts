import type { LoadTestSpecInput, LoadTestStatus } from '../../operator/api/loadtest';
import { loadTestController } from '../../operator/controllers/loadtest';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import { OPERATOR_WRITABLE, adminKubeConfig, createNamespace, deleteNamespace, eventually, operatorKubeConfig, uniqueName } from '../support/kube';
import { type LoadServer, startLoadServer } from '../support/load-server';

jest.setTimeout(90_000);

// The LoadTest controller under the chart's least-privilege identity against
// a real API server, sending to a real HTTP server on loopback behind a real
// Service: the Service is resolved in the namespace (it must exist and have
// the port), and only the last step — cluster DNS — is replaced by loopback,
// because this operator runs outside any cluster network.

const admin = new KubeClient(adminKubeConfig(), { fieldManager: 'loadtest-test' });
type LoadTestObject = KubernetesObject & { spec: LoadTestSpecInput; status?: LoadTestStatus };

let manager: Manager;
let server: LoadServer;
let namespace: string;
let outsider: string;
let baseline: string;

beforeAll(async () => {
  server = await startLoadServer();
  server.delay((path) => (path.startsWith('/slow') ? 300 : 0));
  namespace = createNamespace('lt-team', OPERATOR_WRITABLE);
  outsider = createNamespace('lt-outsider', OPERATOR_WRITABLE);
  baseline = uniqueName('lt-shop');
  const port = Number(new URL(server.url).port);
  await admin.apply({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', metadata: { name: baseline }, spec: { source: { namespace: 'default' }, allowedNamespaces: { names: [namespace] }, limits: { load: { maxRate: 200, maxDuration: '1m' } } } } as KubernetesObject);
  for (const ns of [namespace, outsider]) {
    await admin.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: ns }, spec: { ports: [{ name: 'http', port }], selector: { app: 'shop' } } } as KubernetesObject);
    await admin.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'payments', namespace: ns }, spec: { type: 'ExternalName', externalName: 'payments.production.svc.cluster.local', ports: [{ name: 'http', port }] } } as KubernetesObject);
  }
  manager = new Manager({ kubeConfig: operatorKubeConfig(), logger: createLogger({ level: (process.env.UNDERSTUDY_TEST_LOG_LEVEL as 'info' | undefined) ?? 'warn' }), namespaces: [namespace, outsider], metricsAddr: '127.0.0.1:0', healthAddr: '127.0.0.1:0' });
  manager.addController(loadTestController({ registry: manager.registry, namespaces: [namespace, outsider] }, { serviceUrl: (t) => `http://127.0.0.1:${t.port}`, progressIntervalMs: 250 }));
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await server?.close();
  for (const ns of [namespace, outsider]) if (ns) deleteNamespace(ns);
  if (baseline) await admin.delete({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', name: baseline });
});

function spec(overrides: Partial<LoadTestSpecInput> = {}): LoadTestSpecInput {
  return {
    baselineRef: { name: baseline },
    targets: [{ name: 'shop', service: 'shop', port: 'http' }],
    runner: 'Inline',
    scenarios: [
      {
        name: 'browse',
        executor: 'constant-arrival-rate',
        rate: 50,
        duration: '2s',
        requests: [
          { name: 'items', path: '/items/{{int 1 100}}', weight: 4 },
          { name: 'slow', path: '/slow', weight: 1 },
        ],
      },
    ],
    thresholds: [{ route: 'items', p95: '250ms', errorRate: '0.01' }],
    ...overrides,
  };
}

async function create(ns: string, overrides: Partial<LoadTestSpecInput> = {}): Promise<string> {
  const name = uniqueName('lt');
  await admin.create({ apiVersion: 'understudy.dev/v1alpha1', kind: 'LoadTest', metadata: { name, namespace: ns }, spec: spec(overrides) } as KubernetesObject);
  return name;
}

async function until(ns: string, name: string, accept: (s: LoadTestStatus) => boolean, what: string): Promise<LoadTestStatus> {
  return eventually(
    async () => {
      const object = await admin.get<LoadTestObject>({ apiVersion: 'understudy.dev/v1alpha1', kind: 'LoadTest', namespace: ns, name });
      return object?.status && accept(object.status) ? object.status : undefined;
    },
    { timeoutMs: 45_000, intervalMs: 250, what },
  );
}

const condition = (s: LoadTestStatus, type: string) => s.conditions?.find((c) => c.type === type);

describe('a LoadTest run inside the operator', () => {
  it('sends to the Service, writes per-route results and the report, and Passes when thresholds hold', async () => {
    const before = server.received.length;
    const name = await create(namespace);
    const status = await until(namespace, name, (s) => s.phase === 'Passed' || s.phase === 'Failed' || s.phase === 'Stalled', 'a finished run');
    expect(status.phase).toBe('Passed');
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(condition(status, 'Passed')).toMatchObject({ status: 'True', reason: 'ThresholdsHeld' });
    expect(server.received.length - before).toBe(100);
    expect(status.scenarios?.[0]).toMatchObject({ name: 'browse', sent: 100, requestedRate: 50, dropped: 0 });
    expect(status.routes?.map((r) => r.route).sort()).toEqual(['items', 'slow']);
    // The slow route's 300 ms are measured (worst p99 first).
    expect(status.routes?.[0]?.route).toBe('slow');
    expect(status.routes?.[0]?.p50Ms).toBeGreaterThan(290);
    expect(status.targets).toEqual([{ name: 'shop', url: `http://127.0.0.1:${new URL(server.url).port}` }]);
    const report = await admin.get<KubernetesObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: status.report!.name });
    const full = JSON.parse(report!.data!['report.json']!) as { passed: boolean; scenarios: Array<{ routes: unknown[] }>; workers: unknown[] };
    expect(full.passed).toBe(true);
    expect(full.scenarios[0]!.routes).toHaveLength(2);
    expect(full.workers).toHaveLength(1);
    // Once per generation: a finished test is not sent again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(server.received.length - before).toBe(100);
  });

  it('fails Passed naming the route and the figure when a threshold is exceeded', async () => {
    const name = await create(namespace, { thresholds: [{ route: 'slow', p95: '100ms' }, { route: 'items', errorRate: '0.01' }] });
    const status = await until(namespace, name, (s) => s.phase === 'Passed' || s.phase === 'Failed', 'a finished run');
    expect(status.phase).toBe('Failed');
    const passed = condition(status, 'Passed');
    expect(passed).toMatchObject({ status: 'False', reason: 'ThresholdsExceeded' });
    expect(passed?.message).toMatch(/^slow: p95 \d+(\.\d+)? ms > 100 ms$/);
    expect(Number(/p95 ([\d.]+) ms/.exec(passed!.message)![1])).toBeGreaterThan(290);
    expect(status.violations).toEqual([passed?.message]);
    // Ready: the run finished; the verdict is Passed's.
    expect(condition(status, 'Ready')?.status).toBe('True');
  });
});

describe('what a LoadTest may not do', () => {
  it('is Stalled BaselineNotAllowed in a namespace the Baseline does not allow, and sends nothing', async () => {
    const before = server.received.length;
    const name = await create(outsider);
    const status = await until(outsider, name, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(status, 'Stalled')).toMatchObject({ reason: 'BaselineNotAllowed' });
    expect(condition(status, 'Stalled')?.message).toMatch(/does not allow namespace/);
    expect(server.received.length).toBe(before);
  });

  it('is Stalled ExceedsBaseline naming the field when it asks for more than the Baseline allows', async () => {
    const name = await create(namespace, { scenarios: [{ name: 'flood', executor: 'constant-arrival-rate', rate: 500, duration: '2s', requests: [{ path: '/' }] }], thresholds: [] });
    const status = await until(namespace, name, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(status, 'Stalled')).toMatchObject({ reason: 'ExceedsBaseline' });
    expect(condition(status, 'Stalled')?.message).toMatch(/^spec\.scenarios\[0\]\.rate: a peak of 500 requests\/s exceeds Baseline .*'s limits\.load\.maxRate 200$/);
    const long = await create(namespace, { scenarios: [{ name: 'long', executor: 'constant-vus', vus: 1, duration: '5m', requests: [{ path: '/' }] }], thresholds: [] });
    expect(condition(await until(namespace, long, (s) => s.phase === 'Stalled', 'Stalled'), 'Stalled')?.message).toMatch(/^spec\.scenarios\[0\]\.duration: 300 s exceeds .*maxDuration 60 s$/);
  });

  it('refuses an ExternalName target (a shared service points at production) and a missing port', async () => {
    const external = await create(namespace, { targets: [{ name: 'shop', service: 'payments', port: 'http' }] });
    const status = await until(namespace, external, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(status, 'Stalled')).toMatchObject({ reason: 'TargetNotAllowed' });
    expect(condition(status, 'Stalled')?.message).toMatch(/^spec\.targets\[0\]\.service: Service .*\/payments is an ExternalName/);
    const noPort = await create(namespace, { targets: [{ name: 'shop', service: 'shop', port: 'grpc' }] });
    expect(condition(await until(namespace, noPort, (s) => s.phase === 'Stalled', 'Stalled'), 'Stalled')?.message).toMatch(/^spec\.targets\[0\]\.port: Service .*\/shop has no port grpc \(ports: http/);
  });
});
