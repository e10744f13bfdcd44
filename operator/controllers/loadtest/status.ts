import type { LoadTestStatus } from '../../api/loadtest';
import { LOAD_TEST_CONDITIONS as C } from '../../api/loadtest';
import type { LoadReport } from '../../load/report';
import type { ProductionProfile } from '../../load/profile';
import { type Condition, kubeTime, setCondition, setReconciling, setStalled } from '../../runtime/conditions';

// The LoadTest's status in each state, following kstatus: Ready once this
// generation's run finished (pass or fail), Passed for the verdict, Stalled
// while it cannot run, Reconciling while it waits or runs. Results are
// bounded: at most 20 routes, worst p99 first; the full report is elsewhere.

const MAX_ROUTES = 20;
const MAX_VIOLATIONS = 20;

type Conditions = Condition[] | undefined;

export function stalledStatus(
  previous: LoadTestStatus | undefined,
  generation: number,
  reason: string,
  message: string,
  now: Date,
): LoadTestStatus {
  let conditions: Conditions = previous?.conditions;
  conditions = setStalled(conditions, { reason, message, observedGeneration: generation }, now);
  conditions = setReconciling(conditions, false, now);
  conditions = setCondition(
    conditions,
    { type: C.ready, status: 'False', reason, message, observedGeneration: generation },
    now,
  );
  conditions = conditions.filter((c) => c.type !== C.passed || c.observedGeneration === generation);
  return { ...keepResults(previous, generation), phase: 'Stalled', observedGeneration: generation, conditions };
}

export function waitingStatus(
  previous: LoadTestStatus | undefined,
  generation: number,
  phase: 'Pending' | 'Running',
  reason: string,
  message: string,
  now: Date,
  extra: Partial<LoadTestStatus> = {},
): LoadTestStatus {
  let conditions: Conditions = previous?.conditions;
  conditions = setStalled(conditions, false, now);
  conditions = setReconciling(conditions, { reason, message, observedGeneration: generation }, now);
  conditions = setCondition(
    conditions,
    { type: C.ready, status: 'False', reason, message, observedGeneration: generation },
    now,
  );
  conditions = conditions.filter((c) => c.type !== C.passed);
  return { ...keepResults(previous, generation), ...extra, phase, observedGeneration: generation, conditions };
}

/** A previous generation's numbers describe another test: dropped when the generation moves on. */
function keepResults(previous: LoadTestStatus | undefined, generation: number): Partial<LoadTestStatus> {
  if (!previous || previous.observedGeneration !== generation) return {};
  const { phase: _phase, conditions: _conditions, observedGeneration: _generation, ...rest } = previous;
  return rest;
}

export function verdictMessage(report: LoadReport): string {
  if (report.passed) {
    const routes = report.scenarios.reduce((n, s) => n + s.routes.length, 0);
    // Thresholds hold over what was sent: a pass with iterations dropped says so, or the verdict hides them.
    const dropped = report.scenarios.reduce((n, s) => n + s.dropped, 0);
    const planned = report.scenarios.reduce((n, s) => n + s.planned, 0);
    const drops = dropped > 0 ? `; ${dropped} of ${planned} planned iterations dropped (maxInFlight reached)` : '';
    return `every threshold held over ${routes} route${routes === 1 ? '' : 's'}${drops}`;
  }
  const shown = report.violations
    .slice(0, 5)
    .map((v) => v.message)
    .join('; ');
  return report.violations.length > 5 ? `${shown}; and ${report.violations.length - 5} more` : shown;
}

/** NothingMeasured when the only reason to fail is that nothing (a scenario, a route a threshold names) was measured. */
export function verdictReason(report: LoadReport): 'ThresholdsHeld' | 'ThresholdsExceeded' | 'NothingMeasured' {
  if (report.passed) return 'ThresholdsHeld';
  return report.violations.every((v) => v.figure === 'requests') ? 'NothingMeasured' : 'ThresholdsExceeded';
}

export function finishedStatus(
  previous: LoadTestStatus | undefined,
  generation: number,
  report: LoadReport,
  extra: Partial<LoadTestStatus>,
  now: Date,
): LoadTestStatus {
  let conditions: Conditions = previous?.conditions;
  conditions = setStalled(conditions, false, now);
  conditions = setReconciling(conditions, false, now);
  const sent = report.scenarios.reduce((n, s) => n + s.sent, 0);
  conditions = setCondition(
    conditions,
    {
      type: C.ready,
      status: 'True',
      reason: 'Completed',
      message: `the test ran: ${sent} requests`,
      observedGeneration: generation,
    },
    now,
  );
  conditions = setCondition(
    conditions,
    {
      type: C.passed,
      status: report.passed ? 'True' : 'False',
      reason: verdictReason(report),
      message: verdictMessage(report),
      observedGeneration: generation,
    },
    now,
  );
  const routes = report.scenarios
    .flatMap((s) => s.routes)
    .sort((a, b) => b.p99Ms - a.p99Ms)
    .slice(0, MAX_ROUTES)
    .map(({ scenario, route, requests, p50Ms, p95Ms, p99Ms, maxMs, errorRate }) => ({
      scenario,
      route,
      requests,
      p50Ms,
      p95Ms,
      p99Ms,
      maxMs,
      errorRate,
    }));
  return {
    ...keepResults(previous, generation),
    ...extra,
    phase: report.passed ? 'Passed' : 'Failed',
    observedGeneration: generation,
    completedAt: kubeTime(now),
    scenarios: report.scenarios.slice(0, 16).map((s) => ({
      name: s.name,
      executor: s.executor,
      workers: s.workers,
      ...(s.requestedRate !== undefined ? { requestedRate: s.requestedRate } : {}),
      achievedRate: s.achievedRate,
      sent: s.sent,
      dropped: s.dropped,
    })),
    routes,
    ...(report.violations.length
      ? { violations: report.violations.slice(0, MAX_VIOLATIONS).map((v) => v.message.slice(0, 512)) }
      : { violations: [] }),
    conditions,
  };
}

/**
 * Whether this generation's run already finished (pass or fail): a test runs once per spec. A run that failed after it
 * started sending (RunFailed) finished too: sending the load again by itself every retry would load the environment
 * in a loop nobody asked for. A new spec runs again.
 */
export function finishedFor(status: LoadTestStatus | undefined, generation: number): boolean {
  if (status?.observedGeneration !== generation) return false;
  if (status.phase === 'Passed' || status.phase === 'Failed') return true;
  return (
    status.phase === 'Stalled' &&
    (status.conditions ?? []).some(
      (c) =>
        c.type === 'Stalled' && c.status === 'True' && c.reason === 'RunFailed' && c.observedGeneration === generation,
    )
  );
}

/** What a profile of production read, for the status: rates rounded to thousandths. */
export function profileStatus(p: ProductionProfile): NonNullable<LoadTestStatus['profile']> {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    averageRate: round(p.averageRate),
    peakRate: round(p.peakRate),
    busiestHourStart: kubeTime(new Date(p.busiestHour.startSeconds * 1000)),
    busiestHourRate: round(p.busiestHour.averageRate),
    ...(p.concurrency !== undefined ? { concurrency: round(p.concurrency) } : {}),
    scale: p.scale,
  };
}
