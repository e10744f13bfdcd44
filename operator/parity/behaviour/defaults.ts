import type { DefaultQueries, PrometheusQuery, ResolvedParityCheck } from '../../api/paritycheck';

// The default query set: what seed 003 asked by hand-written PromQL —
// does staging's latency predict production's, do error rates diverge, does
// staging run at production's CPU and memory utilisation — from the metric
// names most HTTP libraries, cAdvisor and kube-state-metrics export.

/** Rate windows: at least four scrapes at the common 15 s (to 1 m) intervals. */
const WINDOW = '5m';

function nameMatcher(names: string[]): string {
  const escaped = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return `__name__=~"${escaped.join('|')}"`;
}

function selector(d: DefaultQueries, ...extra: string[]): string {
  return ['namespace="{{namespace}}"', d.workloadSelector, ...extra].join(',');
}

function query(
  d: DefaultQueries,
  name: string,
  promql: string,
  tolerance: string,
  comparison: PrometheusQuery['comparison'],
): PrometheusQuery {
  const q: PrometheusQuery = {
    name,
    query: promql,
    tolerance,
    direction: 'Both',
    comparison,
    minSamples: d.minSamples,
    range: d.range,
    severity: 'warning',
  };
  if (d.services) q.services = d.services;
  return q;
}

/** The six default queries, each run once per service. */
export function defaultQueries(d: DefaultQueries): PrometheusQuery[] {
  // Not a schema pattern: a second pattern on one field is not a structural CRD schema.
  if (!d.workloadSelector.includes('{{service}}'))
    throw new Error('spec.categories.behaviour.defaults.workloadSelector: must contain {{service}}');
  const buckets = nameMatcher(d.latencyHistograms.map((n) => `${n}_bucket`));
  const latency = (q: number, name: string) =>
    query(
      d,
      name,
      `histogram_quantile(${q}, sum by (le) (rate({${buckets},${selector(d)}}[${WINDOW}])))`,
      d.tolerances.latency,
      'Relative',
    );
  const counters = nameMatcher(d.requestCounters);
  // One label or the other holds the status; a missing one adds nothing rather than emptying the sum.
  const errors = d.statusLabels
    .map((label) => `(sum(rate({${counters},${selector(d, `${label}=~"5.."`)}}[${WINDOW}])) or vector(0))`)
    .join(' + ');
  const container = ['container!=""', 'container!="POD"'];
  const requests = (resource: string) =>
    `sum(kube_pod_container_resource_requests{${selector(d, `resource="${resource}"`)}})`;
  return [
    latency(0.5, 'latency-p50'),
    latency(0.95, 'latency-p95'),
    latency(0.99, 'latency-p99'),
    query(
      d,
      'error-rate',
      `(${errors}) / sum(rate({${counters},${selector(d)}}[${WINDOW}]))`,
      d.tolerances.errorRate,
      'Absolute',
    ),
    query(
      d,
      'cpu-utilisation',
      `sum(rate(container_cpu_usage_seconds_total{${selector(d, ...container)}}[${WINDOW}])) / ${requests('cpu')}`,
      d.tolerances.utilisation,
      'Relative',
    ),
    query(
      d,
      'memory-utilisation',
      `sum(container_memory_working_set_bytes{${selector(d, ...container)}}) / ${requests('memory')}`,
      d.tolerances.utilisation,
      'Relative',
    ),
  ];
}

export interface BehaviourQueries {
  queries: PrometheusQuery[];
  defaults: DefaultQueries;
}

/**
 * The queries one run evaluates: the check's own, plus the default set when
 * it is on (explicitly, or because the check lists none). A query of the
 * check's own replaces the default of the same name.
 */
export function behaviourQueries(behaviour: BehaviourQueries): PrometheusQuery[] {
  const own = behaviour.queries;
  const withDefaults = behaviour.defaults.enabled ?? own.length === 0;
  if (!withDefaults) {
    if (own.length === 0)
      throw new Error(
        'spec.categories.behaviour: lists no queries and turns the default queries off; set spec.categories.behaviour.enabled: false instead',
      );
    return own;
  }
  const names = new Set(own.map((q) => q.name));
  return [...defaultQueries(behaviour.defaults).filter((q) => !names.has(q.name)), ...own];
}

/** Whether a behaviour query (the default set included) runs per service without a list of its own, so the services come from the workloads. */
export function behaviourNeedsServices(check: ResolvedParityCheck): boolean {
  const behaviour = check.categories.behaviour;
  if (!behaviour || behaviour.enabled === false) return false;
  try {
    return behaviourQueries(behaviour).some((q) => q.query.includes('{{service}}') && !q.services);
  } catch {
    return false; // the spec error is reported by the behaviour category itself
  }
}
