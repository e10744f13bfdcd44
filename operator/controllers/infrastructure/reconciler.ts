import {
  environmentInfrastructureProblem,
  type InfrastructureStatus,
  type PulumiInfrastructure,
} from '../../api/infrastructure';
import { parseStagingEnvironmentSpec } from '../../api/stagingenvironment';
import { Kinds } from '../../kinds';
import type { StackResult } from '../../infrastructure/request';
import type { KubernetesObject } from '../../runtime/client-node';
import { addFinalizer } from '../../runtime/finalizers';
import { isNotFound } from '../../runtime/kube-errors';
import {
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  requestKey,
} from '../../runtime/reconciler';
import { statusEqual, statusPatch } from '../../runtime/status';
import { accessBaseline, type GrantedBaseline } from '../baseline-access';
import { INFRASTRUCTURE_FINALIZER } from './hold';
import { driftIntervalMs, type Env, identity, parsedInfra, releaseFinalizer, tornDown } from './environment';
import { buildRequest, projectOf } from './request';
import { eventOf, outputsSecret } from './results';
import type { StackRun, StackRuns } from './runner';
import { isUpToDate, resultStatus, retryAfterMs, runningStatus, stalledStatus, driftDueInMs } from './status';
import { stackNameOf } from '../../infrastructure/request';

// One Pulumi stack per StagingEnvironment whose Baseline defines
// infrastructure: `up` when the environment appears or its configuration
// changes, the outputs written to a Secret in the target namespace, a
// refresh preview every driftInterval (the Drifted condition), and `destroy`
// under this controller's own finalizer, before the StagingEnvironment
// controller may delete the namespace (it asks infrastructureHoldsNamespace).
// Only status.infrastructure is written: the StagingEnvironment controller
// owns the rest of the status.

const POLL_MS = 1_000;
const WAIT_FOR_NAMESPACE_MS = 2_000;
const FAILED_RETRY_MS = 5 * 60_000;
const SLOT_WAIT_MS = 2_000;
const BUSY_RETRY_MS = 3_000;

export interface InfrastructureReconcilerOptions {
  runs: StackRuns;
  operatorNamespace: string;
  now?: () => Date;
}

export class InfrastructureReconciler implements Reconciler {
  private readonly now: () => Date;
  /** Outputs of a finished `up` whose Secret could not be written yet (the namespace did not exist). */
  private readonly pendingOutputs = new Map<
    string,
    { digest: string; outputs: Record<string, { value: unknown; secret: boolean }> }
  >();
  /**
   * Environments (by uid) whose stack this process destroyed: the cache may
   * still show the finalizer after it was removed, and a second destroy would
   * create the stack again in the backend.
   */
  private readonly destroyed = new Set<string>();

