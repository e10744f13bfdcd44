import type { LoadTestSpec, LoadTestStatus } from '../../api/loadtest';
import { REPLAY_SCENARIO, parseLoadTestSpec } from '../../api/loadtest';
import { type LoadReport, buildReport } from '../../load/report';
import { runLoad } from '../../load/run';
import { checkCompiles } from '../../load/scenario-file';
import { type WorkerResult, mergeResults } from '../../load/stats';
import { kubeTime } from '../../runtime/conditions';
import { isNotFound } from '../../runtime/kube-errors';
import type { ReconcileContext, Reconciler, Request, Result } from '../../runtime/reconciler';
import { writeStatus } from '../../runtime/status';
import { requestKey } from '../../runtime/reconciler';
import { LOAD_TEST, type LoadTestObject } from './kind';
import { exceedsLoadLimits, loadLimitsOf, replayExceeds } from './limits';
import type { LoadTestMetrics } from './metrics';
import { type LoadPlan, type PlanProblem, buildPlan } from './plan';
import { RETRYABLE } from './problem';
import { environmentReady, jobNamespaces, resolveLoadTest, type Resolution } from './resolve';
import { type ReportRef, writeReport } from './report-store';
import type { InlineLoadRuns, InlineLoadRun } from './runs';
import { finishedFor, finishedStatus, profileStatus, stalledStatus, waitingStatus } from './status';
import { type ServiceUrl, clusterDnsUrl, resolveTargets } from './targets';
import { type JobLoadRunner, PlanTooLarge } from './job';
import { TenantNetwork } from '../../runtime/tenant-network';

// Thin: parse, resolve from caches (the Baseline must allow the requester,
// else Stalled and nothing is read), wait for the environment to be Ready,
// bound the test by the Baseline, resolve the target Services, then run it
// once per generation — inside the operator or as an Indexed Job — and write
// the verdict, the bounded results and the full report.

export interface LoadTestReconcilerOptions {
  runs: InlineLoadRuns;
  job?: JobLoadRunner;
  serviceUrl?: ServiceUrl;
  progressIntervalMs?: number;
  metrics?: LoadTestMetrics;
  /** Where spec.valuesFrom's database may be; absent, anywhere but the operator's own pod and node. */
  tenantNetwork?: TenantNetwork;
  now?: () => Date;
}

const RETRY_MS = 30_000;
export class LoadTestReconciler implements Reconciler {
  private readonly now: () => Date;
  private readonly tenantNetwork: TenantNetwork;

  constructor(private readonly options: LoadTestReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.tenantNetwork = options.tenantNetwork ?? new TenantNetwork();
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const key = requestKey(req);
    const cached = ctx.cache(LOAD_TEST).get(req.namespace, req.name);
    if (!cached || cached.metadata?.deletionTimestamp) return this.gone(ctx, req);
    const generation = cached.metadata?.generation ?? 0;
    const status = cached.status as LoadTestStatus | undefined;
    const parsed = parseLoadTestSpec(cached.spec);
    if (!parsed.ok) return this.stall(ctx, cached, 'InvalidSpec', `${parsed.field}: ${parsed.message}`);
    const resolution = resolveLoadTest(ctx, parsed.spec, req.namespace);
    if (!resolution.ok) {
      this.options.runs.cancel(key);
      return this.stall(ctx, cached, resolution.reason, resolution.message);
    }
    if (finishedFor(status, generation)) return {};
    // A new generation: the previous one's Job must not go on sending beside it.
    if (status?.observedGeneration !== generation)
      await this.stopJobs(ctx, req, parsed.spec.runner === 'Job' ? generation : undefined);
    const run = this.options.runs.get(key);
    if (run && run.generation === generation)
      return run.done
        ? this.collectInline(ctx, cached, req, run, parsed.spec, resolution)
        : this.progress(ctx, cached, run);
    if (run) this.options.runs.cancel(key);
    if (!environmentReady(resolution.environment)) {
      return this.write(
        ctx,
        cached,
        waitingStatus(
          status,
          generation,
          'Pending',
          'WaitingForEnvironment',
          `waiting for StagingEnvironment ${resolution.environment?.metadata?.name ?? ''} to be Ready`,
          this.now(),
        ),
        {},
      );
    }
    if (parsed.spec.runner === 'Job' && this.options.job) {
      const jobOutcome = await this.options.job.reconcile(ctx, cached, generation, resolution.namespace);
      if (jobOutcome.kind === 'results')
        return this.finish(ctx, cached, req, parsed.spec, resolution, jobOutcome.results, jobOutcome.plan);
      if (jobOutcome.kind === 'failed') return this.stall(ctx, cached, 'RunFailed', jobOutcome.message);
      if (jobOutcome.kind === 'running')
        return this.write(
          ctx,
          cached,
          waitingStatus(status, generation, 'Running', 'Running', jobOutcome.message, this.now()),
          { requeueAfterMs: this.progressMs() },
        );
    }
    // The cache may not hold our own last status write yet: decide on the object as stored, so a test never runs twice for one generation.
    const live = await ctx.client.get<LoadTestObject>({
      apiVersion: LOAD_TEST.apiVersion,
      kind: LOAD_TEST.kind,
      namespace: req.namespace,
      name: req.name,
    });
    if (!live || live.metadata?.deletionTimestamp) return this.gone(ctx, req);
    if ((live.metadata?.generation ?? 0) !== generation) return { requeue: true };
    if (finishedFor(live.status as LoadTestStatus | undefined, generation)) return {};
    return this.start(ctx, live, req, parsed.spec, resolution);
  }

