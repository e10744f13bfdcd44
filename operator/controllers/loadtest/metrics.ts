import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LoadReport } from '../../load/report';
import type { Observer } from '../../load/run';
import { type Request, requestKey } from '../../runtime/reconciler';

// What a LoadTest measured, exported under the names the ParityCheck's default
// behaviour queries read (http_request_duration_seconds, http_requests_total),
// labelled by the tested namespace and service, so a ParityCheck with
// `workloadSelector: service="{{service}}"` compares behaviour under this load
// with production's. Requests are observed as they complete, so rate() over
// the scrapes of a run sees them (a scrape config needs honor_labels: true to
// keep `namespace` as the tested one). The last run's figures per route are
// exported too, as understudy_loadtest_route{figure=...}.

// Fine enough that histogram_quantile's interpolation stays within a few percent from 10 ms to 5 s.
const BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1, 1.25, 1.5, 2, 2.5,
  3, 4, 5, 7.5, 10, 30,
];
type RequestLabels = 'namespace' | 'service' | 'route' | 'method' | 'loadtest';
type FigureLabels = 'namespace' | 'loadtest' | 'route' | 'figure';

export class LoadTestMetrics {
  private readonly latency: Histogram<RequestLabels>;
  private readonly requests: Counter<RequestLabels | 'code'>;
  private readonly figures: Gauge<FigureLabels>;
  private readonly exported = new Map<string, Array<Record<FigureLabels, string>>>();
  /** Request series per test (label sets by key), so a deleted test's go with it. */
  private readonly series = new Map<string, Map<string, Record<RequestLabels | 'code', string>>>();

  constructor(registry: Registry) {
    const registers = [registry];
    this.latency =
      (registry.getSingleMetric('http_request_duration_seconds') as Histogram<RequestLabels> | undefined) ??
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'Latency of requests a LoadTest sent, in seconds, counted from the intended send time for open models.',
        labelNames: ['namespace', 'service', 'route', 'method', 'loadtest'],
        buckets: BUCKETS,
        registers,
      });
    this.requests =
      (registry.getSingleMetric('http_requests_total') as Counter<RequestLabels | 'code'> | undefined) ??
      new Counter({
        name: 'http_requests_total',
        help: 'Requests a LoadTest sent, by response code (the error class when no response came).',
        labelNames: ['namespace', 'service', 'route', 'method', 'code', 'loadtest'],
        registers,
      });
    this.figures =
      (registry.getSingleMetric('understudy_loadtest_route') as Gauge<FigureLabels> | undefined) ??
      new Gauge({
        name: 'understudy_loadtest_route',
        help: 'The last run of a LoadTest per route; figure is p50_seconds, p95_seconds, p99_seconds, max_seconds, error_rate or requests.',
        labelNames: ['namespace', 'loadtest', 'route', 'figure'],
        registers,
      });
  }

  /** The observer a run reports each completed request to; `services` maps target names to Service names. */
  observer(req: Request, namespace: string, services: Readonly<Record<string, string>>): Observer {
    const loadtest = requestKey(req);
    return (_scenario, target, request, seconds, status, error) => {
      const labels = {
        namespace,
        service: services[target] ?? target,
        route: request.route,
        method: request.method,
        loadtest,
      };
      const code = status !== undefined ? String(status) : (error ?? 'other');
      this.latency.observe(labels, seconds);
      this.requests.inc({ ...labels, code });
      let seen = this.series.get(loadtest);
      if (!seen) this.series.set(loadtest, (seen = new Map<string, Record<RequestLabels | 'code', string>>()));
      const key = `${labels.service}\n${labels.route}\n${labels.method}\n${code}`;
      if (!seen.has(key)) seen.set(key, { ...labels, code });
    };
  }

  /**
   * A deleted test's series go, request counters and latency histograms too: kept for the operator's life, every
   * preview's LoadTest would add its routes × buckets to /metrics for good.
   */
  remove(req: Request): void {
    this.forget(req);
    const loadtest = requestKey(req);
    for (const labels of this.series.get(loadtest)?.values() ?? []) {
      const { code: _code, ...latency } = labels;
      this.requests.remove(labels);
      this.latency.remove(latency);
    }
    this.series.delete(loadtest);
  }

  observe(req: Request, report: LoadReport): void {
    this.forget(req);
    const loadtest = requestKey(req);
    const sets: Array<Record<FigureLabels, string>> = [];
    for (const route of report.scenarios.flatMap((s) => s.routes)) {
      const figures: Record<string, number> = {
        p50_seconds: route.p50Ms / 1000,
        p95_seconds: route.p95Ms / 1000,
        p99_seconds: route.p99Ms / 1000,
        max_seconds: route.maxMs / 1000,
        error_rate: route.errorRate,
        requests: route.requests,
      };
      for (const [figure, value] of Object.entries(figures)) {
        const labels = { namespace: req.namespace, loadtest, route: route.route, figure };
        this.figures.set(labels, value);
        sets.push(labels);
      }
    }
    this.exported.set(loadtest, sets);
  }

  /** The last-run figures of a deleted (or re-run) test go; request counters are cumulative, as a server's are. */
  forget(req: Request): void {
    const loadtest = requestKey(req);
    for (const labels of this.exported.get(loadtest) ?? []) this.figures.remove(labels);
    this.exported.delete(loadtest);
  }
}
