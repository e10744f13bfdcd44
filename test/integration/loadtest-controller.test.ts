import type { LoadTestSpecInput, LoadTestStatus } from '../../operator/api/loadtest';
import { loadTestController } from '../../operator/controllers/loadtest';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import { TenantNetwork } from '../../operator/runtime/tenant-network';
import {
  OPERATOR_WRITABLE,
  adminKubeConfig,
  createNamespace,
  deleteNamespace,
  eventually,
  operatorKubeConfig,
  uniqueName,
} from '../support/kube';
import { type LoadServer, startLoadServer } from '../support/load-server';
import { type PrometheusServer, startPrometheus } from '../setup/prometheus';
import { grantSecretRead } from '../setup/operator-identity';
import { LOOPBACK_NETWORKS, createDatabase } from '../setup/postgres';
import { Client } from 'pg';

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
let prometheus: PrometheusServer;

/** Production's gateway: 20 requests/s for two hours, three quarters of them on /items. */
function productionSeries() {
  const counter = (perSecond: number) => (_t: number, i: number) => i * 15 * perSecond;
  const labels = { namespace: 'default', pod: 'gateway-7d9f8b6c5-x2b4z', code: '200' };
  return [
    { name: 'http_requests_total', labels: { ...labels, route: '/items', method: 'GET' }, value: counter(15) },
    { name: 'http_requests_total', labels: { ...labels, route: '/checkout', method: 'POST' }, value: counter(5) },
  ];
}