  constructor(private readonly options: InfrastructureReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const key = requestKey(req);
    const env = ctx.primary.get(req.namespace, req.name) as Env | undefined;
    if (!env) {
      // A run of an environment that is gone stops; `destroyed` keeps its uid (a few bytes) so a stale cache never destroys twice.
      await this.options.runs.cancel(ctx.client, key);
      this.pendingOutputs.delete(key);
      return {};
    }
    const parsed = parseStagingEnvironmentSpec(env.spec);
    // An invalid spec is the StagingEnvironment controller's to report.
    const baselineName = parsed.ok ? parsed.spec.baselineRef.name : undefined;
    const access = baselineName ? accessBaseline(ctx, baselineName, req.namespace) : undefined;
    const pulumi = access?.ok ? access.baseline.spec.infrastructure?.pulumi : undefined;
    const holding = env.metadata.finalizers?.includes(INFRASTRUCTURE_FINALIZER) ?? false;

    if (env.metadata.deletionTimestamp) {
      if (!holding) return {};
      return this.finalize(ctx, env, key, access?.ok ? access.baseline : undefined, pulumi);
    }
    if (!parsed.ok || !access || !access.ok || !pulumi) {
      // Nothing to create. A finalizer without a stack (never brought up) is simply let go.
      if (holding && !this.infraStatus(env)?.stack && !(await this.options.runs.get(ctx.client, key)))
        await this.release(ctx, env);
      if (access && !access.ok && this.infraStatus(env)?.lastOperation)
        return this.writeStatus(
          ctx,
          env,
          stalledStatus(this.infraStatus(env), this.context(env), access.reason, `${access.field}: ${access.message}`),
        );
      return {};
    }
    // Expired under expiryPolicy Retain: the StagingEnvironment controller tears the namespace down but keeps the
    // resource, and waits for this finalizer; the stack goes first, as on deletion. Extending the lifetime (a new
    // generation) brings it up again.
    if (tornDown(env)) return holding ? this.finalize(ctx, env, key, access.baseline, pulumi) : {};
    const problem = environmentInfrastructureProblem(parsed.spec.infrastructure, access.baseline.spec.infrastructure);
    if (problem) return this.stall(ctx, env, 'ExceedsBaseline', `${problem.field}: ${problem.message}`);
    const built = await buildRequest(ctx, {
      environment: identity(env),
      baseline: access.baseline.spec,
      pulumi,
      envInfra: parsed.spec.infrastructure,
      operatorNamespace: this.options.operatorNamespace,
      action: 'up',
    });
    if (!built.ok)
      return this.stall(
        ctx,
        env,
        built.reason,
        built.message,
        built.reason === 'SecretUnreadable' ? { requeueAfterMs: 30_000 } : {},
      );

    const run = await this.options.runs.get(ctx.client, key, { uid: env.metadata.uid, digest: built.digest });
    if (run) {
      if (run.result === undefined) return this.progress(ctx, env, run);
      return this.collect(ctx, env, key, run, pulumi);
    }
    if (!holding) await addFinalizer(ctx.client, env, INFRASTRUCTURE_FINALIZER);

    // Decide on the object as stored: the cache may not hold this controller's last status write yet,
    // and an older status would start the same `up` (or a drift check) again.
    const live = await ctx.client.get<Env>({
      ...Kinds.StagingEnvironment,
      namespace: env.metadata.namespace,
      name: env.metadata.name,
    });
    if (!live || live.metadata.uid !== env.metadata.uid) return {};
    const status = this.infraStatus(live);
    if (!isUpToDate(status, built.digest)) {
      const wait = retryAfterMs(status, built.digest, this.now(), FAILED_RETRY_MS);
      if (wait !== undefined) return { requeueAfterMs: wait };
      return this.start(ctx, live, key, built.request, built.digest, pulumi);
    }
    // Up to date: the outputs Secret must exist (after a restart the outputs are in no memory: up again, which changes nothing).
    const written = await this.ensureOutputs(ctx, live, key, pulumi);
    if (written === 'missing') return this.start(ctx, live, key, built.request, built.digest, pulumi);
    if (written === 'waiting') return { requeueAfterMs: WAIT_FOR_NAMESPACE_MS };
    const interval = driftIntervalMs(pulumi);
    const due = driftDueInMs(status, interval, this.now());
    if (due === 0) return this.start(ctx, live, key, { ...built.request, action: 'drift' }, built.digest, pulumi);
    return { requeueAfterMs: due };
  }

  private infraStatus(env: Env): InfrastructureStatus | undefined {
    return (env.status as { infrastructure?: InfrastructureStatus } | undefined)?.infrastructure;
  }

  private context(env: Env, pulumi?: PulumiInfrastructure): { generation: number; now: Date; stack: string } {
    const stack = pulumi
      ? `${projectOf(pulumi)}/${stackNameOf(identity(env))}`
      : (this.infraStatus(env)?.stack ?? stackNameOf(identity(env)));
    return { generation: env.metadata.generation ?? 0, now: this.now(), stack };
  }

  private async start(
    ctx: ReconcileContext,
    env: Env,
    key: string,
    request: Parameters<StackRuns['start']>[2],
    digest: string,
    pulumi: PulumiInfrastructure,
  ): Promise<Result> {
    const run = await this.options.runs.start(ctx.client, key, request, digest, {
      runner: pulumi.runner,
      environment: identity(env),
    });
    if (!run) {
      await this.writeStatus(
        ctx,
        env,
        runningStatus(
          this.infraStatus(env),
          this.context(env),
          request.action,
          this.options.runs.waitingMessage(pulumi.runner, key),
        ),
      );
      return { requeueAfterMs: SLOT_WAIT_MS };
    }
    ctx.log.info(
      { action: request.action, stack: request.stack, pid: run.pid, job: run.job },
      'infrastructure runner started',
    );
    return this.progress(ctx, env, run);
  }

