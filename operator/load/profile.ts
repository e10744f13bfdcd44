import type { LoadScenario } from '../api/load-scenario';
import { PROFILE_SCENARIO } from '../api/loadtest';

// Production-shaped load from production's own request rates: the article's
// weekly report of per-endpoint rates, automated. From per-route rate series
// over a window: average and peak, the busiest hour (the hour with the most
// requests) and its burst shape, each route's share, and the concurrency
// (Little's law: rate × mean latency). The busiest hour's shape, scaled by
// the environment's ratio, becomes ramping-arrival-rate stages.

export interface RouteSeries {
  route: string;
  method: string;
  /** Requests per second at each step; NaN where Prometheus had no sample. */
  values: number[];
}

export interface ProfileInput {
  routes: RouteSeries[];
  stepSeconds: number;
  /** Unix seconds of the first sample. */
  startSeconds: number;
  /** The environment's scale (spec.scale.replicas): production's rates times this. */
  scale: number;
  /** How long the test runs: the busiest hour's shape compressed (or stretched) into it. */
  durationMs: number;
  stages: number;
  /** Production's mean latency in seconds, for the concurrency. */
  meanLatencySeconds?: number;
}

export interface RouteProfile {
  route: string;
  method: string;
  averageRate: number;
  peakRate: number;
  /** Share of the busiest hour's requests. */
  share: number;
}

export interface ProductionProfile {
  averageRate: number;
  peakRate: number;
  busiestHour: { startSeconds: number; averageRate: number };
  routes: RouteProfile[];
  /** Requests in flight at the peak (rate × mean latency), when the latency is known; unscaled. */
  concurrency: number | undefined;
  scale: number;
  /** Scaled rates per stage, in order; each stage lasts stageMs. */
  stageRates: number[];
  stageMs: number;
}

const finite = (v: number): number => (Number.isFinite(v) ? v : 0);
const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

export class ProfileError extends Error {}

export function buildProfile(input: ProfileInput): ProductionProfile {
  if (input.routes.length === 0) throw new ProfileError('production has no request series in the window');
  const length = Math.max(...input.routes.map((r) => r.values.length));
  const total = Array.from({ length }, (_, i) => input.routes.reduce((sum, r) => sum + finite(r.values[i] ?? NaN), 0));
  if (total.every((v) => v === 0)) throw new ProfileError('production served no requests in the window');
  // The busiest hour: the window of one hour's points with the largest sum (all of it when shorter).
  const hour = Math.max(1, Math.min(length, Math.round(3600 / input.stepSeconds)));
  let best = 0;
  let sum = total.slice(0, hour).reduce((a, b) => a + b, 0);
  let bestSum = sum;
  for (let start = 1; start + hour <= length; start++) {
    sum += (total[start + hour - 1] as number) - (total[start - 1] as number);
    if (sum > bestSum) [best, bestSum] = [start, sum];
  }
  const busiest = total.slice(best, best + hour);
  const stages = Math.max(1, Math.min(input.stages, busiest.length));
  const stageRates = Array.from({ length: stages }, (_, i) => {
    const from = Math.floor((i * busiest.length) / stages);
    const to = Math.floor(((i + 1) * busiest.length) / stages);
    return mean(busiest.slice(from, to)) * input.scale;
  });
  const hourTotal = busiest.reduce((a, b) => a + b, 0);
  const routes = input.routes.map((r) => {
    const values = r.values.map(finite);
    const inHour = values.slice(best, best + hour).reduce((a, b) => a + b, 0);
    return {
      route: r.route,
      method: r.method,
      averageRate: mean(values),
      peakRate: Math.max(...values),
      share: hourTotal > 0 ? inHour / hourTotal : 0,
    };
  });
  const peakRate = Math.max(...total);
  return {
    averageRate: mean(total),
    peakRate,
    busiestHour: { startSeconds: input.startSeconds + best * input.stepSeconds, averageRate: mean(busiest) },
    routes,
    concurrency:
      input.meanLatencySeconds !== undefined && Number.isFinite(input.meanLatencySeconds)
        ? peakRate * input.meanLatencySeconds
        : undefined,
    scale: input.scale,
    stageRates,
    stageMs: Math.max(1, Math.round(input.durationMs / stages)),
  };
}

/** How a route label becomes a request path: an explicit mapping, else the label itself when it is a path. */
export function pathOf(route: string, paths: Readonly<Record<string, string>>): string | undefined {
  if (paths[route] !== undefined) return paths[route];
  return route.startsWith('/') ? route : undefined;
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** A scenario's mix holds at most this many requests (LoadScenarioSchema). */
export const MAX_PROFILE_ROUTES = 64;
const MAX_IN_FLIGHT = 100_000;

/**
 * The profile as one ramping-arrival-rate scenario; routes with no share (or
 * no path) are left out. A production with more routes than a mix holds keeps
 * its busiest ones: the whole rate is sent, spread over them by share.
 */
export function profileToScenario(
  profile: ProductionProfile,
  options: { name?: string; target?: string; paths?: Readonly<Record<string, string>> } = {},
): LoadScenario {
  const drawn = profile.routes
    .filter((r) => r.share > 0)
    .sort((a, b) => b.share - a.share)
    .map((r) => {
      const path = pathOf(r.route, options.paths ?? {});
      if (path === undefined)
        throw new ProfileError(`route ${JSON.stringify(r.route)} is not a path; map it in spec.profile.paths`);
      const method = METHODS.has(r.method.toUpperCase())
        ? (r.method.toUpperCase() as LoadScenario['requests'][number]['method'])
        : 'GET';
      // Weights are integers: shares in parts per ten thousand, at least one. Names as a route name may be written;
      // the same name twice (GET and get, say, or two labels alike once cleaned) adds to the first.
      return {
        name: `${method} ${r.route}`.replace(/[^-A-Za-z0-9_.:/ {}]/g, '_').slice(0, 128),
        method,
        path,
        weight: Math.max(1, Math.round(r.share * 10_000)),
      };
    });
  const byName = new Map<string, (typeof drawn)[number]>();
  for (const request of drawn) {
    const first = byName.get(request.name);
    if (first) first.weight += request.weight;
    else byName.set(request.name, request);
  }
  const requests = [...byName.values()].slice(0, MAX_PROFILE_ROUTES);
  const concurrency = profile.concurrency === undefined ? undefined : profile.concurrency * profile.scale;
  return {
    name: options.name ?? PROFILE_SCENARIO,
    ...(options.target ? { target: options.target } : {}),
    executor: 'ramping-arrival-rate',
    startRate: round(profile.stageRates[0] ?? 0),
    stages: profile.stageRates.map((target) => ({ duration: `${profile.stageMs}ms`, target: round(target) })),
    // Room for bursts: ten times production's concurrency at this scale, at least 100.
    maxInFlight: Math.min(MAX_IN_FLIGHT, Math.max(100, Math.ceil((concurrency ?? 0) * 10))),
    timeout: '10s',
    requests,
  };
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
