import type { Gauge } from 'prom-client';
import { API_VERSION } from '../../api/common';
import type { ParityCheckSpec, ParityCheckStatus } from '../../api/paritycheck';
import { runParityCheck } from '../../parity/check';
import type { ParityEvent } from '../../parity/events';
import { forgetParityFindings, recordParityFindings } from '../../parity/metrics';
import { buildSources } from '../../parity/sources/build';
import { KubeClusterReader } from '../../parity/sources/cluster-reader';
import { isNotFound } from '../../runtime/kube-errors';
import type { ReconcileContext, Reconciler, Request, Result } from '../../runtime/reconciler';
import { writeStatus } from '../../runtime/status';
import { EnvironmentIndex, STAGING_ENVIRONMENT_REF, environmentKeyOf, environmentReadySince } from './environments';
import { invalidSpecOutcome } from './invalid-spec';
import { type ParityCheckObject, planFor } from './plan';
import { parseParityCheckSpec } from '../../api/paritycheck';
import { decideRun } from './schedule';

export const PARITY_CHECK_REF = { apiVersion: API_VERSION, kind: 'ParityCheck' } as const;

export type FindingsGauge = Gauge<'namespace' | 'name' | 'category' | 'severity'>;

export interface ParityCheckReconcilerOptions {
  /** understudy_parity_findings, on the manager's registry. */
  gauge: FindingsGauge;
  now?: () => Date;
  /** Which checks name which StagingEnvironment, shared with the controller's watch on environments. */
  environments?: EnvironmentIndex;
}

function requeue(requeueAfterMs: number | undefined): Result {
  return requeueAfterMs === undefined ? {} : { requeueAfterMs };
}

/**
 * Thin: reads the ParityCheck, decides whether it is due, runs the engine
 * over sources built for this run only (closed before the status is
 * written), writes the status, emits the engine's transition events and
 * sets the metric. Everything it needs to decide lives in the status, so
 * a restart neither loses a schedule nor re-runs every check at once.
 */
export class ParityCheckReconciler implements Reconciler {
  private readonly now: () => Date;
  private readonly environments: EnvironmentIndex;

  constructor(private readonly options: ParityCheckReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.environments = options.environments ?? new EnvironmentIndex();
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const cached = ctx.primary.get(req.namespace, req.name) as ParityCheckObject | undefined;
    if (!cached || cached.metadata?.deletionTimestamp) return this.gone(req);
    this.remember(req, cached);
    const readySince = environmentReadySince(environmentCache(ctx), req.namespace);
    const first = planFor(cached, this.now(), readySince);
    if (first.kind === 'wait') return requeue(first.requeueAfterMs);

    // The cache may not hold our own last status write yet: decide again on the object as stored, so a check never runs twice for one due time.
    const live = await ctx.client.get<ParityCheckObject>({ ...PARITY_CHECK_REF, namespace: req.namespace, name: req.name });
    if (!live || live.metadata?.deletionTimestamp) return this.gone(req);
    const now = this.now();
    const plan = planFor(live, now, readySince);
    const generation = live.metadata?.generation;
    if (plan.kind === 'wait') return requeue(plan.requeueAfterMs);
    if (plan.kind === 'invalid') {
      const { status, events } = invalidSpecOutcome(plan.status, plan.message, now, generation);
      ctx.log.info({ reason: plan.message }, 'spec refused');
      // The last run's numbers no longer describe this spec.
      forgetParityFindings(this.options.gauge, req);
      return this.report(ctx, live, status, events, {});
    }

    const started = Date.now();
    const result = await this.run(plan.spec, req.namespace, plan.status, now, generation, ctx);
    if (plan.environmentReadySince !== undefined) result.status.environmentReadySince = plan.environmentReadySince;
    else delete result.status.environmentReadySince;
    const verdict = result.status.summary?.verdict;
    ctx.log.info({ why: plan.why, verdict, findings: result.findings.length, requests: result.requests, tookMs: Date.now() - started }, 'parity check ran');
    recordParityFindings(this.options.gauge, req, result.metrics);
    const next = decideRun(result.status, generation, plan.intervalMs, now, plan.environmentReadySince);
    return this.report(ctx, live, result.status, result.events, next.run ? { requeue: true } : requeue(next.requeueAfterMs));
  }

  /** Sources live for one run: connections are opened by it and closed before the status is written, never held between runs. */
  private async run(spec: ParityCheckSpec, namespace: string, previous: ParityCheckStatus | undefined, now: Date, generation: number | undefined, ctx: ReconcileContext) {
    const built = await buildSources(spec, namespace, new KubeClusterReader(ctx.client), () => ctx.client.kubeConfig);
    try {
      return await runParityCheck(spec, built.sources, previous, now, generation === undefined ? {} : { generation });
    } finally {
      await built.close();
    }
  }

  private async report(ctx: ReconcileContext, obj: ParityCheckObject, status: ParityCheckStatus, events: ParityEvent[], result: Result): Promise<Result> {
    let written: ParityCheckObject;
    try {
      ({ object: written } = await writeStatus<unknown, ParityCheckObject>(ctx.client, obj, status));
    } catch (err) {
      // Deleted while the check ran: nothing left to report on.
      if (isNotFound(err)) return this.gone({ namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
      throw err;
    }
    const regarding = { ...written, apiVersion: obj.apiVersion ?? PARITY_CHECK_REF.apiVersion, kind: obj.kind ?? PARITY_CHECK_REF.kind };
    for (const event of events) await ctx.recorder.event(regarding, event.type, event.reason, event.message);
    return result;
  }

  private gone(req: Request): Result {
    forgetParityFindings(this.options.gauge, req);
    this.environments.forget(req);
    return {};
  }

  private remember(req: Request, obj: ParityCheckObject): void {
    let key: string | undefined;
    try {
      key = environmentKeyOf(parseParityCheckSpec(obj.spec), req.namespace);
    } catch {
      key = undefined; // an invalid spec names no environment; the plan reports it
    }
    this.environments.record(req, key);
  }
}

/** The controller watches StagingEnvironments; a test building the reconciler alone may not, and then no environment is known. */
function environmentCache(ctx: ReconcileContext) {
  try {
    return ctx.cache(STAGING_ENVIRONMENT_REF.apiVersion, STAGING_ENVIRONMENT_REF.kind);
  } catch {
    return { get: () => undefined, list: () => [], hasSynced: () => true };
  }
}
