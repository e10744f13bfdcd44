import type { LoadThreshold } from '../api/load-scenario';
import { ms } from './plan';
import { ERROR_CLASSES, type ErrorClass, type MergedScenario } from './stats';

// The numbers people read: per route p50/p95/p99/max in milliseconds, the
// error rate and its classes, achieved against requested rate, and the
// threshold verdict naming the route and figure that failed.

export interface RouteReport {
  scenario: string;
  route: string;
  requests: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errorRate: number;
  errors: Partial<Record<ErrorClass, number>>;
  retries: number;
}

export interface ScenarioReport {
  name: string;
  executor: string;
  model: 'open' | 'closed';
  workers: number;
  /** Iterations per second the plan asked for (open models). */
  requestedRate: number | undefined;
  /** Requests per second actually sent, over the (possibly stretched) elapsed time. */
  achievedRate: number;
  planned: number;
  sent: number;
  dropped: number;
  /** Share of requests sent within 1 ms of their intended time (open models). */
  onTimeShare: number | undefined;
  sendLagP99Ms: number | undefined;
  routes: RouteReport[];
}

export interface Violation {
  route: string;
  /** `requests`: nothing was measured where a verdict needs something (a scenario, or a route a threshold names). */
  figure: 'p95' | 'p99' | 'errorRate' | 'requests';
  actual: number;
  limit: number;
  message: string;
}

export interface LoadReport {
  scenarios: ScenarioReport[];
  passed: boolean;
  violations: Violation[];
}

const round = (value: number, digits = 3): number => Number(value.toFixed(digits));

export function reportScenario(merged: MergedScenario): ScenarioReport {
  const routes: RouteReport[] = [...merged.routes].map(([route, stats]) => {
    const failed = ERROR_CLASSES.reduce((sum, c) => sum + (stats.errors[c] ?? 0), 0);
    const at = (p: number): number => round(stats.latency.getValueAtPercentile(p) / 1000);
    return {
      scenario: merged.name,
      route,
      requests: stats.requests,
      p50Ms: at(50),
      p95Ms: at(95),
      p99Ms: at(99),
      maxMs: round(stats.latency.maxValue / 1000),
      errorRate: stats.requests === 0 ? 0 : round(failed / stats.requests, 6),
      errors: stats.errors,
      retries: stats.retries,
    };
  });
  routes.sort((a, b) => a.route.localeCompare(b.route));
  const open = merged.model === 'open';
  const lag = merged.sendLag;
  return {
    name: merged.name,
    executor: merged.executor,
    model: merged.model,
    workers: merged.workers,
    requestedRate: merged.requestedRate === undefined ? undefined : round(merged.requestedRate),
    achievedRate: merged.elapsedMs > 0 ? round(merged.sent / (merged.elapsedMs / 1000)) : 0,
    planned: Math.round(merged.planned),
    sent: merged.sent,
    dropped: merged.dropped,
    onTimeShare: open && lag.totalCount > 0 ? round(shareAtMost(lag, 1000), 6) : undefined,
    sendLagP99Ms: open && lag.totalCount > 0 ? round(lag.getValueAtPercentile(99) / 1000) : undefined,
    routes,
  };
}

/** Share of recorded values at or below `limit` (within the histogram's precision). */
function shareAtMost(histogram: MergedScenario['sendLag'], limit: number): number {
  // Bisection on the percentile: hdr-histogram-js has no count-below query.
  let low = 0;
  let high = 100;
  for (let i = 0; i < 30; i++) {
    const mid = (low + high) / 2;
    if (histogram.getValueAtPercentile(mid) <= limit) low = mid;
    else high = mid;
  }
  return low / 100;
}

/** Every route measured, across scenarios; a route in two scenarios is judged in each. */
export function evaluateThresholds(
  scenarios: readonly ScenarioReport[],
  thresholds: readonly LoadThreshold[],
): Violation[] {
  const violations: Violation[] = [];
  const routes = scenarios.flatMap((s) => s.routes);
  for (const threshold of thresholds) {
    const matching = threshold.route === '*' ? routes : routes.filter((r) => r.route === threshold.route);
    if (threshold.route !== '*' && matching.length === 0) {
      // A route in the mix that no request of this run reached (a tiny weight, everything dropped): unjudged is not held.
      violations.push({
        route: threshold.route,
        figure: 'requests',
        actual: 0,
        limit: 1,
        message: `${threshold.route}: no request measured, so its thresholds cannot be judged`,
      });
      continue;
    }
    for (const route of matching) {
      const check = (figure: Violation['figure'], actual: number, limit: number | undefined, unit: string): void => {
        if (limit === undefined || actual <= limit) return;
        const shown = unit === 'ms' ? `${actual} ms > ${limit} ms` : `${actual} > ${limit}`;
        violations.push({ route: route.route, figure, actual, limit, message: `${route.route}: ${figure} ${shown}` });
      };
      check('p95', route.p95Ms, threshold.p95 === undefined ? undefined : ms(threshold.p95), 'ms');
      check('p99', route.p99Ms, threshold.p99 === undefined ? undefined : ms(threshold.p99), 'ms');
      check(
        'errorRate',
        route.errorRate,
        threshold.errorRate === undefined ? undefined : Number(threshold.errorRate),
        '',
      );
    }
  }
  return violations;
}

