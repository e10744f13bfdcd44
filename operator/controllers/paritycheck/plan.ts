import { InvalidParitySpecError, type ParityCheckSpec, type ParityCheckStatus, ParityCheckStatusSchema, parseParityCheckSpec } from '../../api/paritycheck';
import { parseDuration } from '../../environment/duration';
import type { KubernetesObject } from '../../runtime/client-node';
import { decideRun, type RunWhy } from './schedule';

export type ParityCheckObject = KubernetesObject & { spec?: unknown; status?: unknown };

/** Shorter intervals would keep databases and Prometheus busy for nothing. */
export const MIN_INTERVAL_MS = 1_000;

export type Plan =
  | { kind: 'invalid'; message: string; status: ParityCheckStatus | undefined }
  | { kind: 'wait'; requeueAfterMs?: number }
  | { kind: 'run'; spec: ParityCheckSpec; intervalMs: number | undefined; status: ParityCheckStatus | undefined; why: RunWhy; environmentReadySince: string | undefined };

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
  if (parsed.milliseconds < MIN_INTERVAL_MS) throw new InvalidParitySpecError(`spec.interval: must be at least 1s; got ${spec.interval}`);
  return parsed.milliseconds;
}

/**
 * What one reconcile of this object should do, decided from the object and,
 * when it names a StagingEnvironment, the time that environment last became Ready.
 */
export function planFor(obj: ParityCheckObject, now: Date, environmentReadySince: (spec: ParityCheckSpec) => string | undefined = () => undefined): Plan {
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
  const decision = decideRun(status, obj.metadata?.generation, interval, now, environmentReadySince(spec));
  if (!decision.run) return decision.requeueAfterMs === undefined ? { kind: 'wait' } : { kind: 'wait', requeueAfterMs: decision.requeueAfterMs };
  return { kind: 'run', spec, intervalMs: interval, status, why: decision.why, environmentReadySince: environmentReadySince(spec) };
}
