import type { OperatorMetrics } from '../../metrics/operator-metrics';
import type { ReconcileContext, Reconciler, Request, Result } from '../../runtime/reconciler';
import { act, RESYNC_MS, type Acted } from './act';
import { BaselineReader } from './baseline';
import { decide, type Decision } from './decide';
import { FINALIZER, type EnvironmentObject, sweepOrphans } from './lifecycle';
import { type Subject, whoAmI } from './namespace-access';
import { observe } from './observe';
import { PlanMemo, type Planned } from './plan-memo';
import { report, statusOf } from './report';
import { cacheOf, NAMESPACE_REF } from './watches';
import { hasFinalizer } from '../../runtime/finalizers';
import { namespacedKey } from '../../runtime/object-key';

// One reconcile in four steps, as cert-manager's controllers read:
//   observe (observe.ts)  gather the environment, its Baseline, the target
//                         namespace and what lives there into a snapshot;
//   decide  (decide.ts)   a pure function of the snapshot: what to do;
//   act     (act.ts)      the writes the decision calls for;
//   report  (report.ts)   the status they come to, written only when changed.
// The spec goes into the pure core twice, each time one way: resolved within
// its Baseline (environment/copy-spec) to know what to read, then planned
// (environment/plan) to know what to write. Everything is validated and
// planned before the first write, so a bad spec or a missing Baseline writes
// nothing but status.

const APPLIED_RECHECK_MS = 5_000;
const REMOTE_BASELINE_RESYNC_MS = 5 * 60_000;
const MAX_REQUEUE_MS = 60 * 60_000;

export interface StagingEnvironmentReconcilerOptions {
  /** The namespaces the operator watches (undefined: all), so sweeping stays within them. */
  namespaces: readonly string[] | undefined;
  /** The operator's namespace: remote Baselines' kubeconfig Secrets, and the tombstones of expired environments. */
  operatorNamespace: string;
  /** The ClusterRole the operator binds itself in each namespace it creates, to read the Secrets it wrote there. */
  managedNamespaceRole: string;
  now?: () => Date;
  /** Environments by phase, time to Ready, expirations and cleanups (understudy_environment*). */
  metrics?: OperatorMetrics;
}

export class StagingEnvironmentReconciler implements Reconciler {
  private readonly baselines: BaselineReader;
  private readonly plans = new PlanMemo();
  private readonly prunedAt = new WeakMap<Planned, number>();
  private readonly now: () => Date;
  private whoAmI: Promise<Subject> | undefined;

  constructor(private readonly options: StagingEnvironmentReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.baselines = new BaselineReader(options.operatorNamespace);
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const env = ctx.primary.get(req.namespace, req.name) as EnvironmentObject | undefined;
    if (!env) {
      this.forget(req);
      // Gone: whatever namespace is still made for it is an orphan.
      return sweepOrphans(
        req,
        {
          client: ctx.client,
          log: ctx.log,
          namespaces: cacheOf(ctx, NAMESPACE_REF),
          ...(this.options.metrics ? { metrics: this.options.metrics } : {}),
        },
        this.options.namespaces,
      );
    }
    const observed = await observe(env, ctx, {
      baselines: this.baselines,
      operatorNamespace: this.options.operatorNamespace,
      now: this.now,
    });
    const decision = decide(observed, this.plans);
    ctx.log.debug({ action: decision.action, ...('reason' in decision ? { reason: decision.reason } : {}) }, 'decided');
    const acted = await act(decision, observed, ctx, {
      identity: () => this.identity(ctx),
      managedNamespaceRole: this.options.managedNamespaceRole,
      operatorNamespace: this.options.operatorNamespace,
      prunedAt: this.prunedAt,
      now: this.now,
    });
    // After a finalizer was added the status is written against the object as it is now (its resourceVersion guards the write).
    const current = acted.action === 'provision' || acted.action === 'stalledApply' ? acted.env : env;
    await report(current, ctx, statusOf(decision, observed, acted), this.options.metrics);
    if (decision.action === 'finalize') {
      const done = acted.result.requeueAfterMs === undefined;
      if (hasFinalizer(env, FINALIZER) && done) this.options.metrics?.environmentCleanedUp('finalized');
      if (!hasFinalizer(env, FINALIZER) || done) this.forget(req);
    }
    const result = this.next(decision, acted);
    ctx.log.debug({ action: acted.action, result }, 'acted');
    return result;
  }

  /** When to look again: at expiry, at the resync, and soon after writing workloads (their watch event should come first). */
  private next(decision: Decision, acted: Acted): Result {
    if (decision.action !== 'provision' || acted.action !== 'provision') return acted.result;
    const untilExpiry = decision.expiresAt
      ? Math.max(1, decision.expiresAt.getTime() - this.now().getTime())
      : undefined;
    const delays = [
      untilExpiry,
      decision.remote ? REMOTE_BASELINE_RESYNC_MS : RESYNC_MS,
      acted.written.size > 0 ? APPLIED_RECHECK_MS : undefined,
    ].filter((d): d is number => d !== undefined);
    return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, ...delays) };
  }

  private identity(ctx: ReconcileContext): Promise<Subject> {
    this.whoAmI ??= whoAmI(ctx.client).catch((error: unknown) => {
      this.whoAmI = undefined;
      throw error;
    });
    return this.whoAmI;
  }

  private forget(req: Request): void {
    this.options.metrics?.environmentForgotten(req);
    this.plans.forget(namespacedKey(req.namespace, req.name));
  }
}
