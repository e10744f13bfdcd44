import {
  BehaviourCategorySchema,
  DefaultQueriesSchema,
  parseParityCheckSpec,
  resolveParityCheck,
} from '../../api/paritycheck';
import { behaviourQueries, defaultQueries } from './defaults';
import { compareSeries } from './compare';
import { renderQuery } from './evaluate';

const behaviour = (input: unknown = {}) => BehaviourCategorySchema.parse(input);

describe('default behaviour queries', () => {
  it('asks for latency, errors and utilisation per service, selected by namespace and pod', () => {
    const queries = defaultQueries(DefaultQueriesSchema.parse({}));
    expect(queries.map((q) => [q.name, q.comparison, q.tolerance])).toEqual([
      ['latency-p50', 'Relative', '0.2'],
      ['latency-p95', 'Relative', '0.2'],
      ['latency-p99', 'Relative', '0.2'],
      ['error-rate', 'Absolute', '0.01'],
      ['cpu-utilisation', 'Relative', '0.25'],
      ['memory-utilisation', 'Relative', '0.25'],
    ]);
    const p95 = renderQuery(queries[1]!.query, 'shop', 'checkout');
    expect(p95).toBe(
      'histogram_quantile(0.95, sum by (le) (rate({__name__=~"http_request_duration_seconds_bucket|http_server_requests_seconds_bucket",namespace="shop",pod=~"checkout-([a-z0-9]{1,10}-[a-z0-9]{5}|[0-9]+)"}[5m])))',
    );
    const errors = renderQuery(queries[3]!.query, 'shop', 'checkout');
    expect(errors).toContain('code=~"5.."');
    expect(errors).toContain('status=~"5.."');
    expect(errors).toContain('http_requests_total|http_server_requests_seconds_count');
    expect(renderQuery(queries[4]!.query, 'shop', 'checkout')).toMatch(
      /^sum\(rate\(container_cpu_usage_seconds_total\{.*container!="",container!="POD".*\}\[5m\]\)\) \/ sum\(kube_pod_container_resource_requests\{.*resource="cpu"\}\)$/,
    );
    expect(renderQuery(queries[5]!.query, 'shop', 'checkout')).toMatch(
      /^sum\(container_memory_working_set_bytes\{.*\}\) \/ sum\(kube_pod_container_resource_requests\{.*resource="memory"\}\)$/,
    );
    // Every default passes the schema user queries pass.
    for (const q of queries) expect(() => BehaviourCategorySchema.parse({ queries: [q] })).not.toThrow();
  });

  it('maps other metric names and service labels through spec fields', () => {
    const mapped = defaultQueries(
      DefaultQueriesSchema.parse({
        latencyHistograms: ['myapp_latency_seconds'],
        requestCounters: ['myapp_requests'],
        statusLabels: ['http_status'],
        workloadSelector: 'service="{{service}}"',
      }),
    );
    const p99 = renderQuery(mapped[2]!.query, 'shop', 'checkout');
    expect(p99).toContain('__name__=~"myapp_latency_seconds_bucket",namespace="shop",service="checkout"');
    expect(mapped[3]!.query).toContain('http_status=~"5.."');
    expect(() => DefaultQueriesSchema.parse({ workloadSelector: 'service="x"}) or vector(1) or up{a="b"' })).toThrow(
      /label matchers/,
    );
    expect(() => defaultQueries(DefaultQueriesSchema.parse({ workloadSelector: 'service="checkout"' }))).toThrow(
      'spec.categories.behaviour.defaults.workloadSelector: must contain {{service}}',
    );
  });

  it('runs when no query is listed, not beside listed ones unless asked; a listed query replaces the default of its name', () => {
    const own = { name: 'latency-p95', query: 'x{namespace="{{namespace}}"}' };
    expect(behaviourQueries(behaviour()).length).toBe(6);
    expect(behaviourQueries(behaviour({ queries: [own] })).map((q) => q.name)).toEqual(['latency-p95']);
    const both = behaviourQueries(behaviour({ queries: [own], defaults: { enabled: true } }));
    expect(both.map((q) => q.name)).toEqual([
      'latency-p50',
      'latency-p99',
      'error-rate',
      'cpu-utilisation',
      'memory-utilisation',
      'latency-p95',
    ]);
    expect(() => behaviourQueries(behaviour({ defaults: { enabled: false } }))).toThrow(
      /lists no queries and turns the default queries off/,
    );
  });

  it('is on for a check without a behaviour category when the Baseline names a Prometheus, and off when the check says so', () => {
    const spec = parseParityCheckSpec({ baselineRef: { name: 'shop' } });
    const namespaces = { staging: 'shop-pr-1', production: 'shop' };
    expect(resolveParityCheck(spec, namespaces).categories.behaviour).toBeUndefined();
    expect(
      behaviourQueries(resolveParityCheck(spec, namespaces, { prometheus: true }).categories.behaviour!).length,
    ).toBe(6);
    const off = parseParityCheckSpec({ baselineRef: { name: 'shop' }, categories: { behaviour: { enabled: false } } });
    expect(resolveParityCheck(off, namespaces, { prometheus: true }).categories.behaviour?.enabled).toBe(false);
  });

  it('compares error rates in points, not percent of a near-zero rate', () => {
    const settings = {
      name: 'error-rate',
      tolerance: 0.01,
      direction: 'Both' as const,
      comparison: 'Absolute' as const,
      minSamples: 10,
      severity: 'warning' as const,
      noiseFloor: true,
    };
    const flat = (v: number) => [{ labels: {}, values: Array(60).fill(v) }];
    // 0.1% against 0.01%: ten times as many, yet well within one point.
    expect(compareSeries(settings, 'Query/error-rate/checkout', flat(0.001), flat(0.0001)).differences).toEqual([]);
    const two = compareSeries(settings, 'Query/error-rate/checkout', flat(0.03), flat(0.01)).differences;
    expect(two).toEqual([expect.objectContaining({ staging: 0.03, production: 0.01 })]);
    expect(two[0]!.message).toContain('+0.02 absolute');
    expect(
      compareSeries({ ...settings, comparison: 'Relative' }, 'Query/error-rate/checkout', flat(0.001), flat(0.0001))
        .differences,
    ).toHaveLength(1);
  });
});