  private progressMs(): number {
    return this.options.progressIntervalMs ?? 2000;
  }

  /** Everything decided before a request is sent: the plan, within the Baseline's limits, to resolved Services. */
  private async prepare(
    ctx: ReconcileContext,
    obj: LoadTestObject,
    spec: LoadTestSpec,
    resolution: Resolution,
  ): Promise<{ ok: true; plan: LoadPlan } | { ok: false; problem: PlanProblem }> {
    const targets = await resolveTargets(ctx, spec.targets, resolution.namespace);
    if (!targets.ok) return { ok: false, problem: { reason: targets.reason, message: targets.message } };
    const serviceUrl = this.options.serviceUrl ?? clusterDnsUrl;
    const urls = Object.fromEntries(targets.targets.map((t) => [t.name, serviceUrl(t)]));
    const plan = await buildPlan(ctx, obj, spec, resolution, urls, this.tenantNetwork);
    if (!plan.ok) return plan;
    try {
      // Templates and threshold routes are checked against the values actually available, before anything is sent.
      checkCompiles(plan.plan, 'spec', 'spec.');
    } catch (err) {
      return { ok: false, problem: { reason: 'InvalidSpec', message: (err as Error).message.replace(/^spec: /, '') } };
    }
    const limits = loadLimitsOf(resolution.baseline.spec);
    const replayed = replayExceeds(
      plan.plan.replayPeakRate,
      plan.plan.scenarios.filter((s) => s.name !== REPLAY_SCENARIO),
      limits,
      `Baseline ${resolution.baseline.name}`,
    );
    if (replayed) return { ok: false, problem: { reason: 'ExceedsBaseline', message: replayed } };
    const exceeded = exceedsLoadLimits(
      plan.plan.scenarios,
      spec.parallelism,
      limits,
      plan.field,
      `Baseline ${resolution.baseline.name}`,
    );
    if (exceeded)
      return { ok: false, problem: { reason: 'ExceedsBaseline', message: `${exceeded.field}: ${exceeded.message}` } };
    return { ok: true, plan: plan.plan };
  }

