import type { DataSeedSpec, DataSeedStatus } from '../../api/dataseed';
import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import { isConflict, KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext, Result } from '../../runtime/reconciler';
import { seedJob, seedJobName } from '../../seed/job';
import { resolveSeedRequest } from '../../seed/resolve';
import { decideStart, recordedOutcome, refreshDueAtMs, type StartWhy } from './decide';
import { type Failure, failureOfReferences } from './failure';
import { jobFailure, type JobObject, jobState, type PodObject } from './job-outcome';
import { KubeReferenceReader, type ReferenceChanges, referencedNames } from './references';
import { EVENTS, keyOf, type SeedEvent, type StatusReporter } from './reporter';
import {
  ensureSeedIdentity,
  isRefusal,
  notOwned,
  ownershipOf,
  runnerNotAllowed,
  seedIdentityName,
} from './seed-identity';
import { type DataSeedObject, generationOf, storedStatus } from './spec';
import { runningStatus } from './status';
import { errorMessage } from '../../runtime/error-message';

// `runner: Job`: one Job per generation (`<name>-seed-<generation>`) runs
// `understudy seed --resource ns/name --write-status` with the operator's
// image, as a ServiceAccount that may read only this DataSeed's references.
// The pod writes tables, totals and fidelity into the status; the controller
// turns the Job's end into conditions. A failed Job is deleted and created
// again after the backoff when its reason allows a retry. Never for a source
// that reads production (the spec refuses it): the pod gets no production
// credentials. The API server lets the operator write only in namespaces it
// manages; elsewhere its refusal stalls the seed with RunnerNotAllowed.

const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export interface JobRunnerOptions {
  reporter: StatusReporter;
  references: ReferenceChanges;
  image: string;
  imagePullSecrets?: readonly string[];
  activeDeadlineSeconds?: number;
}

function ownedBy(object: KubernetesObject, uid: string | undefined): boolean {
  return (
    uid !== undefined && (object.metadata?.ownerReferences ?? []).some((r) => r.uid === uid && r.controller === true)
  );
}

export class JobRunner {
  constructor(private readonly options: JobRunnerOptions) {}

  async reconcile(ctx: ReconcileContext, cached: DataSeedObject, spec: DataSeedSpec): Promise<Result> {
    const namespace = cached.metadata?.namespace ?? '';
    const generation = generationOf(cached);
    const jobName = seedJobName(cached.metadata?.name ?? '', generation);
    const owned = ctx
      .cache(Kinds.Job)
      .list(namespace)
      .filter((j) => ownedBy(j, cached.metadata?.uid));
    await this.stopStaleJobs(ctx, owned, jobName);

    // Decide on the object as stored: the cache may not hold our own last status write yet.
    const live = await ctx.client.get<DataSeedObject>({
      apiVersion: cached.apiVersion!,
      kind: cached.kind!,
      namespace,
      name: cached.metadata?.name ?? '',
    });
    if (!live || live.metadata?.deletionTimestamp || generationOf(live) !== generation)
      return live ? { requeue: true } : {};
    const status = storedStatus(live);
    const recorded = recordedOutcome(status, generation);
    // The cache may not hold a Job created a moment ago either: ask before creating another.
    const job =
      owned.find((j) => j.metadata?.name === jobName) ??
      (await this.ownedJob(ctx, namespace, jobName, cached.metadata?.uid));
    const reporter = this.options.reporter;

    if (job) {
      const state = jobState(job);
      // A completed Job that already succeeded falls through: a scheduled golden refresh replaces it.
      if (state.kind === 'complete' && recorded.kind !== 'succeeded') {
        return reporter.succeed(
          ctx,
          live,
          reportWrittenByPod(status, generation, state.completedAt),
          `the seed Job ${jobName} completed`,
        );
      }
      if (state.kind === 'active') {
        if (recorded.kind === 'in-progress') return {};
        await reporter.write(ctx, live, runningStatus(reporter.context(live), runningMessage(jobName)));
        return {};
      }
      if (state.kind !== 'complete' && recorded.kind !== 'failed') {
        const pods = await ctx.client.list<PodObject>('v1', 'Pod', {
          namespace,
          labelSelector: `${JOB_NAME_LABEL}=${jobName}`,
        });
        return reporter.fail(ctx, live, jobFailure(jobName, state, pods.items));
      }
    }
    const decision = decideStart(
      recorded,
      generation,
      reporter.memory(keyOf(live)),
      reporter.now().getTime(),
      this.options.references.changedAtMs(keyOf(live)),
      refreshDueAtMs(spec, status, generation),
    );
    if (!decision.start)
      return decision.requeueAfterMs === undefined ? {} : { requeueAfterMs: decision.requeueAfterMs };
    // A retry (or a scheduled refresh) replaces the finished Job, whose name it needs.
    if (job) await ctx.client.delete({ ...Kinds.Job, namespace, name: jobName }, { propagationPolicy: 'Background' });
    return this.start(ctx, live, spec, jobName, decision.why);
  }

