import type { Gauge } from 'prom-client';
import type { ParityCheckStatus } from '../../api/paritycheck';
import { Kinds } from '../../kinds';
import { TenantNetwork } from '../../runtime/tenant-network';
import type { OperatorMetrics } from '../../metrics/operator-metrics';
import type { BehaviourObservation } from '../../parity/behaviour/evaluate';
import { runParityCheck } from '../../parity/check';
import type { ParityEvent } from '../../parity/events';
import {
  type VerdictGauge,
  forgetParityFindings,
  forgetParityVerdict,
  recordParityFindings,
  recordParityVerdict,
} from '../../parity/metrics';
import { isNotFound } from '../../runtime/kube-errors';
import type { ReconcileContext, Reconciler, Request, Result } from '../../runtime/reconciler';
import { writeStatus } from '../../runtime/status';
import { alreadyBlocked, blockedOutcome, blockedRetryMs } from './blocked';
import { invalidSpecOutcome } from './invalid-spec';
import { type ParityCheckObject, type Plan, planFor, storedStatus } from './plan';
import { openProduction } from './production';
import { resolveCheck, type Blocked } from './resolve';
import { runSources } from './run-sources';
import { decideRun } from './schedule';

export type FindingsGauge = Gauge<'namespace' | 'name' | 'category' | 'severity'>;

export interface ParityCheckReconcilerOptions {
  /** understudy_parity_findings, on the manager's registry. */
  gauge: FindingsGauge;
  /** understudy_parity_verdict, on the manager's registry. */
  verdictGauge?: VerdictGauge;
  /** Where admins put kubeconfigs of other clusters (a Baseline's source.cluster). */
  operatorNamespace: string;
  now?: () => Date;
  /** Per-service behaviour medians of each run (understudy_parity_behaviour_value). */
  metrics?: OperatorMetrics;
  /** Where the staging side's database may be; absent, anywhere but the operator's own pod and node. */
  tenantNetwork?: TenantNetwork;
}

function requeue(requeueAfterMs: number | undefined): Result {
  return requeueAfterMs === undefined ? {} : { requeueAfterMs };
}

type RunPlan = Extract<Plan, { kind: 'run' }>;

/**
 * Thin: reads the ParityCheck, resolves it from caches (its Baseline must
 * allow it, its namespaces must exist — else Stalled, and nothing is read),
 * decides whether it is due, runs the engine over sources built for this run
 * only (closed before the status is written), writes the status, emits the
 * engine's transition events and sets the metric. Everything it needs to
 * decide lives in the status, so a restart neither loses a schedule nor
 * re-runs every check at once.
 */
export class ParityCheckReconciler implements Reconciler {
  private readonly now: () => Date;
  private readonly tenantNetwork: TenantNetwork;

  constructor(private readonly options: ParityCheckReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.tenantNetwork = options.tenantNetwork ?? new TenantNetwork();
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const cached = ctx.cache(Kinds.ParityCheck).get(req.namespace, req.name);
    if (!cached || cached.metadata?.deletionTimestamp) return this.gone(req);
    const first = this.plan(req, cached, ctx);
    if (first.kind === 'wait') return requeue(first.requeueAfterMs);
    if (first.kind === 'blocked' && alreadyBlocked(storedStatus(cached), first.blocked, cached.metadata?.generation))
      return requeue(blockedRetryMs(first.blocked));

    // The cache may not hold our own last status write yet: decide again on the object as stored, so a check never runs twice for one due time.
    const live = await ctx.client.get<ParityCheckObject>({
      ...Kinds.ParityCheck,
      namespace: req.namespace,
      name: req.name,
    });
    if (!live || live.metadata?.deletionTimestamp) return this.gone(req);
    const plan = this.plan(req, live, ctx);
    const now = this.now();
    const generation = live.metadata?.generation;
    switch (plan.kind) {
      case 'wait':
        return requeue(plan.requeueAfterMs);
      case 'invalid': {
        const { status, events } = invalidSpecOutcome(plan.status, plan.message, now, generation);
        ctx.log.info({ reason: plan.message }, 'spec refused');
        // The last run's numbers no longer describe this spec.
        this.forgetMetrics(req);
        return this.report(ctx, live, status, events, {});
      }
      case 'blocked':
        return this.block(req, ctx, live, plan.status, plan.blocked);
      case 'run':
        return this.runPlan(req, ctx, live, plan);
    }
  }