/**
 * What makes a run unfit to pass whatever the thresholds say: a scenario that
 * measured nothing (no request sent or completed: a zero duration, a rate too
 * small for one iteration, every iteration dropped), or one whose every
 * request failed, which measured the errors and nothing of the service.
 */
export function measurementViolations(scenarios: readonly ScenarioReport[]): Violation[] {
  const violations: Violation[] = [];
  for (const s of scenarios) {
    const completed = s.routes.reduce((n, r) => n + r.requests, 0);
    if (completed === 0) {
      violations.push({
        route: '*',
        figure: 'requests',
        actual: 0,
        limit: 1,
        message: `scenario ${s.name}: no request measured (planned ${s.planned}, sent ${s.sent}, dropped ${s.dropped})`,
      });
      continue;
    }
    const counts: Partial<Record<ErrorClass, number>> = {};
    for (const r of s.routes)
      for (const c of ERROR_CLASSES) if (r.errors[c]) counts[c] = (counts[c] ?? 0) + (r.errors[c] ?? 0);
    const failed = Object.values(counts).reduce((n, v) => n + (v ?? 0), 0);
    if (failed >= completed) {
      const classes = Object.entries(counts)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      violations.push({
        route: '*',
        figure: 'errorRate',
        actual: 1,
        limit: 1,
        message: `scenario ${s.name}: every one of its ${completed} requests failed (${classes})`,
      });
    }
  }
  return violations;
}

export function buildReport(merged: readonly MergedScenario[], thresholds: readonly LoadThreshold[]): LoadReport {
  const scenarios = merged.map(reportScenario);
  const violations = [
    // No scenario at all (an empty merge) measured nothing either.
    ...(scenarios.length === 0
      ? [{ route: '*', figure: 'requests' as const, actual: 0, limit: 1, message: 'no scenario ran: nothing measured' }]
      : measurementViolations(scenarios)),
    ...evaluateThresholds(scenarios, thresholds),
  ];
  return { scenarios, passed: violations.length === 0, violations };
}

/** Thresholds naming a route the mix never sends would pass vacuously: refuse them up front. */
export function checkThresholdRoutes(
  thresholds: readonly LoadThreshold[],
  routes: ReadonlySet<string>,
  field = 'thresholds',
): void {
  thresholds.forEach((t, i) => {
    if (t.route !== '*' && !routes.has(t.route))
      throw new Error(
        `${field}[${i}].route: no route named ${JSON.stringify(t.route)} in the mix (routes: ${[...routes].join(', ')})`,
      );
  });
}

const pad = (text: string, width: number): string =>
  text.length >= width ? text : text + ' '.repeat(width - text.length);

export function formatReport(report: LoadReport): string {
  const lines: string[] = [];
  for (const s of report.scenarios) {
    const rate =
      s.requestedRate === undefined ? `${s.achievedRate}/s` : `${s.achievedRate}/s of ${s.requestedRate}/s requested`;
    const timing =
      s.onTimeShare === undefined ? '' : `, ${(s.onTimeShare * 100).toFixed(2)}% sent within 1 ms of schedule`;
    lines.push(
      `scenario ${s.name} (${s.executor}, ${s.workers} worker${s.workers === 1 ? '' : 's'}): ${s.sent} sent, ${rate}, ${s.dropped} dropped${timing}`,
    );
    lines.push(
      `  ${pad('route', 32)} ${pad('requests', 9)} ${pad('p50 ms', 9)} ${pad('p95 ms', 9)} ${pad('p99 ms', 9)} ${pad('max ms', 9)} errors`,
    );
    for (const r of s.routes) {
      const classes = Object.entries(r.errors)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      lines.push(
        `  ${pad(r.route, 32)} ${pad(String(r.requests), 9)} ${pad(String(r.p50Ms), 9)} ${pad(String(r.p95Ms), 9)} ${pad(String(r.p99Ms), 9)} ${pad(String(r.maxMs), 9)} ${(r.errorRate * 100).toFixed(2)}%${classes ? ` (${classes})` : ''}`,
      );
    }
  }
  lines.push(
    report.passed
      ? 'thresholds: passed'
      : `thresholds: FAILED\n${report.violations.map((v) => `  ${v.message}`).join('\n')}`,
  );
  return lines.join('\n');
}
