// When each iteration of an open model is due. The rate is piecewise linear
// (k6's ramping-arrival-rate: each stage moves linearly from the previous
// target to its own), so the number of iterations due by time t is the
// integral of the rate, and the k-th iteration is due when that integral
// reaches k. Times come from this plan, never from when the previous request
// finished: that is what keeps a stalled server from hiding its stall.

/** A stage in milliseconds and iterations per second. */
export interface Segment {
  durationMs: number;
  /** Rate at the stage's end; it starts at the previous stage's end rate. */
  target: number;
}

/** Worker `index` of `count` takes every count-th iteration (k6's execution segments, striped). */
export interface ExecutionSegment {
  index: number;
  count: number;
}

export const WHOLE: ExecutionSegment = { index: 0, count: 1 };

export function checkSegment(segment: ExecutionSegment): void {
  if (!Number.isInteger(segment.count) || segment.count < 1)
    throw new Error(`worker count ${segment.count}: must be a positive integer`);
  if (!Number.isInteger(segment.index) || segment.index < 0 || segment.index >= segment.count)
    throw new Error(`worker index ${segment.index}: must be in 0..${segment.count - 1}`);
}

/** Iterations due in [0, t) seconds of a stage going linearly from r0 to r1 over d seconds. */
function dueWithin(r0: number, r1: number, d: number, t: number): number {
  return r0 * t + ((r1 - r0) * t * t) / (2 * d);
}

/** The time t in [0, d] at which `n` iterations of the stage are due (n ≤ the stage's total). */
function timeOfDue(r0: number, r1: number, d: number, n: number): number {
  const a = (r1 - r0) / (2 * d);
  if (n <= 0) return 0;
  // The root of a t² + r0 t - n = 0 written so it is stable when a is tiny or negative.
  const discriminant = Math.max(0, r0 * r0 + 4 * a * n);
  const denominator = r0 + Math.sqrt(discriminant);
  return denominator > 0 ? (2 * n) / denominator : d;
}

/** Total iterations the plan calls for (all workers together). */
export function plannedIterations(startRate: number, stages: readonly Segment[]): number {
  let total = 0;
  let rate = startRate;
  for (const stage of stages) {
    total += dueWithin(rate, stage.target, stage.durationMs / 1000, stage.durationMs / 1000);
    rate = stage.target;
  }
  return total;
}

export function totalDurationMs(stages: readonly Segment[]): number {
  return stages.reduce((sum, s) => sum + s.durationMs, 0);
}

/**
 * Offsets in milliseconds from the start at which this worker's iterations are
 * due, in order. Iteration k (0, 1, 2, ...) is due when the integral of the
 * rate reaches k; worker i of N takes the iterations with k mod N = i, so the
 * workers' plans together are exactly the one-worker plan.
 */
export function* arrivalOffsets(
  startRate: number,
  stages: readonly Segment[],
  segment: ExecutionSegment = WHOLE,
): Generator<number> {
  checkSegment(segment);
  let k = segment.index;
  let before = 0; // iterations due before the current stage
  let stageStartMs = 0;
  let rate = startRate;
  for (const stage of stages) {
    const d = stage.durationMs / 1000;
    if (d > 0) {
      const inStage = dueWithin(rate, stage.target, d, d);
      // Small tolerance so a stage that should hold exactly n iterations does not gain one from rounding.
      while (k < before + inStage - 1e-9) {
        yield stageStartMs + timeOfDue(rate, stage.target, d, k - before) * 1000;
        k += segment.count;
      }
      before += inStage;
    }
    stageStartMs += stage.durationMs;
    rate = stage.target;
  }
}

/** Closed models: virtual users wanted at `offsetMs`, moving linearly between stage targets (k6's ramping-vus). */
export function vusAt(startVUs: number, stages: readonly Segment[], offsetMs: number): number {
  let from = startVUs;
  let start = 0;
  for (const stage of stages) {
    if (offsetMs < start + stage.durationMs) {
      const progress = stage.durationMs === 0 ? 1 : (offsetMs - start) / stage.durationMs;
      return Math.round(from + (stage.target - from) * progress);
    }
    start += stage.durationMs;
    from = stage.target;
  }
  return 0;
}

/** Worker i of N runs its share of `total` virtual users: the first (total mod N) workers take one more. */
export function shareOf(total: number, segment: ExecutionSegment): number {
  checkSegment(segment);
  return Math.floor(total / segment.count) + (segment.index < total % segment.count ? 1 : 0);
}
