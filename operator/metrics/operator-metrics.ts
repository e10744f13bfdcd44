import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { namespacedKey } from '../runtime/object-key';

// Every metric about understudy's own kinds, defined in one place; the
// controllers call the small functions below and never touch prom-client.
// The runtime's metrics (workqueue_*, controller_runtime_*, rest_client_*,
// leader_election_master_status) live in runtime/metrics.ts; the parity
// findings gauge in parity/metrics.ts. docs/observability.md lists them all.

export const METRIC_NAMES = {
  environments: 'understudy_environments',
  timeToReady: 'understudy_environment_time_to_ready_seconds',
  expirations: 'understudy_environment_expirations_total',
  cleanups: 'understudy_environment_cleanups_total',
  seedRuns: 'understudy_seed_runs_total',
  seedRows: 'understudy_seed_rows_total',
  seedDuration: 'understudy_seed_duration_seconds',
  seedFailures: 'understudy_seed_failures_total',
  behaviour: 'understudy_parity_behaviour_value',
} as const;

/** Minutes to an hour: provisioning a copy, seeding it and waiting for rollouts. */
const TIME_TO_READY_BUCKETS = [5, 10, 20, 30, 60, 90, 120, 180, 300, 450, 600, 900, 1200, 1800, 3600];
const SEED_BUCKETS = [1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

export type CleanupKind = 'finalized' | 'orphan';
export type Side = 'staging' | 'production';

export interface EnvironmentKey {
  namespace: string;
  name: string;
}

/** What a StagingEnvironment's status write says, as far as the metrics care. */
export interface EnvironmentReport {
  phase?: string | undefined;
  timings?: { readySeconds?: number | undefined } | undefined;
}

export interface SeedOutcome {
  /** Inline (in the operator) or Job. */
  runner: string;
  succeeded: boolean;
  /** Rows written; only counted for a run that committed. */
  rows?: number;
  seconds?: number;
  /** Why it failed (the status reason): ConnectionFailed, DeadlineExceeded… */
  reason?: string;
}

export interface BehaviourObservation {
  check: EnvironmentKey;
  /** The query's name: error-rate, latency-p95… */
  metric: string;
  /** The service substituted for {{service}}, or "" for a query over the namespace. */
  service: string;
  side: Side;
  value: number;
}

export class OperatorMetrics {
  private readonly phases = new Map<string, string>();
  private readonly behaviourSeries = new Map<string, Set<string>>();
  readonly environments: Gauge<'phase'>;
  readonly timeToReady: Histogram;
  readonly expirations: Counter;
  readonly cleanups: Counter<'kind'>;
  readonly seedRuns: Counter<'runner' | 'result'>;
  readonly seedRows: Counter<'runner'>;
  readonly seedDuration: Histogram<'runner' | 'result'>;
  readonly seedFailures: Counter<'runner' | 'reason'>;
  readonly behaviour: Gauge<'check' | 'service' | 'metric' | 'side'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const phases = this.phases;
    this.environments = new Gauge({
      name: METRIC_NAMES.environments,
      help: 'StagingEnvironments this operator reconciles, by phase.',
      labelNames: ['phase'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, number>();
        for (const phase of phases.values()) counts.set(phase, (counts.get(phase) ?? 0) + 1);
        for (const [phase, count] of counts) this.set({ phase }, count);
      },
    });
    this.timeToReady = new Histogram({
      name: METRIC_NAMES.timeToReady,
      help: "Seconds from a StagingEnvironment's creation to its first Ready.",
      buckets: TIME_TO_READY_BUCKETS,
      registers,
    });
    this.expirations = new Counter({
      name: METRIC_NAMES.expirations,
      help: 'StagingEnvironments that reached the end of their ttl.',
      registers,
    });
    this.cleanups = new Counter({
      name: METRIC_NAMES.cleanups,
      help: 'Namespaces of StagingEnvironments deleted: finalized (the environment was deleted or expired) or orphan (swept after the environment vanished).',
      labelNames: ['kind'],
      registers,
    });
    this.seedRuns = new Counter({
      name: METRIC_NAMES.seedRuns,
      help: 'DataSeed runs that finished, by runner and result (succeeded, failed).',
      labelNames: ['runner', 'result'],
      registers,
    });
    this.seedRows = new Counter({
      name: METRIC_NAMES.seedRows,
      help: 'Rows written by DataSeed runs that committed.',
      labelNames: ['runner'],
      registers,
    });
    this.seedDuration = new Histogram({
      name: METRIC_NAMES.seedDuration,
      help: 'Seconds a DataSeed run took, by runner and result (succeeded, failed).',
      labelNames: ['runner', 'result'],
      buckets: SEED_BUCKETS,
      registers,
    });
    this.seedFailures = new Counter({
      name: METRIC_NAMES.seedFailures,
      help: 'DataSeed runs that failed, by runner and reason.',
      labelNames: ['runner', 'reason'],
      registers,
    });
    this.behaviour = new Gauge({
      name: METRIC_NAMES.behaviour,
      help: 'The median of a behaviour query over its range at the last run of a ParityCheck (check: namespace/name), per service and side (staging, production).',
      // No `namespace` label: a scrape adds the target's, and the two would clash (exported_namespace).
      labelNames: ['check', 'service', 'metric', 'side'],
      registers,
    });
  }

  /** After a StagingEnvironment's status was written (or found unchanged). */
  environmentReported(key: EnvironmentKey, previous: EnvironmentReport | undefined, next: EnvironmentReport): void {
    if (next.phase) this.phases.set(keyOf(key), next.phase);
    const readySeconds = next.timings?.readySeconds;
    if (previous?.timings?.readySeconds === undefined && readySeconds !== undefined)
      this.timeToReady.observe(readySeconds);
    if (next.phase === 'Expired' && previous?.phase !== 'Expired') this.expirations.inc();
  }

  /** The StagingEnvironment is gone from the cache. */
  environmentForgotten(key: EnvironmentKey): void {
    this.phases.delete(keyOf(key));
  }

  environmentCleanedUp(kind: CleanupKind, namespaces = 1): void {
    if (namespaces > 0) this.cleanups.inc({ kind }, namespaces);
  }

  seedFinished(outcome: SeedOutcome): void {
    const { runner } = outcome;
    this.seedRuns.inc({ runner, result: outcome.succeeded ? 'succeeded' : 'failed' });
    // A Job's pod reports rows and time in the status; one that did not (never ran the command) adds no sample.
    if (outcome.seconds !== undefined)
      this.seedDuration.observe({ runner, result: outcome.succeeded ? 'succeeded' : 'failed' }, outcome.seconds);
    if (outcome.succeeded) {
      if (outcome.rows !== undefined && outcome.rows > 0) this.seedRows.inc({ runner }, outcome.rows);
    } else {
      this.seedFailures.inc({ runner, reason: outcome.reason ?? 'Unknown' });
    }
  }

  /**
   * One run's behaviour medians replace the check's previous ones: a series
   * the run no longer measured (a service removed, no data) disappears
   * instead of keeping an old value an alert would act on.
   */
  behaviourObserved(check: EnvironmentKey, observations: readonly BehaviourObservation[]): void {
    this.behaviourForgotten(check);
    const kept = new Set<string>();
    for (const o of observations) {
      if (!Number.isFinite(o.value)) continue;
      const labels = { check: keyOf(check), service: o.service, metric: o.metric, side: o.side };
      this.behaviour.set(labels, o.value);
      kept.add(JSON.stringify(labels));
    }
    if (kept.size > 0) this.behaviourSeries.set(keyOf(check), kept);
  }

  behaviourForgotten(check: EnvironmentKey): void {
    for (const labels of this.behaviourSeries.get(keyOf(check)) ?? [])
      this.behaviour.remove(JSON.parse(labels) as Record<string, string>);
    this.behaviourSeries.delete(keyOf(check));
  }
}

function keyOf(key: EnvironmentKey): string {
  return namespacedKey(key.namespace, key.name);
}

const byRegistry = new WeakMap<Registry, OperatorMetrics>();

/** The operator's metrics in `registry`, registered once per registry. */
export function operatorMetrics(registry: Registry): OperatorMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new OperatorMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