beforeAll(async () => {
  [server, prometheus] = await Promise.all([
    startLoadServer(),
    startPrometheus({ series: productionSeries(), intervalSeconds: 15 }),
  ]);
  server.delay((path) => (path.startsWith('/slow') ? 300 : 0));
  namespace = createNamespace('lt-team', OPERATOR_WRITABLE);
  outsider = createNamespace('lt-outsider', OPERATOR_WRITABLE);
  baseline = uniqueName('lt-shop');
  const port = Number(new URL(server.url).port);
  await admin.apply({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'Baseline',
    metadata: { name: baseline },
    spec: {
      source: { namespace: 'default' },
      allowedNamespaces: { names: [namespace] },
      limits: { load: { maxRate: 200, maxDuration: '1m' } },
      data: { prometheus: { url: prometheus.url } },
    },
  } as KubernetesObject);
  for (const ns of [namespace, outsider]) {
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'shop', namespace: ns },
      spec: { ports: [{ name: 'http', port }], selector: { app: 'shop' } },
    } as KubernetesObject);
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'payments', namespace: ns },
      spec: {
        type: 'ExternalName',
        externalName: 'payments.production.svc.cluster.local',
        ports: [{ name: 'http', port }],
      },
    } as KubernetesObject);
  }
  manager = new Manager({
    kubeConfig: operatorKubeConfig(),
    logger: createLogger({ level: (process.env.UNDERSTUDY_TEST_LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
    namespaces: [namespace, outsider],
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
  });
  manager.addController(
    loadTestController(
      // The values database is on loopback, as the test server is: allowed as an admin would allow it.
      {
        registry: manager.registry,
        namespaces: [namespace, outsider],
        tenantNetwork: new TenantNetwork(LOOPBACK_NETWORKS),
      },
      { serviceUrl: (t) => `http://127.0.0.1:${t.port}`, progressIntervalMs: 250 },
    ),
  );
  await manager.start();
});

afterAll(async () => {
  await manager?.stop();
  await server?.close();
  await prometheus?.stop();
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
    thresholds: [{ route: 'items', p95: '1s', errorRate: '0.01' }],
    ...overrides,
  };
}

async function create(ns: string, overrides: Partial<LoadTestSpecInput> = {}): Promise<string> {
  const name = uniqueName('lt');
  await admin.create({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'LoadTest',
    metadata: { name, namespace: ns },
    spec: spec(overrides),
  } as KubernetesObject);
  return name;
}

async function until(
  ns: string,
  name: string,
  accept: (s: LoadTestStatus) => boolean,
  what: string,
): Promise<LoadTestStatus> {
  return eventually(
    async () => {
      const object = await admin.get<LoadTestObject>({
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'LoadTest',
        namespace: ns,
        name,
      });
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
    const status = await until(
      namespace,
      name,
      (s) => s.phase === 'Passed' || s.phase === 'Failed' || s.phase === 'Stalled',
      'a finished run',
    );
    expect([status.phase, status.violations]).toEqual(['Passed', []]);
    expect(condition(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Completed' });
    expect(condition(status, 'Passed')).toMatchObject({ status: 'True', reason: 'ThresholdsHeld' });
    expect(server.received.length - before).toBe(100);
    expect(status.scenarios?.[0]).toMatchObject({ name: 'browse', sent: 100, requestedRate: 50, dropped: 0 });
    expect(status.routes?.map((r) => r.route).sort()).toEqual(['items', 'slow']);
    // The slow route's 300 ms are measured (worst p99 first).
    expect(status.routes?.[0]?.route).toBe('slow');
    expect(status.routes?.[0]?.p50Ms).toBeGreaterThan(290);
    expect(status.targets).toEqual([{ name: 'shop', url: `http://127.0.0.1:${new URL(server.url).port}` }]);
    const report = await admin.get<KubernetesObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: status.report!.name,
    });
    const full = JSON.parse(report!.data!['report.json']!) as {
      passed: boolean;
      scenarios: Array<{ routes: unknown[] }>;
      workers: unknown[];
    };
    expect(full.passed).toBe(true);
    expect(full.scenarios[0]!.routes).toHaveLength(2);
    expect(full.workers).toHaveLength(1);
    // Once per generation: a finished test is not sent again.
    await new Promise((r) => setTimeout(r, 1500));
    expect(server.received.length - before).toBe(100);
  });

  it('fails Passed naming the route and the figure when a threshold is exceeded', async () => {
    const name = await create(namespace, {
      thresholds: [
        { route: 'slow', p95: '100ms' },
        { route: 'items', errorRate: '0.01' },
      ],
    });
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

  it('never Passes what measured nothing: a run that sent nothing, and one whose every request failed', async () => {
    const finished = (s: LoadTestStatus) => s.phase === 'Passed' || s.phase === 'Failed' || s.phase === 'Stalled';
    const nothing = await create(namespace, {
      scenarios: [
        {
          name: 'nothing',
          executor: 'ramping-arrival-rate',
          stages: [{ duration: '0s', target: 50 }],
          requests: [{ path: '/items/1' }],
        },
      ],
      thresholds: [{ route: '*', p95: '1s' }],
    });
    const empty = await until(namespace, nothing, finished, 'a finished run');
    expect([empty.phase, condition(empty, 'Passed')?.status, condition(empty, 'Passed')?.reason]).toEqual([
      'Failed',
      'False',
      'NothingMeasured',
    ]);
    server.status((path) => (path.startsWith('/broken') ? 503 : 200));
    try {
      const broken = await create(namespace, {
        scenarios: [
          {
            name: 'broken',
            executor: 'constant-arrival-rate',
            rate: 20,
            duration: '500ms',
            requests: [{ path: '/broken' }],
          },
        ],
        thresholds: [],
      });
      const failed = await until(namespace, broken, finished, 'a finished run');
      expect(failed.phase).toBe('Failed');
      expect(condition(failed, 'Passed')).toMatchObject({
        status: 'False',
        reason: 'ThresholdsExceeded',
        message: 'scenario broken: every one of its 10 requests failed (http_5xx=10)',
      });
    } finally {
      server.status(() => 200);
    }
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
    const name = await create(namespace, {
      scenarios: [
        { name: 'flood', executor: 'constant-arrival-rate', rate: 500, duration: '2s', requests: [{ path: '/' }] },
      ],
      thresholds: [],
    });
    const status = await until(namespace, name, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(status, 'Stalled')).toMatchObject({ reason: 'ExceedsBaseline' });
    expect(condition(status, 'Stalled')?.message).toMatch(
      /^spec\.scenarios\[0\]\.rate: a peak of 500 requests\/s exceeds Baseline .*'s limits\.load\.maxRate 200$/,
    );
    const long = await create(namespace, {
      scenarios: [{ name: 'long', executor: 'constant-vus', vus: 1, duration: '5m', requests: [{ path: '/' }] }],
      thresholds: [],
    });
    expect(
      condition(await until(namespace, long, (s) => s.phase === 'Stalled', 'Stalled'), 'Stalled')?.message,
    ).toMatch(/^spec\.scenarios\[0\]\.duration: 300 s exceeds .*maxDuration 60 s$/);
  });

  it('refuses an ExternalName target (a shared service points at production), a selectorless one, one with a hand-made EndpointSlice and a missing port', async () => {
    const external = await create(namespace, { targets: [{ name: 'shop', service: 'payments', port: 'http' }] });
    const status = await until(namespace, external, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(status, 'Stalled')).toMatchObject({ reason: 'TargetNotAllowed' });
    expect(condition(status, 'Stalled')?.message).toMatch(
      /^spec\.targets\[0\]\.service: Service .*\/payments is an ExternalName/,
    );
    const noPort = await create(namespace, { targets: [{ name: 'shop', service: 'shop', port: 'grpc' }] });
    expect(
      condition(await until(namespace, noPort, (s) => s.phase === 'Stalled', 'Stalled'), 'Stalled')?.message,
    ).toMatch(/^spec\.targets\[0\]\.port: Service .*\/shop has no port grpc \(ports: http/);
    // A Service without a selector: its EndpointSlice, written by hand, may point anywhere (here: production).
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'by-hand', namespace },
      spec: { ports: [{ name: 'http', port: 80 }] },
    } as KubernetesObject);
    const byHand = await create(namespace, { targets: [{ name: 'shop', service: 'by-hand', port: 'http' }] });
    const refused = await until(namespace, byHand, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(refused, 'Stalled')).toMatchObject({ reason: 'TargetNotAllowed' });
    expect(condition(refused, 'Stalled')?.message).toMatch(
      /^spec\.targets\[0\]\.service: Service .*\/by-hand selects no pods/,
    );
    // A Service with a selector, and beside its own slices one written by hand to a production pod's address:
    // kube-proxy would send part of the load there.
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'hijacked', namespace },
      spec: { ports: [{ name: 'http', port: 80 }], selector: { app: 'shop' } },
    } as KubernetesObject);
    await admin.apply({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'hijacked-extra', namespace, labels: { 'kubernetes.io/service-name': 'hijacked' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
      endpoints: [{ addresses: ['10.99.0.5'] }],
    } as KubernetesObject);
    const hijacked = await create(namespace, { targets: [{ name: 'shop', service: 'hijacked', port: 'http' }] });
    const diverted = await until(namespace, hijacked, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(diverted, 'Stalled')).toMatchObject({ reason: 'TargetNotAllowed' });
    expect(condition(diverted, 'Stalled')?.message).toMatch(
      /^spec\.targets\[0\]\.service: Service .*\/hijacked has EndpointSlice hijacked-extra, written by no controller and not by Kubernetes from the selector/,
    );
  });
});

