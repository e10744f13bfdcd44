import { type DataSeedSpec, type DataSeedStatus, runnerOf } from '../../api/dataseed';
import { Kinds } from '../../kinds';
import { namespacedKey } from '../../runtime/object-key';
import type { OperatorMetrics } from '../../metrics/operator-metrics';
import type { EventType } from '../../runtime/events';
import { isNotFound } from '../../runtime/kube-errors';
import type { ReconcileContext, Result } from '../../runtime/reconciler';
import { writeStatus } from '../../runtime/status';
import {
  failureIsNews,
  MAX_REFRESH_REQUEUE_MS,
  refreshDueAtMs,
  rememberFailure,
  retryPolicyOf,
  type RetryMemory,
} from './decide';
import type { Failure } from './failure';
import { type DataSeedObject, generationOf, parseSpec, storedStatus } from './spec';
import { failedStatus, humanDelay, succeededStatus, type StatusContext } from './status';

// Writes a DataSeed's status and the Events of its transitions, and keeps
// this process's memory of failures in a row (the backoff of retries).

export interface SeedEvent {
  type: EventType;
  reason: string;
  message: string;
}

export const EVENTS = {
  started: 'SeedingStarted',
  seeded: 'Seeded',
  failed: 'SeedFailed',
  invalid: 'InvalidSpec',
} as const;

export function keyOf(obj: DataSeedObject): string {
  return namespacedKey(obj.metadata?.namespace, obj.metadata?.name ?? '');
}

export class StatusReporter {
  private readonly retries = new Map<string, RetryMemory>();

  constructor(
    readonly now: () => Date,
    private readonly random?: () => number,
    private readonly metrics?: OperatorMetrics,
  ) {}

  context(obj: DataSeedObject, now: Date = this.now()): StatusContext {
    return { previous: storedStatus(obj), generation: generationOf(obj), now };
  }

  memory(key: string): RetryMemory | undefined {
    return this.retries.get(key);
  }

  forget(key: string): void {
    this.retries.delete(key);
  }

  /** Writes the status (nothing when unchanged), then the Events; false when the DataSeed is gone. */
  async write(
    ctx: ReconcileContext,
    obj: DataSeedObject,
    status: DataSeedStatus,
    events: readonly SeedEvent[] = [],
  ): Promise<boolean> {
    let written: DataSeedObject;
    try {
      ({ object: written } = await writeStatus<unknown, DataSeedObject>(ctx.client, obj, status));
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
    const regarding = {
      ...written,
      apiVersion: obj.apiVersion ?? Kinds.DataSeed.apiVersion,
      kind: obj.kind ?? Kinds.DataSeed.kind,
    };
    for (const event of events) await ctx.recorder.event(regarding, event.type, event.reason, event.message);
    return true;
  }

  /** Ready True and Seeded True; the failures in a row are over. */
  async succeed(ctx: ReconcileContext, obj: DataSeedObject, report: DataSeedStatus, message?: string): Promise<Result> {
    const sc = this.context(obj);
    const status = succeededStatus(sc, report, message);
    const ready = status.conditions?.find((c) => c.type === 'Ready');
    const before = sc.previous?.conditions?.find((c) => c.type === 'Ready');
    // A golden's refresh succeeds with Ready already True: still news (an Event, a metric).
    const refreshed = sc.previous?.conditions?.some((c) => c.type === 'Reconciling' && c.status === 'True') ?? false;
    const news = refreshed || !(before?.status === 'True' && before.observedGeneration === sc.generation);
    const events: SeedEvent[] = news
      ? [{ type: 'Normal', reason: EVENTS.seeded, message: ready?.message ?? 'seeded' }]
      : [];
    await this.write(ctx, obj, status, events);
    if (news)
      this.metrics?.seedFinished({
        runner: runnerName(obj),
        succeeded: true,
        ...(report.totals ? { rows: report.totals.rows, seconds: report.totals.seconds } : {}),
      });
    this.retries.delete(keyOf(obj));
    ctx.log.info({ generation: sc.generation, rows: report.totals?.rows }, 'seeded');
    return this.nextRefresh(obj, status, sc.generation);
  }

  /** spec.golden.refreshInterval: come back when the next refresh is due (decideStart starts it). */
  private nextRefresh(obj: DataSeedObject, status: DataSeedStatus, generation: number): Result {
    const parsed = parseSpec(obj.spec);
    const due = parsed.ok ? refreshDueAtMs(parsed.spec, status, generation) : undefined;
    if (due === undefined) return {};
    return { requeueAfterMs: Math.min(Math.max(due - this.now().getTime(), 1_000), MAX_REFRESH_REQUEUE_MS) };
  }

  /**
   * Ready False, Stalled True with the reason; a Warning Event when the
   * failure is news; a retry after the backoff when the reason allows one.
   */
  async fail(ctx: ReconcileContext, obj: DataSeedObject, failure: Failure): Promise<Result> {
    const key = keyOf(obj);
    const now = this.now();
    const sc = this.context(obj, now);
    const previous = this.retries.get(key);
    const memory = rememberFailure(previous, sc.generation, failure.reason, now.getTime(), this.random);
    const delay = memory.retryAtMs === undefined ? undefined : memory.retryAtMs - now.getTime();
    const next = delay === undefined ? undefined : `attempt ${memory.attempts}; retrying in ${humanDelay(delay)}`;
    const status = failedStatus(sc, {
      ...failure,
      ...(next && memory.retryAtMs !== undefined ? { next, retryAt: new Date(memory.retryAtMs) } : {}),
    });
    const news = failureIsNews(sc.previous, previous, sc.generation, failure.reason);
    const events: SeedEvent[] = news
      ? [
          {
            type: 'Warning',
            reason: failure.reason === 'InvalidSpec' ? EVENTS.invalid : EVENTS.failed,
            message: `${failure.reason}: ${failure.message}`,
          },
        ]
      : [];
    if (!(await this.write(ctx, obj, status, events))) return {};
    if (news) this.metrics?.seedFinished({ runner: runnerName(obj), succeeded: false, reason: failure.reason });
    this.retries.set(key, memory);
    ctx.log.info(
      { generation: sc.generation, reason: failure.reason, attempts: memory.attempts, retryInMs: delay },
      'seed failed',
    );
    if (delay !== undefined) return { requeueAfterMs: delay };
    // Not retried by itself: a golden with a refreshInterval still tries again an interval later.
    return retryPolicyOf(failure.reason) === 'never' ? this.nextRefresh(obj, status, sc.generation) : {};
  }
}

/** Inline or Job, for the seed metrics; Unknown for a spec too broken to say. */
function runnerName(obj: DataSeedObject): string {
  try {
    return runnerOf(obj.spec as DataSeedSpec);
  } catch {
    return 'Unknown';
  }
}
