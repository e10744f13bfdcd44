import {
  InvalidParitySpecError,
  type ParityCheckSpec,
  type ParityCheckStatus,
  ParityCheckStatusSchema,
  parseParityCheckSpec,
} from '../../api/paritycheck';
import { parseDuration } from '../../api/values/duration';
import { refusalOf } from '../../parity/check';
import type { KubernetesObject } from '../../runtime/client-node';
import { readySince } from './environments';
import type { Blocked, Resolution } from './resolve';
import { decideRun, type RunWhy } from './schedule';

export type ParityCheckObject = KubernetesObject & { spec?: unknown; status?: unknown };

/** Shorter intervals would keep databases and Prometheus busy for nothing. */
export const MIN_INTERVAL_MS = 1_000;

export type Plan =
  | { kind: 'invalid'; message: string; status: ParityCheckStatus | undefined }
  | { kind: 'blocked'; blocked: Blocked; spec: ParityCheckSpec; status: ParityCheckStatus | undefined }
  | { kind: 'wait'; spec: ParityCheckSpec; resolution: Resolution; requeueAfterMs?: number }
  | {
      kind: 'run';
      spec: ParityCheckSpec;
      resolution: Resolution;
      intervalMs: number | undefined;
      status: ParityCheckStatus | undefined;
      why: RunWhy;
      environmentReadySince: string | undefined;
    };

/**
 * The status as the operator last wrote it; anything else (an older
 * version's shape, a hand edit) counts as no status, so the check simply
 * runs again rather than failing on it.
 */
export function storedStatus(obj: ParityCheckObject): ParityCheckStatus | undefined {
  const parsed = ParityCheckStatusSchema.safeParse(obj.status);
  return parsed.success && obj.status !== undefined ? parsed.data : undefined;
}

export function intervalMs(spec: ParityCheckSpec): number | undefined {
  if (spec.interval === undefined) return undefined;
  const parsed = parseDuration(spec.interval);
  if (!parsed.ok) throw new InvalidParitySpecError(`spec.interval: ${parsed.message}`);
  if (parsed.milliseconds < MIN_INTERVAL_MS)
    throw new InvalidParitySpecError(`spec.interval: must be at least 1s; got ${spec.interval}`);
  return parsed.milliseconds;
}

/**
 * What one reconcile of this object should do. `resolve` decides, from
 * caches only, whether the check may read anything at all (its Baseline, its
 * staging and production namespaces); it is asked on every reconcile, so a
 * Baseline that stops allowing the namespace blocks the check at once, even
 * between runs.
 */
export function planFor(
  obj: ParityCheckObject,
  now: Date,
  resolve: (spec: ParityCheckSpec) => Blocked | Resolution,
): Plan {
  const status = storedStatus(obj);
  let spec: ParityCheckSpec;
  let interval: number | undefined;
  try {
    spec = parseParityCheckSpec(obj.spec);
    interval = intervalMs(spec);
  } catch (err) {
    if (err instanceof InvalidParitySpecError) return { kind: 'invalid', message: err.message, status };
    throw err;
  }
  const resolution = resolve(spec);
  if (!resolution.ok) return { kind: 'blocked', blocked: resolution, spec, status };
  // A spec that compares nothing or ignores everything is refused like a bad field, before anything is read.
  const refusal = refusalOf(spec, { prometheus: resolution.baseline.spec.data?.prometheus !== undefined });
  if (refusal !== undefined) return { kind: 'invalid', message: refusal, status };
  const since = readySince(resolution.staging.environment);
  const decision = decideRun(status, obj.metadata?.generation, interval, now, since);
  if (!decision.run)
    return {
      kind: 'wait',
      spec,
      resolution,
      ...(decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs }),
    };
  return {
    kind: 'run',
    spec,
    resolution,
    intervalMs: interval,
    status,
    why: decision.why,
    environmentReadySince: since,
  };
}