  private async start(
    ctx: ReconcileContext,
    obj: LoadTestObject,
    req: Request,
    spec: LoadTestSpec,
    resolution: Resolution,
  ): Promise<Result> {
    const generation = obj.metadata?.generation ?? 0;
    const status = obj.status as LoadTestStatus | undefined;
    const inline = !(spec.runner === 'Job' && this.options.job);
    if (inline && !this.options.runs.hasRoom()) {
      const message = `waiting for a free slot: at most ${this.options.runs.limit} inline load tests run at once in this operator`;
      return this.write(ctx, obj, waitingStatus(status, generation, 'Pending', 'WaitingForSlot', message, this.now()), {
        requeueAfterMs: this.progressMs(),
      });
    }
    const prepared = await this.prepare(ctx, obj, spec, resolution);
    if (!prepared.ok) return this.stall(ctx, obj, prepared.problem.reason, prepared.problem.message);
    const { plan } = prepared;
    const targets = Object.entries(plan.targets).map(([name, url]) => ({ name, url }));
    const started = {
      startedAt: kubeTime(this.now()),
      targets,
      ...(plan.profile ? { profile: profileStatus(plan.profile) } : {}),
    };
    if (!inline && this.options.job) {
      await this.stopJobs(ctx, req, generation, [resolution.namespace]);
      try {
        await this.options.job.start(ctx, obj, generation, plan, spec.parallelism, resolution.namespace);
      } catch (err) {
        if (err instanceof PlanTooLarge) return this.stall(ctx, obj, 'PlanTooLarge', err.message);
        throw err;
      }
      await this.event(
        ctx,
        obj,
        'Normal',
        'Started',
        `load test started: ${spec.parallelism} worker Job, ${plan.scenarios.length} scenario(s)`,
      );
      return this.write(
        ctx,
        obj,
        waitingStatus(status, generation, 'Running', 'Running', 'the load Job started', this.now(), started),
        { requeueAfterMs: this.progressMs() },
      );
    }
    const run = this.options.runs.start(requestKey(req), generation, async (signal, onProgress) => {
      const observe = this.options.metrics?.observer(
        req,
        resolution.namespace,
        Object.fromEntries(spec.targets.map((t) => [t.name, t.service])),
      );
      return [
        await runLoad({
          scenarios: plan.scenarios,
          targets: plan.targets,
          values: plan.values,
          signal,
          onProgress,
          ...(observe ? { observe } : {}),
          ...(plan.replays ? { replays: plan.replays } : {}),
        }),
      ];
    });
    ctx.log.info({ scenarios: plan.scenarios.map((s) => s.name), targets: plan.targets }, 'load test started');
    await this.event(
      ctx,
      obj,
      'Normal',
      'Started',
      `load test started inline: ${plan.scenarios.map((s) => `${s.name} (${s.executor})`).join(', ')}`,
    );
    return this.write(
      ctx,
      obj,
      waitingStatus(status, generation, 'Running', 'Running', 'sending', this.now(), {
        ...started,
        startedAt: kubeTime(run.startedAt),
      }),
      { requeueAfterMs: this.progressMs() },
    );
  }

  private async progress(ctx: ReconcileContext, obj: LoadTestObject, run: InlineLoadRun): Promise<Result> {
    const p = run.progress;
    const message = p
      ? p.scenarios
          .map(
            (s) => `${s.name}: ${s.sent} sent, ${s.errors} errors, ${s.dropped} dropped, p99 ${s.p99Ms.toFixed(1)} ms`,
          )
          .join('; ')
      : 'sending';
    return this.write(
      ctx,
      obj,
      waitingStatus(
        obj.status as LoadTestStatus | undefined,
        run.generation,
        'Running',
        'Running',
        message,
        this.now(),
      ),
      { requeueAfterMs: this.progressMs() },
    );
  }

  private async collectInline(
    ctx: ReconcileContext,
    obj: LoadTestObject,
    req: Request,
    run: InlineLoadRun,
    spec: LoadTestSpec,
    resolution: Resolution,
  ): Promise<Result> {
    this.options.runs.forget(requestKey(req), run);
    if (run.error !== undefined || !run.results) {
      if (ctx.signal.aborted) return {};
      return this.stall(
        ctx,
        obj,
        'RunFailed',
        `the load test failed: ${run.error instanceof Error ? run.error.message : String(run.error)}`,
      );
    }
    return this.finish(ctx, obj, req, spec, resolution, run.results, undefined);
  }

