import type { LoadScenario } from '../api/load-scenario';
import type { RenderedRequest } from './mix';
import type { Arrival } from './open';
import { REPLAY_SCENARIO } from '../api/loadtest';

// Replaying an access log: each line's method, path and time, sent at the
// original offsets (divided by the speed-up) by the open-model executor, so
// latency still counts from the intended time. JSON access logs as nginx
// (log_format ... escape=json) and Envoy (json_format) write them; fields are
// recognised by their usual names, whichever proxy wrote them.

export type LogFormat = 'auto' | 'nginx-json' | 'envoy-json';

export interface LoggedRequest {
  /** Milliseconds since the epoch. */
  atMs: number;
  method: string;
  path: string;
}

export class ReplayError extends Error {}

/** An HTTP method token (RFC 9110), which is all a request line may hold there. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Z-]{1,32}$/;

const NGINX_TIME = /^(\d{2})\/(\w{3})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// nginx's msec: seconds since the epoch with milliseconds, as a string (or a number). Not null, "" or true, which
// Number() reads as 0 or 1: a replay would then wait decades for the other lines.
const MSEC = /^\d+(\.\d+)?$/;

/** A time field present but unreadable, named with its value: a clear error rather than "no time". */
function unreadableTime(entry: Record<string, unknown>, format: LogFormat): string | undefined {
  const keys = [
    ...(format !== 'envoy-json' ? ['msec', 'time_iso8601', 'time_local'] : []),
    ...(format !== 'nginx-json' ? ['start_time', 'timestamp', '@timestamp'] : []),
  ];
  const key = keys.find((k) => entry[k] !== undefined);
  return key === undefined ? undefined : `${key} ${JSON.stringify(entry[key])?.slice(0, 80)} is not a time`;
}

function timeOf(entry: Record<string, unknown>, format: LogFormat): number | undefined {
  // nginx: msec (seconds with milliseconds) is the precise one; time_iso8601 and time_local have whole seconds.
  if (format !== 'envoy-json') {
    const msec = entry.msec;
    if ((typeof msec === 'string' && MSEC.test(msec)) || (typeof msec === 'number' && Number.isFinite(msec)))
      return Number(msec) * 1000;
    if (typeof entry.time_iso8601 === 'string') return Date.parse(entry.time_iso8601);
    const local = typeof entry.time_local === 'string' ? NGINX_TIME.exec(entry.time_local) : null;
    if (local) {
      const [, d, mon, y, h, mi, s, zone] = local as unknown as string[];
      return Date.parse(
        `${y}-${String(MONTHS.indexOf(mon!) + 1).padStart(2, '0')}-${d}T${h}:${mi}:${s}${zone!.slice(0, 3)}:${zone!.slice(3)}`,
      );
    }
  }
  if (format !== 'nginx-json') {
    for (const key of ['start_time', 'timestamp', '@timestamp'])
      if (typeof entry[key] === 'string') return Date.parse(entry[key]);
  }
  return undefined;
}

function requestOf(entry: Record<string, unknown>, format: LogFormat): { method: string; path: string } | undefined {
  const text = (key: string): string | undefined =>
    typeof entry[key] === 'string' && entry[key] !== '' && entry[key] !== '-' ? entry[key] : undefined;
  if (format !== 'envoy-json') {
    const method = text('request_method');
    const path =
      text('request_uri') ?? (text('uri') ? `${text('uri')}${text('args') ? `?${text('args')}` : ''}` : undefined);
    if (method && path) return { method, path };
    const line = text('request')?.split(' ');
    if (line && line.length >= 2 && line[1]!.startsWith('/')) return { method: line[0]!, path: line[1]! };
  }
  if (format !== 'nginx-json') {
    const method = text('method');
    const path = text('path') ?? text('x_envoy_original_path');
    if (method && path) return { method, path };
  }
  return undefined;
}

/** Parses JSON lines; a line that is not a request names its line number. Sorted by time. */
export function parseAccessLog(text: string, format: LogFormat = 'auto'): LoggedRequest[] {
  const out: LoggedRequest[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw new ReplayError(`line ${i + 1}: not JSON (JSON access logs: nginx escape=json or Envoy json_format)`);
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
      throw new ReplayError(`line ${i + 1}: not a JSON object`);
    const atMs = timeOf(entry as Record<string, unknown>, format);
    const request = requestOf(entry as Record<string, unknown>, format);
    if (atMs === undefined || !Number.isFinite(atMs))
      throw new ReplayError(
        `line ${i + 1}: ${unreadableTime(entry as Record<string, unknown>, format) ?? 'no time (msec, time_iso8601, time_local, start_time or timestamp)'}`,
      );
    if (!request)
      throw new ReplayError(
        `line ${i + 1}: no method and path (request_method and request_uri, request, or method and path)`,
      );
    const method = request.method.toUpperCase();
    if (!METHOD.test(method))
      throw new ReplayError(
        `line ${i + 1}: method ${JSON.stringify(request.method.slice(0, 40))} is not an HTTP method`,
      );
    if (!request.path.startsWith('/'))
      throw new ReplayError(`line ${i + 1}: path ${JSON.stringify(request.path.slice(0, 80))} does not start with /`);
    const bad = /[^!-~]/.exec(request.path);
    if (bad)
      throw new ReplayError(
        `line ${i + 1}: path ${JSON.stringify(request.path.slice(0, 80))} holds ${JSON.stringify(bad[0])}, which a request path cannot`,
      );
    // //host/... is read as another host by URL parsers: replayed as a path of the target, with one /.
    out.push({ atMs, method, path: request.path.replace(/^\/+/, '/') });
  });
  if (out.length === 0) throw new ReplayError('the log has no requests');
  return out.sort((a, b) => a.atMs - b.atMs);
}

