import type { Condition } from '../../api/common';
import type { DataSeedStatus } from '../../api/dataseed';
import { setCondition, setReconciling, setStalled } from '../../runtime/conditions';
import type { SeedProgress } from '../../seed/progress';

// The DataSeed status of each state, following kstatus: Ready is True once
// this generation's seed succeeded; Reconciling is present while a seed is
// queued or running; Stalled while the last attempt failed. Seeded says
// whether the target holds this generation's data. Status stays small:
// report fields (tables, totals, fidelity) describe the last finished seed,
// or the one running (totals so far), never an older spec's.

export const CONDITIONS = { ready: 'Ready', seeded: 'Seeded' } as const;

export interface StatusContext {
  previous: DataSeedStatus | undefined;
  generation: number;
  now: Date;
}

interface ConditionState {
  ready: { status: Condition['status']; reason: string; message: string };
  seeded: { status: Condition['status']; reason: string; message: string };
  reconciling: false | { reason: string; message: string };
  stalled: false | { reason: string; message: string };
}

function conditionsOf(ctx: StatusContext, state: ConditionState): Condition[] {
  const g = ctx.generation;
  let conditions = ctx.previous?.conditions ?? [];
  conditions = setCondition(conditions, { type: CONDITIONS.ready, ...state.ready, observedGeneration: g }, ctx.now);
  conditions = setCondition(conditions, { type: CONDITIONS.seeded, ...state.seeded, observedGeneration: g }, ctx.now);
  conditions = setReconciling(
    conditions,
    state.reconciling && { ...state.reconciling, observedGeneration: g },
    ctx.now,
  );
  conditions = setStalled(conditions, state.stalled && { ...state.stalled, observedGeneration: g }, ctx.now);
  return conditions;
}

/**
 * Only the last successful seed's time survives a new run: it is what `lastSeededAt` promises. So does the
 * golden it swapped in, which stays live (and schedules the next refresh) while a refresh runs or fails.
 */
function kept(previous: DataSeedStatus | undefined): Pick<DataSeedStatus, 'lastSeededAt' | 'golden'> {
  return {
    ...(previous?.lastSeededAt ? { lastSeededAt: previous.lastSeededAt } : {}),
    ...(previous?.golden ? { golden: previous.golden } : {}),
  };
}

type ReadyState = ConditionState['ready'];

/**
 * A scheduled refresh of a golden that this generation already filled: the
 * golden stays live and clones keep coming from it until the swap, so Ready
 * and Seeded stay True while Reconciling says a refresh is on its way.
 * Undefined for any other run, which is not ready until it succeeded.
 */
function liveGolden(ctx: StatusContext): { ready: ReadyState; seeded: ReadyState } | undefined {
  const previous = ctx.previous;
  const ready = previous?.conditions?.find((c) => c.type === CONDITIONS.ready);
  if (!previous?.golden || ready?.status !== 'True' || ready.observedGeneration !== ctx.generation) return undefined;
  const message = `golden ${previous.golden.database} is live (refreshed ${previous.golden.refreshedAt}); a refresh is running`;
  return {
    ready: { status: 'True', reason: ready.reason, message },
    seeded: { status: 'True', reason: 'Succeeded', message },
  };
}

export function pendingStatus(ctx: StatusContext, message: string): DataSeedStatus {
  const waiting = { reason: 'Queued', message };
  const live = liveGolden(ctx);
  return {
    phase: 'Pending',
    observedGeneration: ctx.generation,
    ...kept(ctx.previous),
    conditions: conditionsOf(ctx, {
      ready: live?.ready ?? { status: 'False', ...waiting },
      seeded: live?.seeded ?? { status: 'False', ...waiting },
      reconciling: waiting,
      stalled: false,
    }),
  };
}

/** Rows so far as totals, so `kubectl get dataseed` shows the count growing. */
export function runningStatus(
  ctx: StatusContext,
  message: string,
  progress?: Pick<SeedProgress, 'rows' | 'rowsPerSecond'> & { seconds: number },
): DataSeedStatus {
  const seeding = { reason: 'Seeding', message };
  const live = liveGolden(ctx);
  return {
    phase: 'Running',
    observedGeneration: ctx.generation,
    ...(progress
      ? {
          totals: {
            rows: progress.rows,
            seconds: Number(progress.seconds.toFixed(1)),
            rowsPerSecond: Math.round(progress.rowsPerSecond),
          },
        }
      : {}),
    ...kept(ctx.previous),
    conditions: conditionsOf(ctx, {
      ready: live?.ready ?? { status: 'False', ...seeding },
      seeded: live?.seeded ?? { status: 'False', ...seeding },
      reconciling: seeding,
      stalled: false,
    }),
  };
}

/** A one-line summary of a finished seed, for Ready's message and the Seeded Event. */
export function seededMessage(report: DataSeedStatus): string {
  const rows = report.totals?.rows;
  const parts = [
    rows === undefined
      ? 'seeded'
      : `seeded ${rows.toLocaleString('en-US')} rows into ${report.tables?.length ?? 0} tables in ${report.totals?.seconds ?? 0} s`,
  ];
  if (report.fidelity)
    parts.push(`fidelity ${report.fidelity.passed ? 'passed' : 'below the thresholds (not enforced)'}`);
  return parts.join('; ');
}

/** `report` is statusOfReport's result (phase, tables, totals, fidelity, lastSeededAt, ...). */
export function succeededStatus(
  ctx: StatusContext,
  report: DataSeedStatus,
  message = seededMessage(report),
): DataSeedStatus {
  return {
    ...report,
    phase: 'Succeeded',
    observedGeneration: ctx.generation,
    conditions: conditionsOf(ctx, {
      ready: { status: 'True', reason: 'Seeded', message },
      seeded: { status: 'True', reason: 'Succeeded', message },
      reconciling: false,
      stalled: false,
    }),
  };
}

export interface FailureForStatus {
  reason: string;
  message: string;
  /** Report fields of a seed that wrote its rows and then failed verification. */
  report?: DataSeedStatus;
  /** Appended to the Stalled message, e.g. "retrying in 20s". */
  next?: string;
  /** When the controller retries by itself; published so a StagingEnvironment can tell waiting from failed. */
  retryAt?: Date;
}

export function failedStatus(ctx: StatusContext, failure: FailureForStatus): DataSeedStatus {
  const {
    phase: _phase,
    lastSeededAt: _last,
    conditions: _conditions,
    observedGeneration: _generation,
    ...report
  } = failure.report ?? {};
  const detail = { reason: failure.reason, message: failure.message };
  const stalledMessage = failure.next ? `${failure.message} (${failure.next})` : failure.message;
  return {
    ...report,
    phase: 'Failed',
    observedGeneration: ctx.generation,
    ...kept(ctx.previous),
    ...(failure.retryAt ? { nextAttemptAt: failure.retryAt.toISOString() } : {}),
    conditions: conditionsOf(ctx, {
      ready: { status: 'False', ...detail },
      seeded: { status: 'False', ...detail },
      reconciling: false,
      stalled: { reason: failure.reason, message: stalledMessage },
    }),
  };
}

export function invalidSpecStatus(ctx: StatusContext, message: string): DataSeedStatus {
  return failedStatus(ctx, { reason: 'InvalidSpec', message });
}

/** "20s", "5m": how a retry delay reads in a condition message. */
export function humanDelay(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s}s` : `${Math.round(s / 60)}m`;
}
