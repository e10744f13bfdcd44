import type { BaselineSpec } from '../../api/baseline';
import type { LoadScenario } from '../../api/load-scenario';
import { ms } from '../../load/plan';

// A LoadTest asks for at most what its Baseline allows: the peak rate of all
// scenarios together, the longest scenario, the virtual users and the workers.
// The answer names the field to change, as every ExceedsBaseline does.

export interface LoadLimits {
  maxRate: number;
  maxDurationMs: number;
  maxParallelism: number;
  maxVUs: number;
}

export const DEFAULT_LOAD_LIMITS = { maxRate: 100, maxDuration: '10m', maxParallelism: 4, maxVUs: 100 } as const;

export function loadLimitsOf(spec: Pick<BaselineSpec, 'limits'>): LoadLimits {
  const load = { ...DEFAULT_LOAD_LIMITS, ...(spec.limits.load ?? {}) };
  return {
    maxRate: load.maxRate,
    maxDurationMs: ms(load.maxDuration),
    maxParallelism: load.maxParallelism,
    maxVUs: load.maxVUs,
  };
}

/** Highest rate a scenario asks for (open models), per second; 0 for closed ones. */
export function peakRate(s: LoadScenario): number {
  if (s.executor === 'constant-arrival-rate') return s.rate ?? 0;
  if (s.executor === 'ramping-arrival-rate')
    return Math.max(s.startRate ?? 0, ...(s.stages ?? []).map((x) => x.target));
  return 0;
}

export function peakVUs(s: LoadScenario): number {
  if (s.executor === 'constant-vus') return s.vus ?? 0;
  if (s.executor === 'ramping-vus') return Math.max(s.startVUs ?? 0, ...(s.stages ?? []).map((x) => x.target));
  return 0;
}

export function scenarioEndMs(s: LoadScenario): number {
  const length =
    s.duration !== undefined ? ms(s.duration) : (s.stages ?? []).reduce((sum, x) => sum + ms(x.duration), 0);
  return ms(s.startTime) + length;
}

/**
 * Longest one request may take, retries included: a run waits for its last
 * requests, so against a stalled service this is how long a test outlives its
 * scenarios.
 */
export function requestBudgetMs(s: LoadScenario): number {
  const retries = s.retries?.max ?? 0;
  return ms(s.timeout, 10_000) * (retries + 1) + ms(s.retries?.backoff) * (2 ** retries - 1);
}

/**
 * Most requests per second a closed model can send: each virtual user at most one per think time (as fast as the
 * service answers, without bound, when it does not think).
 */
export function closedRateBound(s: LoadScenario): number {
  const vus = peakVUs(s);
  if (vus === 0) return 0;
  const think = ms(s.thinkTime);
  return think > 0 ? (vus * 1000) / think : Infinity;
}

/**
 * Closed models count against maxRate too, by their bound: virtual users that do not think send as fast as the
 * service answers, which no Baseline limit would otherwise hold.
 */
function closedRateExceeds(
  scenarios: readonly LoadScenario[],
  openRate: number,
  limits: LoadLimits,
  field: string,
  baseline: string,
): Exceeds | undefined {
  const bounds = scenarios.map(closedRateBound);
  const total = openRate + bounds.reduce((a, b) => a + b, 0);
  if (total <= limits.maxRate) return undefined;
  const worst = bounds.indexOf(Math.max(...bounds));
  const s = scenarios[worst]!;
  const others = openRate + bounds.reduce((sum, b, i) => (i === worst ? sum : sum + b), 0);
  const room = limits.maxRate - others;
  const needed = room > 0 ? `; a thinkTime of at least ${Math.ceil((peakVUs(s) * 1000) / room)}ms keeps within it` : '';
  const sends =
    bounds[worst] === Infinity
      ? `${peakVUs(s)} virtual users without thinkTime send as fast as the service answers`
      : `${peakVUs(s)} virtual users thinking ${s.thinkTime} send up to ${round(bounds[worst]!)} requests/s`;
  return {
    field: field === 'spec.scenarios' ? `${field}[${worst}].thinkTime` : field,
    message: `${sends}, beyond ${baseline}'s limits.load.maxRate ${limits.maxRate} with the other scenarios${needed}`,
  };
}

