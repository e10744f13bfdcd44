import { type LoadScenario, OPEN_EXECUTORS } from '../api/load-scenario';
import { parseDuration } from '../api/values/duration';
import { type RetryPolicy, NO_RETRY } from './client';
import { type ExecutionSegment, type Segment, plannedIterations, totalDurationMs } from './schedule';

// A validated scenario turned into numbers the executors run on: stages in
// milliseconds, this worker's share of the in-flight and connection limits.

export type Plan =
  | { model: 'open'; startRate: number; stages: Segment[]; maxInFlight: number; requestedRate: number }
  | { model: 'closed'; startVUs: number; stages: Segment[]; thinkTimeMs: number };

export interface ScenarioPlan {
  name: string;
  executor: string;
  startDelayMs: number;
  durationMs: number;
  connections: number;
  timeoutMs: number;
  retry: RetryPolicy;
  plan: Plan;
}

export function ms(text: string | undefined, fallback = 0): number {
  if (text === undefined) return fallback;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.milliseconds;
}

function stagesOf(scenario: LoadScenario): Segment[] {
  return (scenario.stages ?? []).map((s) => ({ durationMs: ms(s.duration), target: s.target }));
}

/** This worker's share of a limit: limits are per test, split like k6 splits maxVUs. */
function share(limit: number, segment: ExecutionSegment): number {
  return Math.max(1, Math.ceil(limit / segment.count));
}

export function planScenario(scenario: LoadScenario, segment: ExecutionSegment): ScenarioPlan {
  const timeoutMs = ms(scenario.timeout, 10_000);
  const retry: RetryPolicy = scenario.retries
    ? { max: scenario.retries.max, on: new Set(scenario.retries.on), backoffMs: ms(scenario.retries.backoff) }
    : NO_RETRY;
  const base = {
    name: scenario.name,
    executor: scenario.executor,
    startDelayMs: ms(scenario.startTime),
    timeoutMs,
    retry,
  };
  if (OPEN_EXECUTORS.includes(scenario.executor)) {
    const constant = scenario.executor === 'constant-arrival-rate';
    const rate = scenario.rate ?? 0;
    const stages = constant ? [{ durationMs: ms(scenario.duration), target: rate }] : stagesOf(scenario);
    const startRate = constant ? rate : (scenario.startRate ?? 0);
    const durationMs = totalDurationMs(stages);
    const requestedRate = durationMs > 0 ? plannedIterations(startRate, stages) / (durationMs / 1000) : 0;
    return {
      ...base,
      durationMs,
      connections: share(scenario.connections ?? 64, segment),
      plan: { model: 'open', startRate, stages, maxInFlight: share(scenario.maxInFlight, segment), requestedRate },
    };
  }
  const constant = scenario.executor === 'constant-vus';
  const stages = constant ? [{ durationMs: ms(scenario.duration), target: scenario.vus ?? 1 }] : stagesOf(scenario);
  const startVUs = constant ? (scenario.vus ?? 1) : (scenario.startVUs ?? 0);
  const peakVUs = Math.max(startVUs, ...stages.map((s) => s.target));
  return {
    ...base,
    durationMs: totalDurationMs(stages),
    // Closed models keep one long-lived connection per virtual user unless told otherwise.
    connections: share(scenario.connections ?? Math.max(1, peakVUs), segment),
    plan: { model: 'closed', startVUs, stages, thinkTimeMs: ms(scenario.thinkTime) },
  };
}