describe('production-shaped load', () => {
  it('replays an access log from a ConfigMap with its mix and inter-arrival times, sped up', async () => {
    // 300 requests over about 6 s, Poisson arrivals, routes 60/30/10, as nginx logs them.
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    let at = Date.parse('2026-12-06T12:00:00Z');
    const routes = ['/items/1', '/cart', '/checkout'];
    const lines = Array.from({ length: 300 }, () => {
      at += -Math.log(1 - random()) * 20;
      const u = random();
      const path = routes[u < 0.6 ? 0 : u < 0.9 ? 1 : 2]!;
      return JSON.stringify({ msec: (at / 1000).toFixed(3), request_method: 'GET', request_uri: path, status: '200' });
    });
    await admin.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'access-log', namespace },
      data: { 'access.log': lines.join('\n') },
    } as KubernetesObject);
    const before = server.received.length;
    const name = await create(namespace, {
      scenarios: undefined,
      thresholds: [],
      replay: { configMapRef: { name: 'access-log', key: 'access.log' }, speedup: '2' },
    });
    const status = await until(
      namespace,
      name,
      (s) => s.phase === 'Passed' || s.phase === 'Failed' || s.phase === 'Stalled',
      'a finished replay',
    );
    expect(status.phase).toBe('Passed');
    const received = server.received.slice(before);
    expect(received).toHaveLength(300);

    const logged = lines.map((l) => JSON.parse(l) as { msec: string; request_uri: string });
    const share = (list: string[], path: string) => list.filter((p) => p === path).length / list.length;
    for (const path of routes)
      expect(
        share(
          received.map((r) => r.path),
          path,
        ),
      ).toBeCloseTo(
        share(
          logged.map((l) => l.request_uri),
          path,
        ),
        10,
      );
    // Timing: each request arrives at its logged offset / 2, the whole span and the mean gap within 5%.
    const wanted = logged.map((l) => ((Number(l.msec) - Number(logged[0]!.msec)) * 1000) / 2);
    const arrived = received.map((r) => r.at).sort((a, b) => a - b);
    // Aligned on the median difference: a late first request (connections opening) must not shift every other one.
    const shift = [...arrived.map((t, i) => t - wanted[i]!)].sort((a, b) => a - b)[150]!;
    const got = arrived.map((t) => t - shift);
    const span = (xs: number[]) => xs[xs.length - 1]! - xs[0]!;
    // The first gap or two may absorb connection set-up: the span from the second request on.
    const spanFrom = (xs: number[], i: number) => xs[xs.length - 1]! - xs[i]!;
    expect(Math.abs(spanFrom(got, 2) - spanFrom(wanted, 2)) / spanFrom(wanted, 2)).toBeLessThan(0.05);
    const close = got.filter((t, i) => Math.abs(t - wanted[i]!) <= Math.max(5, wanted[i]! * 0.05)).length;
    process.stderr.write(
      `replay: span ${span(got).toFixed(0)} ms (logged / 2: ${span(wanted).toFixed(0)} ms), ${close}/300 arrivals within 5 ms or 5% of their offset\n`,
    );
    // The mean inter-arrival time within 5%; arrivals mostly on their offsets (the rest late by the machine's load).
    const meanGap = (xs: number[]) => spanFrom(xs, 2) / (xs.length - 3);
    expect(Math.abs(meanGap(got) - meanGap(wanted)) / meanGap(wanted)).toBeLessThan(0.05);
    expect(close / 300).toBeGreaterThanOrEqual(0.9);
    expect(status.routes?.map((r) => r.route).sort()).toEqual(['GET /cart', 'GET /checkout', 'GET /items/{id}']);
  });

  it("derives a scenario from the Baseline's Prometheus and runs it", async () => {
    const before = server.received.length;
    const name = await create(namespace, {
      scenarios: undefined,
      thresholds: [{ route: 'GET /items', p99: '1s' }],
      profile: { window: '1h', duration: '2s', stages: 2, paths: { '/items': '/items/{{int 1 100}}' } },
    });
    const status = await until(
      namespace,
      name,
      (s) => s.phase === 'Passed' || s.phase === 'Failed' || s.phase === 'Stalled',
      'a finished profiled run',
    );
    expect(status.phase).toBe('Passed');
    // 20/s of production at scale 1 (no environment) for 2 s.
    const sent = server.received.length - before;
    expect(Math.abs(sent - 40)).toBeLessThanOrEqual(2);
    expect(status.scenarios?.[0]).toMatchObject({ name: 'production-profile', executor: 'ramping-arrival-rate' });
    expect(status.profile).toMatchObject({ scale: 1 });
    expect(Math.abs(status.profile!.peakRate - 20)).toBeLessThan(1);
    const items = server.received.slice(before).filter((r) => r.path.startsWith('/items/')).length;
    expect(items / sent).toBeGreaterThan(0.55);
  });

  it("is Stalled ExceedsBaseline when a sped-up replay's busiest second exceeds the Baseline's rate", async () => {
    const name = await create(namespace, {
      scenarios: undefined,
      thresholds: [],
      replay: { configMapRef: { name: 'access-log', key: 'access.log' }, speedup: '50' },
    });
    const status = await until(namespace, name, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(status, 'Stalled')?.message).toMatch(
      /^spec\.replay\.speedup: the log's busiest second replays \d+ requests\/s, above Baseline .*maxRate 200$/,
    );
  });
});