  private async progress(ctx: ReconcileContext, env: Env, run: StackRun): Promise<Result> {
    await this.writeStatus(ctx, env, runningStatus(this.infraStatus(env), this.context(env), run.action, run.progress));
    return { requeueAfterMs: POLL_MS };
  }

  private async collect(
    ctx: ReconcileContext,
    env: Env,
    key: string,
    run: StackRun,
    pulumi: PulumiInfrastructure,
  ): Promise<Result> {
    const result = run.result!;
    await this.options.runs.forget(ctx.client, key, run);
    ctx.log.info(
      { action: result.action, ok: result.ok, seconds: result.durationMs / 1000, recovered: result.recovered },
      'infrastructure run finished',
    );
    if (!result.ok && (result.interrupted || result.busy)) return this.interrupted(ctx, env, result);
    if (result.ok && result.action === 'up') {
      this.destroyed.delete(env.metadata.uid);
      this.pendingOutputs.set(key, { digest: run.digest, outputs: result.outputs });
      await this.ensureOutputs(ctx, env, key, pulumi);
    }
    void ctx.recorder.event(env, ...eventOf(result));
    const digest = result.action === 'drift' ? {} : { digest: run.digest };
    await this.writeStatus(
      ctx,
      env,
      resultStatus(this.infraStatus(env), this.context(env, pulumi), result, {
        ...digest,
        outputSecret: pulumi.outputSecretName,
      }),
    );
    if (result.ok) return { requeueAfterMs: 100 };
    return { requeueAfterMs: result.action === 'drift' ? driftIntervalMs(pulumi) : FAILED_RETRY_MS };
  }

  /**
   * Writes the outputs Secret from the last `up` of this process; 'missing'
   * when no outputs are known and no Secret exists, 'waiting' while the
   * target namespace does not exist yet.
   */
  private async ensureOutputs(
    ctx: ReconcileContext,
    env: Env,
    key: string,
    pulumi: PulumiInfrastructure,
  ): Promise<'ok' | 'missing' | 'waiting'> {
    const namespace = env.status?.namespace;
    const pending = this.pendingOutputs.get(key);
    if (!namespace) return pending ? 'waiting' : 'ok';
    const ns = await ctx.client.get<KubernetesObject>({ ...Kinds.Namespace, name: namespace });
    if (!ns || ns.metadata?.deletionTimestamp) return 'waiting';
    if (!pending) {
      const existing = await ctx.client.get<KubernetesObject>({
        ...Kinds.Secret,
        namespace,
        name: pulumi.outputSecretName,
      });
      return existing ? 'ok' : 'missing';
    }
    await ctx.client.apply(outputsSecret(env, namespace, pulumi.outputSecretName, pending.outputs), { force: true });
    this.pendingOutputs.delete(key);
    return 'ok';
  }