const ID_SEGMENT = /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,})$/i;

/** What a route name may hold (LoadRequestSchema's name); anything else becomes _. */
const ROUTE_NAME_REFUSED = /[^-A-Za-z0-9_.:/ {}]/g;

/**
 * A route name for results: the path without its query, numeric and UUID-like segments as {id}, written as a
 * route name may be — the name results carry is the one a threshold names (`GET /a,b` would be measured under a
 * name no threshold can be written for).
 */
export function routeOfPath(method: string, path: string): string {
  const bare = path.split('?')[0] ?? path;
  return `${method} ${bare
    .split('/')
    .map((s) => (ID_SEGMENT.test(s) ? '{id}' : s))
    .join('/')}`
    .replace(ROUTE_NAME_REFUSED, '_')
    .slice(0, 128);
}

/** A scenario's mix holds at most this many routes; a replay names as many, the last one for all the others. */
const MAX_ROUTES = 64;
export const OTHER_ROUTES = 'other routes';

export interface Replay {
  arrivals: Arrival[];
  /** The replay as a constant-arrival-rate scenario (its average rate and span), for limits and reports. */
  scenario: LoadScenario;
  /** Most requests in any one second, after the speed-up. */
  peakRate: number;
}

export function replayOf(
  requests: readonly LoggedRequest[],
  options: { speedup: number; name?: string; target?: string },
): Replay {
  if (!(options.speedup > 0)) throw new ReplayError('speedup must be above 0');
  const first = requests[0]?.atMs ?? 0;
  const arrivals: Arrival[] = requests.map((r) => {
    const request: RenderedRequest = {
      route: routeOfPath(r.method, r.path),
      method: r.method,
      path: r.path,
      headers: {},
      body: undefined,
    };
    return { offsetMs: (r.atMs - first) / options.speedup, request };
  });
  const spanMs = Math.max(1, Math.ceil(arrivals[arrivals.length - 1]?.offsetMs ?? 0) + 1);
  let peak = 0;
  for (let i = 0, j = 0; i < arrivals.length; i++) {
    while (arrivals[i]!.offsetMs - arrivals[j]!.offsetMs >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  const counts = new Map<string, { method: string; n: number }>();
  for (const a of arrivals) {
    const seen = counts.get(a.request.route);
    if (seen) seen.n++;
    else counts.set(a.request.route, { method: a.request.method, n: 1 });
  }
  let routes = [...counts].sort((a, b) => b[1].n - a[1].n);
  if (routes.length > MAX_ROUTES) {
    // A log of slugs (/articles/my-first-post) holds a route per page: beyond the busiest, one route for the rest,
    // so results, thresholds and the exported metrics' labels stay bounded as a mix's routes are.
    const kept = new Set(routes.slice(0, MAX_ROUTES - 1).map(([route]) => route));
    for (const a of arrivals) if (!kept.has(a.request.route)) a.request.route = OTHER_ROUTES;
    const rest = routes.slice(MAX_ROUTES - 1).reduce((n, [, r]) => n + r.n, 0);
    routes = [...routes.slice(0, MAX_ROUTES - 1), [OTHER_ROUTES, { method: 'GET', n: rest }]];
  }
  const scenario: LoadScenario = {
    name: options.name ?? REPLAY_SCENARIO,
    ...(options.target ? { target: options.target } : {}),
    executor: 'constant-arrival-rate',
    rate: Math.max(0.001, Math.round((arrivals.length / (spanMs / 1000)) * 1000) / 1000),
    duration: `${spanMs}ms`,
    maxInFlight: 1000,
    timeout: '10s',
    // Not drawn from (the arrivals are sent as logged): the routes the log holds, for the record.
    requests: routes.map(([route, r]) => ({
      name: route,
      method: (['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(r.method)
        ? r.method
        : 'GET') as 'GET',
      path: '/',
      weight: r.n,
    })),
  };
  return { arrivals, scenario, peakRate: peak };
}