  private plan(req: Request, obj: ParityCheckObject, ctx: ReconcileContext): Plan {
    return planFor(obj, this.now(), (spec) => resolveCheck(ctx, spec, req.namespace));
  }

  private async block(
    req: Request,
    ctx: ReconcileContext,
    live: ParityCheckObject,
    previous: ParityCheckStatus | undefined,
    blocked: Blocked,
  ): Promise<Result> {
    const { status, events } = blockedOutcome(previous, blocked, this.now(), live.metadata?.generation);
    ctx.log.info({ reason: blocked.reason, message: blocked.message }, 'check blocked');
    this.forgetMetrics(req);
    this.options.metrics?.behaviourForgotten(req);
    return this.report(ctx, live, status, events, requeue(blockedRetryMs(blocked)));
  }

  private async runPlan(req: Request, ctx: ReconcileContext, live: ParityCheckObject, plan: RunPlan): Promise<Result> {
    const production = await openProduction(ctx, plan.resolution.baseline, this.options.operatorNamespace);
    if (!production.ok) return this.block(req, ctx, live, plan.status, production);
    const now = this.now();
    const generation = live.metadata?.generation;
    const started = Date.now();
    const { check, built } = await runSources(
      ctx,
      plan.spec,
      req.namespace,
      plan.resolution,
      production,
      this.tenantNetwork,
    );
    let result: Awaited<ReturnType<typeof runParityCheck>>;
    const behaviour: BehaviourObservation[] = [];
    try {
      // Sources live for one run: connections are opened by it and closed before the status is written, never held between runs.
      result = await runParityCheck(check, built.sources, plan.status, now, {
        ...(generation === undefined ? {} : { generation }),
        observeBehaviour: (o) => behaviour.push(o),
      });
    } finally {
      await built.close();
    }
    if (plan.environmentReadySince !== undefined) result.status.environmentReadySince = plan.environmentReadySince;
    else delete result.status.environmentReadySince;
    const verdict = result.status.summary?.verdict;
    ctx.log.info(
      {
        why: plan.why,
        verdict,
        findings: result.findings.length,
        requests: result.requests,
        tookMs: Date.now() - started,
      },
      'parity check ran',
    );
    recordParityFindings(this.options.gauge, req, result.metrics);
    if (this.options.verdictGauge && verdict) recordParityVerdict(this.options.verdictGauge, req, verdict);
    this.options.metrics?.behaviourObserved(
      req,
      behaviour.map((o) => ({ check: req, metric: o.query, service: o.service, side: o.side, value: o.value })),
    );
    const next = decideRun(result.status, generation, plan.intervalMs, now, plan.environmentReadySince);
    return this.report(
      ctx,
      live,
      result.status,
      result.events,
      next.run ? { requeue: true } : requeue(next.requeueAfterMs),
    );
  }

  private async report(
    ctx: ReconcileContext,
    obj: ParityCheckObject,
    status: ParityCheckStatus,
    events: ParityEvent[],
    result: Result,
  ): Promise<Result> {
    let written: ParityCheckObject;
    try {
      ({ object: written } = await writeStatus<unknown, ParityCheckObject>(ctx.client, obj, status));
    } catch (err) {
      // Deleted while the check ran: nothing left to report on.
      if (isNotFound(err))
        return this.gone({ namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
      throw err;
    }
    const regarding = {
      ...written,
      apiVersion: obj.apiVersion ?? Kinds.ParityCheck.apiVersion,
      kind: obj.kind ?? Kinds.ParityCheck.kind,
    };
    for (const event of events) await ctx.recorder.event(regarding, event.type, event.reason, event.message);
    return result;
  }

  private gone(req: Request): Result {
    this.forgetMetrics(req);
    return {};
  }

  /** The last run's numbers no longer describe the check. */
  private forgetMetrics(req: Request): void {
    forgetParityFindings(this.options.gauge, req);
    if (this.options.verdictGauge) forgetParityVerdict(this.options.verdictGauge, req);
  }
}
