import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per manager: the process exports a single registry, while tests
 * that run several managers in one process keep their numbers apart.
 */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

// controller-runtime's buckets, so existing dashboards line up.
const WORKQUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10, 100, 1000];
const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2,
  2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

/** Polled at scrape time: queues register a reader so the gauges are fresh on every scrape. */
export interface InFlightReader {
  unfinishedWorkSeconds(): number;
  longestRunningProcessorSeconds(): number;
}

/** Labels a queue passes: its name, which is its controller's name. */
type QueueLabels = { name: string };
export interface QueueGauge {
  set(labels: QueueLabels, value: number): void;
}
export interface QueueCounter {
  inc(labels: QueueLabels): void;
}
export interface QueueHistogram {
  observe(labels: QueueLabels, value: number): void;
}

/**
 * Workqueue metrics with controller-runtime's labels: `controller` and `name`,
 * both the controller's name (a queue belongs to one controller). Queues pass
 * only `name`; `controller` is added here.
 */
export interface WorkqueueMetrics {
  depth: QueueGauge;
  adds: QueueCounter;
  retries: QueueCounter;
  queueDuration: QueueHistogram;
  workDuration: QueueHistogram;
  inFlight: Map<string, InFlightReader>;
}

/** client-go's REST client metrics: every request the operator sends to the API server. */
export interface RestClientMetrics {
  requests: Counter<'code' | 'method' | 'host'>;
  duration: Histogram<'verb' | 'host'>;
}

/** What a KubeClient reports after each request. */
export interface RestRequestObservation {
  method: string;
  /** The HTTP status, or "<error>" when no response came (client-go's value). */
  code: string;
  host: string;
  /** Absent for a watch, which lasts as long as the server keeps it open. */
  seconds?: number;
}

export interface ControllerMetrics {
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  terminalReconcileErrors: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
  activeWorkers: Gauge<'controller'>;
}

export interface InformerMetrics {
  relists: Counter<'resource' | 'reason'>;
  watchRestarts: Counter<'resource' | 'reason'>;
}

export interface RuntimeMetrics {
  registry: Registry;
  workqueue: WorkqueueMetrics;
  controller: ControllerMetrics;
  informer: InformerMetrics;
  restClient: RestClientMetrics;
  /** client-go's leader_election_master_status{name}: 1 while this process holds the lease. */
  leaderStatus: Gauge<'name'>;
  /** Records one API request; hand it to a KubeClient as its `observe` option. */
  observeRequest(observation: RestRequestObservation): void;
}

// client-go's request latency buckets.
const REST_BUCKETS = [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60];

// A queue belongs to one controller: its name is both labels.
const labelled = (labels: QueueLabels) => ({ controller: labels.name, name: labels.name });
const queueGauge = (gauge: Gauge<'controller' | 'name'>): QueueGauge => ({
  set: (labels, value) => gauge.set(labelled(labels), value),
});
const queueCounter = (counter: Counter<'controller' | 'name'>): QueueCounter => ({
  inc: (labels) => counter.inc(labelled(labels)),
});
const queueHistogram = (histogram: Histogram<'controller' | 'name'>): QueueHistogram => ({
  observe: (labels, value) => histogram.observe(labelled(labels), value),
});

const byRegistry = new WeakMap<Registry, RuntimeMetrics>();
const QUEUE_LABELS = ['controller', 'name'] as const;

