import { parseResolvedParityCheck } from '../../operator/api/paritycheck';
import { loadTestController } from '../../operator/controllers/loadtest';
import type { LoadTestStatus } from '../../operator/api/loadtest';
import { PrometheusClient } from '../../operator/parity/behaviour/prometheus';
import { runParityCheck } from '../../operator/parity/check';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import { openMetrics, type RecordedSeries } from '../setup/prometheus';
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
import { type RulePrometheus, startRulePrometheus } from '../support/prometheus-rules';

jest.setTimeout(120_000);

// Behaviour under load, compared with production's: a LoadTest against a
// staging service whose latency is uniform on [0, 1.5 s] exports what it
// measured under the default query set's names; a Prometheus scrapes the
// operator and holds production's recorded series (uniform on [0, 500 ms]);
// the ParityCheck's default queries then find a staging p95 three times
// production's. A threshold on the same test fails, naming route and figure.

const admin = new KubeClient(adminKubeConfig(), { fieldManager: 'load-parity-test' });
const PRODUCTION = 'prod-shop';
const BUCKETS = [
  '0.001',
  '0.0025',
  '0.005',
  '0.01',
  '0.025',
  '0.05',
  '0.075',
  '0.1',
  '0.15',
  '0.2',
  '0.25',
  '0.3',
  '0.4',
  '0.5',
  '0.6',
  '0.75',
  '1',
  '1.25',
  '1.5',
  '2',
  '2.5',
  '3',
  '4',
  '5',
  '7.5',
  '10',
  '30',
  '+Inf',
];

/** Production's shop: 10 requests/s, latency uniform on [0, 500 ms], as a client library's histogram counts them. */
function production(): RecordedSeries[] {
  const labels = { namespace: PRODUCTION, service: 'shop' };
  const counter = (perSecond: number) => (_t: number, i: number) => i * 15 * perSecond;
  return [
    ...BUCKETS.map((le) => ({
      name: 'http_request_duration_seconds_bucket',
      labels: { ...labels, le },
      value: counter(10 * Math.min(le === '+Inf' ? 1 : Number(le) / 0.5, 1)),
    })),
    { name: 'http_requests_total', labels: { ...labels, code: '200' }, value: counter(10) },
  ];
}

let manager: Manager;
let server: LoadServer;
let prometheus: RulePrometheus;
let namespace: string;
let baseline: string;

beforeAll(async () => {
  server = await startLoadServer();
  // Staging's shop: each request waits the number of milliseconds in its path.
  server.delay((path) => Number(path.split('/')[2] ?? 0));
  namespace = createNamespace('lt-parity', OPERATOR_WRITABLE);
  baseline = uniqueName('lt-parity');
  await admin.apply({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'Baseline',
    metadata: { name: baseline },
    spec: { source: { namespace: 'default' }, allowedNamespaces: { names: [namespace] } },
  } as KubernetesObject);
  await admin.apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'shop', namespace },
    spec: { ports: [{ name: 'http', port: Number(new URL(server.url).port) }], selector: { app: 'shop' } },
  } as KubernetesObject);
  manager = new Manager({
    kubeConfig: operatorKubeConfig(),
    logger: createLogger({ level: 'warn' }),
    namespaces: [namespace],
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
  });
  manager.addController(
    loadTestController(
      { registry: manager.registry, namespaces: [namespace] },
      { serviceUrl: (t) => `http://127.0.0.1:${t.port}`, progressIntervalMs: 250 },
    ),
  );
  await manager.start();
  const to = Math.floor(Date.now() / 1000) - 60;
  prometheus = await startRulePrometheus({
    rules: { groups: [] },
    openMetrics: openMetrics(production(), to - 2 * 3600, to, 15),
    targets: [{ url: `${manager.metricsUrl}/metrics` }],
  });
});

afterAll(async () => {
  await manager?.stop();
  await prometheus?.stop();
  await server?.close();
  if (namespace) deleteNamespace(namespace);
  if (baseline) await admin.delete({ apiVersion: 'understudy.dev/v1alpha1', kind: 'Baseline', name: baseline });
});

it("a ParityCheck run after the LoadTest finds a staging p95 three times production's, and the threshold names route and figure", async () => {
  const name = uniqueName('lt');
  await admin.create({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'LoadTest',
    metadata: { name, namespace },
    spec: {
      baselineRef: { name: baseline },
      targets: [{ name: 'shop', service: 'shop', port: 'http' }],
      runner: 'Inline',
      scenarios: [
        {
          name: 'steady',
          executor: 'constant-arrival-rate',
          rate: 50,
          duration: '8s',
          requests: [{ name: 'work', path: '/work/{{int 0 1500}}' }],
        },
      ],
      thresholds: [{ route: 'work', p95: '500ms' }],
    },
  } as KubernetesObject);
  const status = await eventually(
    async () => {
      const object = await admin.get<KubernetesObject & { status?: LoadTestStatus }>({
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'LoadTest',
        namespace,
        name,
      });
      return object?.status?.phase === 'Passed' || object?.status?.phase === 'Failed' ? object.status : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: 'the LoadTest to finish' },
  );
  const passed = status.conditions?.find((c) => c.type === 'Passed');
  expect(passed).toMatchObject({ status: 'False', reason: 'ThresholdsExceeded' });
  expect(passed?.message).toMatch(/^work: p95 \d+(\.\d+)? ms > 500 ms$/);
  expect(Number(/p95 ([\d.]+)/.exec(passed!.message)![1])).toBeGreaterThan(1300);

  // Two more scrapes after the last request, so the counters' final values are in.
  await new Promise((r) => setTimeout(r, 2500));
  const check = parseResolvedParityCheck({
    staging: { namespace },
    production: { namespace: PRODUCTION },
    categories: {
      configuration: { enabled: false },
      behaviour: {
        defaults: { services: ['shop'], workloadSelector: 'service="{{service}}"', range: '1m', minSamples: 5 },
      },
    },
  });
  const result = await runParityCheck(check, { metrics: new PrometheusClient(prometheus.url) }, undefined, new Date());
  const p95 = result.findings.find((f) => f.resource === 'Query/latency-p95/shop');
  expect(p95).toBeDefined();
  const ratio = Number(p95!.staging) / Number(p95!.production);
  process.stderr.write(
    `parity after load: staging p95 ${Number(p95!.staging).toFixed(3)} s, production ${Number(p95!.production).toFixed(3)} s, ratio ${ratio.toFixed(2)}\n`,
  );
  expect(ratio).toBeGreaterThan(2.7);
  expect(ratio).toBeLessThan(3.3);
  expect(result.status.summary?.verdict).toBe('Drifted');
});