  private async ownedJob(
    ctx: ReconcileContext,
    namespace: string,
    name: string,
    uid: string | undefined,
  ): Promise<JobObject | undefined> {
    const job = await ctx.client.get<JobObject>({ ...Kinds.Job, namespace, name });
    return job && ownedBy(job, uid) ? job : undefined;
  }

  /** Jobs of an older generation that still run would write a status for a spec that is gone. */
  private async stopStaleJobs(ctx: ReconcileContext, owned: readonly JobObject[], current: string): Promise<void> {
    for (const job of owned) {
      if (job.metadata?.name === current || jobState(job).kind !== 'active') continue;
      ctx.log.info({ job: job.metadata?.name }, 'stopping the seed Job of an older generation');
      await ctx.client.delete(
        { ...Kinds.Job, namespace: job.metadata?.namespace, name: job.metadata?.name ?? '' },
        { propagationPolicy: 'Background' },
      );
    }
  }

  private async start(
    ctx: ReconcileContext,
    live: DataSeedObject,
    spec: DataSeedSpec,
    jobName: string,
    why: StartWhy,
  ): Promise<Result> {
    const namespace = live.metadata?.namespace ?? '';
    const name = live.metadata?.name ?? '';
    const uid = live.metadata?.uid ?? '';
    const generation = generationOf(live);
    // The references are checked here, so a missing Secret is reported at once rather than by a failed pod.
    try {
      await resolveSeedRequest(spec, namespace, new KubeReferenceReader(ctx.client));
    } catch (err) {
      return this.options.reporter.fail(ctx, live, failureOfReferences(err));
    }
    const failure = await this.createJob(ctx, { namespace, name, uid, generation, spec });
    if (failure) return this.options.reporter.fail(ctx, live, failure);
    ctx.log.info({ job: jobName, why, generation }, 'seed Job created');
    const events: SeedEvent[] =
      why === 'retry'
        ? []
        : [
            {
              type: 'Normal',
              reason: EVENTS.started,
              message: `seeding started (Job ${jobName}, generation ${generation})`,
            },
          ];
    await this.options.reporter.write(
      ctx,
      live,
      runningStatus(this.options.reporter.context(live), runningMessage(jobName)),
      events,
    );
    return {};
  }

  /** The identity first, then the Job; undefined when both exist. */
  private async createJob(
    ctx: ReconcileContext,
    o: { namespace: string; name: string; uid: string; generation: number; spec: DataSeedSpec },
  ): Promise<Failure | undefined> {
    const identity = await ensureSeedIdentity(ctx, {
      namespace: o.namespace,
      name: o.name,
      uid: o.uid,
      references: referencedNames(o.spec),
    });
    if (identity) return identity;
    const job = seedJob({
      namespace: o.namespace,
      name: o.name,
      uid: o.uid,
      generation: o.generation,
      image: this.options.image,
      ...(this.options.imagePullSecrets ? { imagePullSecrets: this.options.imagePullSecrets } : {}),
      serviceAccountName: seedIdentityName(o.name),
      ...(this.options.activeDeadlineSeconds ? { activeDeadlineSeconds: this.options.activeDeadlineSeconds } : {}),
    });
    try {
      await ctx.client.create(job);
      return undefined;
    } catch (err) {
      if (isRefusal(err)) return runnerNotAllowed(o.namespace, err);
      if (!isConflict(err))
        return {
          reason: 'JobNotCreated',
          message: `cannot create the seed Job ${job.metadata.name}: ${errorMessage(err)}`,
        };
    }
    // The name is taken: ours (the cache had not seen it yet, or it is still being deleted) or someone else's.
    const existing = await ctx.client.get<JobObject>({ ...Kinds.Job, namespace: o.namespace, name: job.metadata.name });
    if (existing && !ownedBy(existing, o.uid))
      return notOwned('Job', o.namespace, job.metadata.name, ownershipOf(existing, o));
    if (existing?.metadata?.deletionTimestamp)
      throw new KubeApiError(`the previous seed Job ${job.metadata.name} is still being deleted`, 409, 'AlreadyExists');
    return undefined;
  }
}

function runningMessage(jobName: string): string {
  return `seeding: Job ${jobName} is running understudy seed`;
}

/**
 * The pod wrote tables, totals and fidelity for this generation before it
 * exited 0. Without them (a pod that never ran the command, as under a
 * simulated kubelet) nothing of an older seed is passed off as this one's.
 */
export function reportWrittenByPod(
  status: DataSeedStatus | undefined,
  generation: number,
  completedAt: string | undefined,
): DataSeedStatus {
  if (status && status.observedGeneration === generation && status.phase === 'Succeeded') {
    const { conditions: _conditions, ...report } = status;
    return report;
  }
  return { phase: 'Succeeded', observedGeneration: generation, ...(completedAt ? { lastSeededAt: completedAt } : {}) };
}
