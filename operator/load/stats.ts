import * as hdr from 'hdr-histogram-js';
import { z } from 'zod';
import type { RenderedRequest } from './mix';

// What a generator measured, per route: latency in microseconds into an
// HdrHistogram (3 significant digits: 0.1% precision whatever the value), the
// outcome counts by class, and the schedule's own accuracy. Everything here
// serializes to JSON and merges, so N workers add up to one report.

export const ERROR_CLASSES = ['connect', 'timeout', 'reset', 'http_4xx', 'http_5xx', 'other'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export const SIGNIFICANT_DIGITS = 3;

export function newHistogram(): hdr.Histogram {
  return hdr.build({ numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, lowestDiscernibleValue: 1, autoResize: true });
}

export class RouteStats {
  readonly latency = newHistogram();
  requests = 0;
  errors: Partial<Record<ErrorClass, number>> = {};
  retries = 0;

  record(latencyMicros: number, error: ErrorClass | undefined): void {
    this.requests++;
    this.latency.recordValue(Math.max(1, Math.round(latencyMicros)));
    if (error) this.errors[error] = (this.errors[error] ?? 0) + 1;
  }
}

/** One scenario's measurements on one worker. */
export class ScenarioStats {
  readonly routes = new Map<string, RouteStats>();
  /** How late requests left against their intended time (open models), in microseconds. */
  readonly sendLag = newHistogram();
  /** Iterations the plan called for on this worker. */
  planned = 0;
  sent = 0;
  dropped = 0;
  /** Wall time the scenario's sending took, stretched when sends fell behind the plan. */
  elapsedMs = 0;
  /** Told of each completed request (metrics export); latency in microseconds. */
  onComplete:
    | ((
        request: RenderedRequest,
        latencyMicros: number,
        status: number | undefined,
        error: ErrorClass | undefined,
      ) => void)
    | undefined;

  constructor(
    readonly name: string,
    readonly executor: string,
    readonly model: 'open' | 'closed',
    /** The rate the plan asks of all workers together (open models), per second. */
    readonly requestedRate: number | undefined,
  ) {}

  route(name: string): RouteStats {
    let stats = this.routes.get(name);
    if (!stats) this.routes.set(name, (stats = new RouteStats()));
    return stats;
  }
}

const SerializedRouteSchema = z.object({
  histogram: z.string(),
  requests: z.number().int().min(0),
  errors: z.partialRecord(z.enum(ERROR_CLASSES), z.number().int().min(0)),
  retries: z.number().int().min(0),
});

export const SerializedScenarioSchema = z.object({
  name: z.string(),
  executor: z.string(),
  model: z.enum(['open', 'closed']),
  requestedRate: z.number().optional(),
  planned: z.number().min(0),
  sent: z.number().int().min(0),
  dropped: z.number().int().min(0),
  elapsedMs: z.number().min(0),
  sendLag: z.string(),
  routes: z.record(z.string(), SerializedRouteSchema),
});
export type SerializedScenario = z.infer<typeof SerializedScenarioSchema>;

/** What one worker hands over: every scenario it ran. */
export const WorkerResultSchema = z.object({
  worker: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }),
  startedAt: z.string(),
  scenarios: z.array(SerializedScenarioSchema),
});
export type WorkerResult = z.infer<typeof WorkerResultSchema>;

export function serializeScenario(stats: ScenarioStats): SerializedScenario {
  return {
    name: stats.name,
    executor: stats.executor,
    model: stats.model,
    ...(stats.requestedRate !== undefined ? { requestedRate: stats.requestedRate } : {}),
    planned: stats.planned,
    sent: stats.sent,
    dropped: stats.dropped,
    elapsedMs: stats.elapsedMs,
    sendLag: hdr.encodeIntoCompressedBase64(stats.sendLag),
    routes: Object.fromEntries(
      [...stats.routes].map(([name, route]) => [
        name,
        {
          histogram: hdr.encodeIntoCompressedBase64(route.latency),
          requests: route.requests,
          errors: { ...route.errors },
          retries: route.retries,
        },
      ]),
    ),
  };
}

export function decodeHistogram(encoded: string): hdr.Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded);
  // Copied into an auto-resizing histogram so values beyond the decoded range still add.
  const histogram = newHistogram();
  histogram.add(decoded);
  return histogram;
}

function addCounts<K extends string>(into: Partial<Record<K, number>>, from: Partial<Record<K, number>>): void {
  for (const [key, value] of Object.entries(from) as Array<[K, number]>) into[key] = (into[key] ?? 0) + value;
}

/** A scenario's measurements merged over workers, histograms decoded. */
export interface MergedScenario {
  name: string;
  executor: string;
  model: 'open' | 'closed';
  requestedRate: number | undefined;
  planned: number;
  sent: number;
  dropped: number;
  /** The longest worker's elapsed time: workers run side by side. */
  elapsedMs: number;
  workers: number;
  sendLag: hdr.Histogram;
  routes: Map<
    string,
    { latency: hdr.Histogram; requests: number; errors: Partial<Record<ErrorClass, number>>; retries: number }
  >;
}

/** Merges workers' results scenario by scenario (by name); histograms add, counters sum. */
export function mergeResults(results: readonly WorkerResult[]): MergedScenario[] {
  const merged = new Map<string, MergedScenario>();
  for (const result of results) {
    for (const scenario of result.scenarios) {
      let into = merged.get(scenario.name);
      if (!into) {
        into = {
          name: scenario.name,
          executor: scenario.executor,
          model: scenario.model,
          requestedRate: scenario.requestedRate,
          planned: 0,
          sent: 0,
          dropped: 0,
          elapsedMs: 0,
          workers: 0,
          sendLag: newHistogram(),
          routes: new Map(),
        };
        merged.set(scenario.name, into);
      }
      into.workers++;
      into.planned += scenario.planned;
      into.sent += scenario.sent;
      into.dropped += scenario.dropped;
      into.elapsedMs = Math.max(into.elapsedMs, scenario.elapsedMs);
      into.sendLag.add(decodeHistogram(scenario.sendLag));
      for (const [name, route] of Object.entries(scenario.routes)) {
        let target = into.routes.get(name);
        if (!target) into.routes.set(name, (target = { latency: newHistogram(), requests: 0, errors: {}, retries: 0 }));
        target.latency.add(decodeHistogram(route.histogram));
        target.requests += route.requests;
        target.retries += route.retries;
        addCounts(target.errors, route.errors);
      }
    }
  }
  return [...merged.values()];
}