describe('values from the seeded database', () => {
  it('draws {{value userIds}} from a query of the database a Secret of the namespace names, so requests hit rows that exist', async () => {
    const url = await createDatabase(process.env.UNDERSTUDY_TEST_PG_URL!, uniqueName('lt_values').replace(/-/g, '_'));
    const db = new Client({ connectionString: url });
    await db.connect();
    await db.query(
      'create table users (id bigint primary key); insert into users select g * 7 from generate_series(1, 50) g',
    );
    await db.end();
    await grantSecretRead(namespace);
    await admin.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'seeded-db', namespace },
      stringData: { url },
    } as KubernetesObject);
    const before = server.received.length;
    const name = await create(namespace, {
      valuesFrom: [
        { name: 'userIds', query: 'select id from users', connectionSecretRef: { name: 'seeded-db', key: 'url' } },
      ],
      scenarios: [
        {
          name: 'users',
          executor: 'constant-arrival-rate',
          rate: 40,
          duration: '1s',
          requests: [{ name: 'user', path: '/users/{{value userIds}}' }],
        },
      ],
      thresholds: [],
    });
    const status = await until(
      namespace,
      name,
      (s) => s.phase === 'Passed' || s.phase === 'Failed' || s.phase === 'Stalled',
      'a finished run',
    );
    expect(status.phase).toBe('Passed');
    const ids = server.received.slice(before).map((r) => Number(r.path.split('/')[2]));
    expect(ids).toHaveLength(40);
    for (const id of ids) expect(id % 7 === 0 && id >= 7 && id <= 350).toBe(true);

    // The query runs read-only: a write is refused and the test Stalled naming the field.
    const writes = await create(namespace, {
      valuesFrom: [
        {
          name: 'userIds',
          query: 'delete from users returning id',
          connectionSecretRef: { name: 'seeded-db', key: 'url' },
        },
      ],
      scenarios: [
        {
          name: 'u',
          executor: 'constant-arrival-rate',
          rate: 1,
          duration: '1s',
          requests: [{ path: '/users/{{value userIds}}' }],
        },
      ],
      thresholds: [],
    });
    const refused = await until(namespace, writes, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(refused, 'Stalled')).toMatchObject({ reason: 'ValuesUnavailable' });
    expect(condition(refused, 'Stalled')?.message).toMatch(
      /^spec\.valuesFrom\[0\]\.query: must be one SELECT \(or VALUES\) statement, read in a read-only transaction: /,
    );
  });

  it('is Stalled InvalidSpec, before sending, when a template names values nobody provides', async () => {
    const before = server.received.length;
    const name = await create(namespace, {
      scenarios: [
        {
          name: 'u',
          executor: 'constant-arrival-rate',
          rate: 1,
          duration: '1s',
          requests: [{ path: '/users/{{value nobody}}' }],
        },
      ],
      thresholds: [],
    });
    const status = await until(namespace, name, (s) => s.phase === 'Stalled', 'Stalled');
    expect(condition(status, 'Stalled')).toMatchObject({ reason: 'InvalidSpec' });
    expect(condition(status, 'Stalled')?.message).toMatch(
      /^spec\.scenarios\[0\]\.requests\[0\]\.path: \{\{value nobody\}\} at position 7: no values named nobody/,
    );
    expect(server.received.length).toBe(before);
  });
});