/** The runtime's metrics in a registry, created once per registry. */
export function runtimeMetrics(registry: Registry): RuntimeMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const inFlight = new Map<string, InFlightReader>();
  const metrics: RuntimeMetrics = {
    registry,
    workqueue: {
      depth: queueGauge(
        new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: QUEUE_LABELS, registers }),
      ),
      adds: queueCounter(
        new Counter({
          name: 'workqueue_adds_total',
          help: 'Total number of adds handled by workqueue',
          labelNames: QUEUE_LABELS,
          registers,
        }),
      ),
      retries: queueCounter(
        new Counter({
          name: 'workqueue_retries_total',
          help: 'Total number of retries handled by workqueue',
          labelNames: QUEUE_LABELS,
          registers,
        }),
      ),
      queueDuration: queueHistogram(
        new Histogram({
          name: 'workqueue_queue_duration_seconds',
          help: 'How long in seconds an item stays in workqueue before being requested',
          labelNames: QUEUE_LABELS,
          buckets: WORKQUEUE_BUCKETS,
          registers,
        }),
      ),
      workDuration: queueHistogram(
        new Histogram({
          name: 'workqueue_work_duration_seconds',
          help: 'How long in seconds processing an item from workqueue takes',
          labelNames: QUEUE_LABELS,
          buckets: WORKQUEUE_BUCKETS,
          registers,
        }),
      ),
      inFlight,
    },
    controller: {
      reconcileTotal: new Counter({
        name: 'controller_runtime_reconcile_total',
        help: 'Total number of reconciliations per controller',
        labelNames: ['controller', 'result'],
        registers,
      }),
      reconcileErrors: new Counter({
        name: 'controller_runtime_reconcile_errors_total',
        help: 'Total number of reconciliation errors per controller',
        labelNames: ['controller'],
        registers,
      }),
      terminalReconcileErrors: new Counter({
        name: 'controller_runtime_terminal_reconcile_errors_total',
        help: 'Total number of terminal reconciliation errors per controller',
        labelNames: ['controller'],
        registers,
      }),
      reconcileTime: new Histogram({
        name: 'controller_runtime_reconcile_time_seconds',
        help: 'Length of time per reconciliation per controller',
        labelNames: ['controller'],
        buckets: RECONCILE_BUCKETS,
        registers,
      }),
      maxConcurrentReconciles: new Gauge({
        name: 'controller_runtime_max_concurrent_reconciles',
        help: 'Maximum number of concurrent reconciles per controller',
        labelNames: ['controller'],
        registers,
      }),
      activeWorkers: new Gauge({
        name: 'controller_runtime_active_workers',
        help: 'Number of currently used workers per controller',
        labelNames: ['controller'],
        registers,
      }),
    },
    informer: {
      relists: new Counter({
        name: 'understudy_informer_relists_total',
        help: 'Full lists an informer made, by reason (initial, expired)',
        labelNames: ['resource', 'reason'],
        registers,
      }),
      watchRestarts: new Counter({
        name: 'understudy_informer_watch_restarts_total',
        help: 'Watch streams an informer reopened, by reason (timeout, error, closed)',
        labelNames: ['resource', 'reason'],
        registers,
      }),
    },
    restClient: {
      requests: new Counter({
        name: 'rest_client_requests_total',
        help: 'Number of HTTP requests, partitioned by status code, method, and host.',
        labelNames: ['code', 'method', 'host'],
        registers,
      }),
      duration: new Histogram({
        name: 'rest_client_request_duration_seconds',
        help: 'Request latency in seconds. Broken down by verb, and host.',
        labelNames: ['verb', 'host'],
        buckets: REST_BUCKETS,
        registers,
      }),
    },
    leaderStatus: new Gauge({
      name: 'leader_election_master_status',
      help: "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. 'name' is the string used to identify the lease.",
      labelNames: ['name'],
      registers,
    }),
    observeRequest: (o) => {
      metrics.restClient.requests.inc({ code: o.code, method: o.method, host: o.host });
      if (o.seconds !== undefined) metrics.restClient.duration.observe({ verb: o.method, host: o.host }, o.seconds);
    },
  };
  new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration.",
    labelNames: QUEUE_LABELS,
    registers,
    collect() {
      for (const [name, reader] of inFlight) this.set({ controller: name, name }, reader.unfinishedWorkSeconds());
    },
  });
  new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    labelNames: QUEUE_LABELS,
    registers,
    collect() {
      for (const [name, reader] of inFlight)
        this.set({ controller: name, name }, reader.longestRunningProcessorSeconds());
    },
  });
  byRegistry.set(registry, metrics);
  return metrics;
}