  private async finish(
    ctx: ReconcileContext,
    obj: LoadTestObject,
    req: Request,
    spec: LoadTestSpec,
    resolution: Resolution,
    results: WorkerResult[],
    _plan: LoadPlan | undefined,
  ): Promise<Result> {
    const generation = obj.metadata?.generation ?? 0;
    const report: LoadReport = buildReport(mergeResults(results), spec.thresholds ?? []);
    let reportRef: ReportRef | undefined;
    try {
      reportRef = await writeReport(ctx, obj, resolution.namespace, report, results);
    } catch (err) {
      ctx.log.warn({ err }, 'report ConfigMap not written');
      await this.event(
        ctx,
        obj,
        'Warning',
        'ReportNotWritten',
        `the full report could not be written: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    this.options.metrics?.observe(req, report);
    const status = finishedStatus(
      obj.status as LoadTestStatus | undefined,
      generation,
      report,
      reportRef ? { report: reportRef } : {},
      this.now(),
    );
    const passed = status.conditions?.find((c) => c.type === 'Passed');
    ctx.log.info({ passed: report.passed, violations: report.violations.length }, 'load test finished');
    await this.event(
      ctx,
      obj,
      report.passed ? 'Normal' : 'Warning',
      report.passed ? 'Passed' : 'Failed',
      passed?.message ?? '',
    );
    return this.write(ctx, obj, status, {});
  }

  private async stall(ctx: ReconcileContext, obj: LoadTestObject, reason: string, message: string): Promise<Result> {
    const generation = obj.metadata?.generation ?? 0;
    const previous = obj.status as LoadTestStatus | undefined;
    const already =
      previous?.phase === 'Stalled' &&
      previous.observedGeneration === generation &&
      previous.conditions?.some((c) => c.type === 'Stalled' && c.reason === reason && c.message === message);
    const result = RETRYABLE.has(reason) ? { requeueAfterMs: RETRY_MS } : {};
    // A test that cannot run sends nothing: a Job of it still running (an older generation, or one the Baseline has
    // since stopped allowing) is stopped.
    await this.stopJobs(ctx, { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
    if (already) return result;
    ctx.log.info({ reason, message }, 'load test stalled');
    await this.event(ctx, obj, 'Warning', reason, message);
    return this.write(ctx, obj, stalledStatus(previous, generation, reason, message, this.now()), result);
  }

  private async write(
    ctx: ReconcileContext,
    obj: LoadTestObject,
    status: LoadTestStatus,
    result: Result,
  ): Promise<Result> {
    try {
      await writeStatus<unknown, LoadTestObject>(ctx.client, obj, status);
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
    return result;
  }

  private async event(
    ctx: ReconcileContext,
    obj: LoadTestObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    await ctx.recorder.event(
      { ...obj, apiVersion: LOAD_TEST.apiVersion, kind: LOAD_TEST.kind },
      type,
      reason,
      message.slice(0, 1000),
    );
  }

  private async gone(ctx: ReconcileContext, req: Request): Promise<Result> {
    this.options.runs.cancel(requestKey(req));
    this.options.metrics?.remove(req);
    // A Job beside the targets (another namespace) has no owner reference: deleting the LoadTest must stop it.
    await this.stopJobs(ctx, req);
    return {};
  }

  /** Stops this LoadTest's unfinished Jobs but `keepGeneration`'s, wherever they may be (found from caches, nothing of the Baseline read). */
  private async stopJobs(
    ctx: ReconcileContext,
    req: Request,
    keepGeneration?: number,
    also: readonly string[] = [],
  ): Promise<void> {
    if (!this.options.job) return;
    try {
      const stopped = await this.options.job.stop(
        ctx,
        req,
        [...jobNamespaces(ctx, req.namespace), ...also],
        keepGeneration,
      );
      if (stopped.length) ctx.log.info({ stopped }, 'load Jobs stopped');
    } catch (err) {
      // A namespace the operator may not list Jobs in holds none of its Jobs; anything else is worth a line, not a stuck test.
      ctx.log.warn({ err }, 'stopping load Jobs');
    }
  }
}