  private async finalize(
    ctx: ReconcileContext,
    env: Env,
    key: string,
    baseline: GrantedBaseline | undefined,
    pulumi: PulumiInfrastructure | undefined,
  ): Promise<Result> {
    if (this.destroyed.has(env.metadata.uid)) {
      await this.release(ctx, env);
      return {};
    }
    const run = await this.options.runs.get(ctx.client, key, { uid: env.metadata.uid });
    const cancelled = run !== undefined && run.action !== 'destroy';
    if (cancelled) await this.options.runs.cancel(ctx.client, key);
    else if (run && run.result === undefined) return this.progress(ctx, env, run);
    else if (run && run.result) {
      await this.options.runs.forget(ctx.client, key, run);
      const result = run.result;
      if (!result.ok && (result.interrupted || result.busy)) return this.interrupted(ctx, env, result);
      void ctx.recorder.event(env, ...eventOf(result));
      await this.writeStatus(ctx, env, resultStatus(this.infraStatus(env), this.context(env, pulumi), result, {}));
      if (!result.ok) return { requeueAfterMs: 10_000 };
      ctx.log.info(
        { seconds: result.durationMs / 1000, recovered: result.recovered },
        'stack destroyed; releasing the namespace',
      );
      this.destroyed.add(env.metadata.uid);
      await this.release(ctx, env);
      return {};
    }
    // Never started (no run, no stack recorded): nothing to destroy. A run cancelled just now may have created something.
    if (!cancelled && !this.infraStatus(env)?.stack) {
      await this.release(ctx, env);
      return {};
    }
    if (!baseline || !pulumi)
      return this.stall(
        ctx,
        env,
        'CannotDestroy',
        `the Baseline that defined this environment's infrastructure is gone or no longer allows namespace ${env.metadata.namespace}: stack ${this.infraStatus(env)?.stack ?? ''} cannot be destroyed; destroy it by hand, then remove the finalizer ${INFRASTRUCTURE_FINALIZER}`,
        { requeueAfterMs: 60_000 },
      );
    // The cache may still show a finalizer another reconcile removed after its destroy: ask the server before destroying.
    const live = await ctx.client.get<Env>({
      ...Kinds.StagingEnvironment,
      namespace: env.metadata.namespace,
      name: env.metadata.name,
    });
    if (
      !live ||
      live.metadata.uid !== env.metadata.uid ||
      !live.metadata.finalizers?.includes(INFRASTRUCTURE_FINALIZER)
    )
      return {};
    const built = await buildRequest(ctx, {
      environment: identity(env),
      baseline: baseline.spec,
      pulumi,
      envInfra: parsedInfra(env),
      operatorNamespace: this.options.operatorNamespace,
      action: 'destroy',
    });
    if (!built.ok) return this.stall(ctx, env, built.reason, built.message, { requeueAfterMs: 30_000 });
    return this.start(ctx, env, key, built.request, built.digest, pulumi);
  }

  /**
   * A runner that died, or found the stack's lock held by an engine still
   * running (a killed one not yet gone), is no verdict on the program: said
   * in Reconciling, and run again soon (the run recovers the stack).
   */
  private async interrupted(ctx: ReconcileContext, env: Env, result: StackResult): Promise<Result> {
    const busy = !result.ok && result.busy === true;
    ctx.log.warn(
      { action: result.action, message: result.ok ? '' : result.message },
      busy
        ? 'stack locked by a running engine; running again shortly'
        : 'infrastructure runner interrupted; running again',
    );
    await this.writeStatus(
      ctx,
      env,
      runningStatus(
        this.infraStatus(env),
        this.context(env),
        result.action,
        `${busy ? 'waiting' : 'interrupted'} (${result.ok ? '' : result.message}); running again`,
      ),
    );
    return { requeueAfterMs: busy ? BUSY_RETRY_MS : POLL_MS };
  }

  private release(ctx: ReconcileContext, env: Env): Promise<void> {
    return releaseFinalizer(ctx, env);
  }

  private async stall(
    ctx: ReconcileContext,
    env: Env,
    reason: string,
    message: string,
    result: Result = {},
  ): Promise<Result> {
    // No stack is recorded by a stall: a stack is recorded only once a run started, and only then is there anything to destroy.
    await this.writeStatus(
      ctx,
      env,
      stalledStatus(
        this.infraStatus(env),
        { generation: env.metadata.generation ?? 0, now: this.now() },
        reason,
        message,
      ),
    );
    return result;
  }

  /** Patches status.infrastructure alone; the rest of the status is the StagingEnvironment controller's. */
  private async writeStatus(ctx: ReconcileContext, env: Env, status: InfrastructureStatus): Promise<Result> {
    if (statusEqual(this.infraStatus(env), status)) return {};
    // Its own field only when a status exists; the whole status otherwise, guarded by the resourceVersion it was read at (a 409 is requeued), so it never replaces a status written meanwhile.
    const ops = env.status
      ? [{ op: 'add' as const, path: '/status/infrastructure', value: status }]
      : statusPatch(env, { infrastructure: status });
    try {
      await ctx.client.jsonPatch(
        { ...Kinds.StagingEnvironment, namespace: env.metadata.namespace, name: env.metadata.name },
        ops,
        { subresource: 'status' },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return {};
  }
}

export type { StackResult };
export { eventOf, outputsSecret } from './results';