/**
 * A replay's busiest second, sped up, beside the peaks of the scenarios that run with it: the replay's own scenario
 * carries only its average rate, so a replay checked alone could burst past maxRate on top of the others.
 */
export function replayExceeds(
  replayPeak: number | undefined,
  others: readonly LoadScenario[],
  limits: LoadLimits,
  baseline = 'the Baseline',
): string | undefined {
  if (replayPeak === undefined) return undefined;
  const besides = others.reduce((sum, s) => sum + peakRate(s) + closedRateBound(s), 0);
  if (replayPeak + besides <= limits.maxRate) return undefined;
  const withOthers = besides > 0 ? ` (${round(replayPeak + besides)} with the other scenarios' ${round(besides)})` : '';
  return `spec.replay.speedup: the log's busiest second replays ${replayPeak} requests/s${withOthers}, above ${baseline}'s limits.load.maxRate ${limits.maxRate}`;
}

export interface Exceeds {
  field: string;
  message: string;
}

/**
 * The first limit exceeded, or undefined. `field` names where the scenarios
 * came from (spec.scenarios, or spec.profile / spec.replay for derived ones).
 */
export function exceedsLoadLimits(
  scenarios: readonly LoadScenario[],
  parallelism: number,
  limits: LoadLimits,
  field = 'spec.scenarios',
  baseline = 'the Baseline',
): Exceeds | undefined {
  if (parallelism > limits.maxParallelism)
    return {
      field: 'spec.parallelism',
      message: `${parallelism} workers exceed ${baseline}'s limits.load.maxParallelism ${limits.maxParallelism}`,
    };
  const rates = scenarios.map(peakRate);
  const total = rates.reduce((a, b) => a + b, 0);
  if (total > limits.maxRate) {
    const worst = rates.indexOf(Math.max(...rates));
    const scenario = scenarios[worst];
    const where =
      field !== 'spec.scenarios'
        ? field
        : `${field}[${worst}].${scenario?.executor === 'constant-arrival-rate' ? 'rate' : 'stages'}`;
    return {
      field: where,
      message: `a peak of ${round(total)} requests/s exceeds ${baseline}'s limits.load.maxRate ${limits.maxRate}`,
    };
  }
  const vus = scenarios.map(peakVUs).reduce((a, b) => a + b, 0);
  if (vus > limits.maxVUs) {
    const worst = scenarios.map(peakVUs).indexOf(Math.max(...scenarios.map(peakVUs)));
    const where =
      field !== 'spec.scenarios'
        ? field
        : `${field}[${worst}].${scenarios[worst]?.executor === 'constant-vus' ? 'vus' : 'stages'}`;
    return { field: where, message: `${vus} virtual users exceed ${baseline}'s limits.load.maxVUs ${limits.maxVUs}` };
  }
  for (const [i, s] of scenarios.entries()) {
    const end = scenarioEndMs(s);
    if (end > limits.maxDurationMs) {
      const where =
        field === 'spec.scenarios' ? `${field}[${i}].${s.duration !== undefined ? 'duration' : 'stages'}` : field;
      return {
        field: where,
        message: `${round(end / 1000)} s exceeds ${baseline}'s limits.load.maxDuration ${round(limits.maxDurationMs / 1000)} s`,
      };
    }
  }
  const closed = closedRateExceeds(scenarios, total, limits, field, baseline);
  if (closed) return closed;
  for (const [i, s] of scenarios.entries()) {
    const budget = requestBudgetMs(s);
    if (budget > limits.maxDurationMs) {
      const where =
        field === 'spec.scenarios'
          ? `${field}[${i}].${ms(s.timeout, 10_000) > limits.maxDurationMs ? 'timeout' : 'retries'}`
          : field;
      return {
        field: where,
        message: `one request may take ${round(budget / 1000)} s (timeout × attempts + backoff), which a stalled service would hold the test for, beyond ${baseline}'s limits.load.maxDuration ${round(limits.maxDurationMs / 1000)} s`,
      };
    }
  }
  return undefined;
}

const round = (n: number): number => Math.round(n * 100) / 100;
