import { parseParityCheckSpec, parseResolvedParityCheck, resolveParityCheck } from '../../operator/api/paritycheck';
import { runParityCommand } from '../../operator/commands/parity';
import { PrometheusClient } from '../../operator/parity/behaviour/prometheus';
import { runParityCheck } from '../../operator/parity/check';
import { KubeObjectSource } from '../../operator/parity/sources/kube';
import { shopService } from '../../operator/parity/testing/shop-fixture';
import { KubeClient } from '../../operator/runtime/kube-client';
import { adminKubeConfig, createNamespace, deleteNamespace } from '../support/kube';
import { startPrometheus, type PrometheusServer, type RecordedSeries } from '../setup/prometheus';

jest.setTimeout(120_000);

// The default query set against a real Prometheus holding series as the
// usual exporters name them: an HTTP histogram and counter (client
// libraries), container CPU and memory (cAdvisor) and requests
// (kube-state-metrics). Nothing here names a metric in the check.

const PRODUCTION = 'shop';
const STAGING = 'shop-pr-1';
const INTERVAL = 15;
const BUCKETS = [...Array.from({ length: 20 }, (_, i) => ((i + 1) * 0.05).toFixed(2)), '+Inf'];

/** Pod names as a Deployment gives them. */
const pod = (service: string, namespace: string) =>
  `${service}-${namespace === PRODUCTION || namespace.includes('prod') ? '7d9f8b6c5' : '5c6d7e8f9'}-x2b4z`;

/** A counter growing at `perSecond`. */
const counter = (perSecond: number) => (_t: number, i: number) => i * INTERVAL * perSecond;

interface Behaviour {
  /** Latencies uniform on [0, maxLatency] seconds. */
  maxLatency: number;
  errorRatio: number;
  cpuCores: number;
}

function workload(namespace: string, service: string, b: Behaviour): RecordedSeries[] {
  const labels = { namespace, pod: pod(service, namespace) };
  const rps = 10;
  const container = { ...labels, container: 'app' };
  return [
    ...BUCKETS.map((le) => ({
      name: 'http_request_duration_seconds_bucket',
      labels: { ...labels, le },
      value: counter(rps * Math.min(le === '+Inf' ? 1 : Number(le) / b.maxLatency, 1)),
    })),
    { name: 'http_requests_total', labels: { ...labels, code: '200' }, value: counter(rps * (1 - b.errorRatio)) },
    { name: 'http_requests_total', labels: { ...labels, code: '500' }, value: counter(rps * b.errorRatio) },
    { name: 'container_cpu_usage_seconds_total', labels: container, value: counter(b.cpuCores) },
    // The pod-level cgroup cAdvisor also reports: counted, it would double production's and staging's use alike.
    { name: 'container_cpu_usage_seconds_total', labels: { ...labels, container: '' }, value: counter(b.cpuCores) },
    { name: 'container_memory_working_set_bytes', labels: container, value: () => 200 * 2 ** 20 },
    {
      name: 'kube_pod_container_resource_requests',
      labels: { ...container, resource: 'cpu', unit: 'core' },
      value: () => 0.5,
    },
    {
      name: 'kube_pod_container_resource_requests',
      labels: { ...container, resource: 'memory', unit: 'byte' },
      value: () => 256 * 2 ** 20,
    },
  ];
}

/** Staging's checkout: p95 three times production's, errors 3% against 1%, twice the CPU for the same requests. Its catalog behaves as production's. */
function recorded(): RecordedSeries[] {
  const production: Behaviour = { maxLatency: 0.2, errorRatio: 0.01, cpuCores: 0.2 };
  return [
    ...workload(PRODUCTION, 'checkout', production),
    ...workload(PRODUCTION, 'catalog', production),
    ...workload(STAGING, 'checkout', { maxLatency: 0.6, errorRatio: 0.03, cpuCores: 0.4 }),
    ...workload(STAGING, 'catalog', production),
  ];
}

const spec = () =>
  parseResolvedParityCheck({
    staging: { namespace: STAGING },
    production: { namespace: PRODUCTION },
    categories: { configuration: { enabled: false }, behaviour: { defaults: { services: ['checkout', 'catalog'] } } },
  });