describe('runner Job', () => {
  it("creates an Indexed Job of the operator's image with one completion per worker, in the targets' namespace, and reports it Running", async () => {
    const name = await create(namespace, { runner: 'Job', parallelism: 2 });
    const status = await until(namespace, name, (s) => s.phase === 'Running' || s.phase === 'Stalled', 'Running');
    expect(status.phase).toBe('Running');
    const job = await admin.get<
      KubernetesObject & {
        spec?: {
          completionMode?: string;
          completions?: number;
          parallelism?: number;
          template?: { spec?: { automountServiceAccountToken?: boolean; containers?: Array<{ args?: string[] }> } };
        };
      }
    >({ apiVersion: 'batch/v1', kind: 'Job', namespace, name: `${name}-load-1` });
    expect(job?.spec).toMatchObject({ completionMode: 'Indexed', completions: 2, parallelism: 2 });
    expect(job?.spec?.template?.spec?.automountServiceAccountToken).toBe(false);
    expect(job?.spec?.template?.spec?.containers?.[0]?.args).toContain('$(JOB_COMPLETION_INDEX)/2');
    expect(job?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'LoadTest', name });
  });

  it('stops a running Job when the spec moves on, when the Baseline stops allowing it, and when it is deleted', async () => {
    const jobRef = (name: string, generation: number) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      namespace,
      name: `${name}-load-${generation}`,
    });
    const exists = async (name: string, generation: number) => Boolean(await admin.get(jobRef(name, generation)));
    const revocable = uniqueName('lt-revocable');
    const allow = (names: string[]) =>
      admin.apply({
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'Baseline',
        metadata: { name: revocable },
        spec: {
          source: { namespace: 'default' },
          allowedNamespaces: { names },
          limits: { load: { maxRate: 200, maxDuration: '1m' } },
        },
      } as KubernetesObject);
    await allow([namespace]);
    try {
      const name = await create(namespace, { runner: 'Job', baselineRef: { name: revocable } });
      await until(namespace, name, (s) => s.phase === 'Running', 'Running');
      expect(await exists(name, 1)).toBe(true);
      // A new generation (a new commit's environmentRevision): its Job, and the previous one's stopped.
      await admin.mergePatch(
        { apiVersion: 'understudy.dev/v1alpha1', kind: 'LoadTest', namespace, name },
        { spec: { environmentRevision: 'b' } },
      );
      await eventually(async () => ((await exists(name, 2)) && !(await exists(name, 1)) ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'generation 2 Job only',
      });
      // The Baseline no longer allows the namespace: Stalled, and its Job stopped.
      await allow([outsider]);
      const stalled = await until(namespace, name, (s) => s.phase === 'Stalled', 'Stalled');
      expect(condition(stalled, 'Stalled')?.reason).toBe('BaselineNotAllowed');
      expect(await exists(name, 2)).toBe(false);
      // Allowed again it runs again; deleted, its Job goes with it even where no owner reference would take it.
      await allow([namespace]);
      await eventually(async () => ((await exists(name, 2)) ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'the Job again',
      });
      await admin.delete({ apiVersion: 'understudy.dev/v1alpha1', kind: 'LoadTest', namespace, name });
      await eventually(async () => (!(await exists(name, 2)) ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 200,
        what: 'no Job',
      });
    } finally {
      await admin.delete({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', name: revocable });
    }
  });
});