describe('the default behaviour query set on a real Prometheus', () => {
  let recordedPrometheus: PrometheusServer;
  let emptyPrometheus: PrometheusServer;

  beforeAll(async () => {
    [recordedPrometheus, emptyPrometheus] = await Promise.all([
      startPrometheus({ series: recorded(), intervalSeconds: INTERVAL }),
      startPrometheus(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([recordedPrometheus?.stop(), emptyPrometheus?.stop()]);
  });

  it('finds a p95 three times higher, an error rate 2 points higher and twice the CPU utilisation, and nothing for the service that matches', async () => {
    const result = await runParityCheck(
      spec(),
      { metrics: new PrometheusClient(recordedPrometheus.url) },
      undefined,
      new Date(),
    );
    expect(result.inconclusive).toEqual([]);
    expect(result.findings.map((f) => f.resource).sort()).toEqual(
      [
        'Query/latency-p50/checkout',
        'Query/latency-p95/checkout',
        'Query/latency-p99/checkout',
        'Query/error-rate/checkout',
        'Query/cpu-utilisation/checkout',
      ].sort(),
    );
    const finding = (name: string) => result.findings.find((f) => f.resource === `Query/${name}/checkout`)!;
    expect(Number(finding('latency-p95').staging) / Number(finding('latency-p95').production)).toBeCloseTo(3, 1);
    expect(Number(finding('latency-p95').production)).toBeCloseTo(0.19, 2);
    expect(Number(finding('error-rate').staging) - Number(finding('error-rate').production)).toBeCloseTo(0.02, 3);
    expect(finding('error-rate').message).toMatch(/\+0\.02 absolute/);
    expect(Number(finding('cpu-utilisation').staging) / Number(finding('cpu-utilisation').production)).toBeCloseTo(
      2,
      1,
    );
    expect(Number(finding('cpu-utilisation').production)).toBeCloseTo(0.4, 2);
    expect(result.status.summary?.verdict).toBe('Drifted');
    expect(result.requests.prometheus).toBe(24); // 6 queries × 2 services × 2 sides
  });

  it('is Inconclusive on an empty Prometheus, never a pass', async () => {
    const result = await runParityCheck(
      spec(),
      { metrics: new PrometheusClient(emptyPrometheus.url) },
      undefined,
      new Date(),
    );
    expect(result.findings).toEqual([]);
    expect(result.inconclusive).toHaveLength(12);
    expect(result.status.summary?.verdict).toBe('Inconclusive');
    expect(result.status.conditions?.find((c) => c.type === 'InParity')).toMatchObject({
      status: 'Unknown',
      reason: 'Inconclusive',
    });
  });

  it('runs from `understudy parity --prometheus` alone: exit 1 on the drift, 2 on an empty Prometheus', async () => {
    const flags = (url: string) => ({
      staging: STAGING,
      production: PRODUCTION,
      config: false,
      prometheus: url,
      service: ['checkout', 'catalog'],
    });
    const drift = await runParityCommand(flags(recordedPrometheus.url));
    expect(drift.exitCode).toBe(1);
    expect(drift.result.findings.map((f) => f.resource)).toContain('Query/latency-p95/checkout');
    expect((await runParityCommand(flags(emptyPrometheus.url))).exitCode).toBe(2);
  });
});

describe('the default query set for a ParityCheck whose Baseline names a Prometheus', () => {
  const client = new KubeClient(adminKubeConfig(), { fieldManager: 'parity-default-queries-test' });
  let production: string;
  let staging: string;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    [production, staging] = [createNamespace('pdq-prod'), createNamespace('pdq-pr')];
    for (const namespace of [production, staging])
      await Promise.all(
        ['checkout', 'catalog']
          .flatMap((name) => shopService(name, { namespace }))
          .map((o) => client.apply(o as never)),
      );
    const same: Behaviour = { maxLatency: 0.2, errorRatio: 0.01, cpuCores: 0.2 };
    prometheus = await startPrometheus({
      series: [
        ...workload(production, 'checkout', same),
        ...workload(production, 'catalog', same),
        ...workload(staging, 'checkout', { ...same, maxLatency: 0.6 }),
        ...workload(staging, 'catalog', same),
      ],
      intervalSeconds: INTERVAL,
    });
  });
  afterAll(async () => {
    await prometheus?.stop();
    [production, staging].forEach((n) => n && deleteNamespace(n));
  });

  it('runs without a behaviour category in the spec, for each Deployment found on both sides', async () => {
    // Configuration only, as written before the defaults existed: the Baseline's Prometheus turns behaviour on.
    const spec = parseParityCheckSpec({
      baselineRef: { name: 'shop' },
      categories: { configuration: { enabled: false } },
    });
    const check = resolveParityCheck(spec, { staging, production }, { prometheus: true });
    const objects = KubeObjectSource.fromKubeConfig(adminKubeConfig(), 'test');
    const result = await runParityCheck(
      check,
      { objects: { staging: objects, production: objects }, metrics: new PrometheusClient(prometheus.url) },
      undefined,
      new Date(),
    );
    expect(result.inconclusive).toEqual([]);
    expect(result.findings.map((f) => f.resource).sort()).toEqual([
      'Query/latency-p50/checkout',
      'Query/latency-p95/checkout',
      'Query/latency-p99/checkout',
    ]);
    expect(result.status.conditions?.find((c) => c.type === 'BehaviourDrifted')).toMatchObject({ status: 'True' });
    // Without a Prometheus from the Baseline, the same spec compares no behaviour at all.
    expect(resolveParityCheck(spec, { staging, production }).categories.behaviour).toBeUndefined();
  });
});
