import type { StackRequest } from '../../infrastructure/request';
import { Kinds, type JobObject, type SecretObject } from '../../kinds';
import { errorMessage } from '../../runtime/error-message';
import type { KubeClient } from '../../runtime/kube-client';
import { isNotFound } from '../../runtime/kube-errors';
import {
  ANNOTATIONS,
  RUN_LABEL,
  resultSecretName,
  runChildren,
  runJob,
  runLabelOf,
  type RunObjectsOptions,
} from './job-manifest';
import { jobState } from '../job-state';
import { jobRunState } from './job-outcome';
import type { CurrentRun, StackRun } from './stack-run';

// `runner: Job`: each stack operation runs in a Job of the operator's image in
// the operator's namespace (job-manifest.ts). Nothing is kept in memory but
// a start that failed: the Job and its result Secret are the run's state, so
// a restarted operator finds the run where it is. One Job per environment at
// a time: a Job of an environment that was re-created (another uid) or whose
// configuration changed under a running `up` is stale and deleted.

export interface JobRunsOptions {
  namespace: string;
  image: string;
  imagePullSecrets?: readonly string[];
  /** Jobs running at once for this operator; more wait. */
  limit?: number;
  activeDeadlineSeconds?: number;
  pulumiRoot?: string;
  now?: () => Date;
}

export class JobRuns {
  readonly limit: number;
  private readonly now: () => Date;
  /** Starts the API server refused: kept until forgotten, so the failure is recorded once rather than retried at once. */
  private readonly refused = new Map<string, StackRun>();
  /** Runs in a row whose pod died without a result (killed, out of memory): the next waits longer each time. */
  private readonly interruptions = new Map<string, { count: number; atMs: number }>();

  constructor(private readonly options: JobRunsOptions) {
    this.limit = options.limit ?? 8;
    this.now = options.now ?? (() => new Date());
  }

  async get(client: KubeClient, key: string, current?: CurrentRun): Promise<StackRun | undefined> {
    const refused = this.refused.get(key);
    if (refused) return refused;
    const jobs = (await this.jobsOf(client, key)).sort((a, b) => startedAt(b) - startedAt(a));
    let live: JobObject | undefined;
    for (const job of jobs) {
      if (!live && !isStale(job, current)) live = job;
      else await this.delete(client, job.metadata?.name ?? '');
    }
    return live ? this.runOf(client, key, live) : undefined;
  }

  /** Starts the operation; undefined when `limit` Jobs already run. */
  async start(
    client: KubeClient,
    key: string,
    request: StackRequest,
    digest: string,
    environment: RunObjectsOptions['environment'],
  ): Promise<StackRun | undefined> {
    const running = await client.list<JobObject>(Kinds.Job.apiVersion, Kinds.Job.kind, {
      namespace: this.options.namespace,
      labelSelector: RUN_LABEL,
    });
    if (running.items.filter((j) => !finished(j)).length >= this.limit) return undefined;
    if (this.backoffMs(key) > 0) return undefined;
    const startedAt = this.now();
    const o: RunObjectsOptions = {
      key,
      environment,
      namespace: this.options.namespace,
      request,
      digest,
      // An image program runs in its own image (built FROM the operator's), the same way.
      image: request.programImage ?? this.options.image,
      activeDeadlineSeconds: this.options.activeDeadlineSeconds ?? 1800,
      startedAt,
      ...(this.options.imagePullSecrets ? { imagePullSecrets: this.options.imagePullSecrets } : {}),
      ...(this.options.pulumiRoot ? { pulumiRoot: this.options.pulumiRoot } : {}),
    };
    const manifest = runJob(o);
    const name = manifest.metadata?.name ?? '';
    const run: StackRun = {
      key,
      action: request.action,
      digest,
      startedAtMs: startedAt.getTime(),
      pid: undefined,
      job: name,
      progress: undefined,
      result: undefined,
    };
    let job: JobObject;
    try {
      job = await client.create<JobObject>(manifest);
    } catch (error) {
      return this.refuse(key, run, `cannot create the infrastructure Job ${name}: ${errorMessage(error)}`);
    }
    try {
      // The request, the result Secret and the identity exist before the pod may start.
      for (const child of runChildren(o, { name, uid: job.metadata?.uid ?? '' })) await client.create(child);
      await client.mergePatch({ ...Kinds.Job, namespace: this.options.namespace, name }, { spec: { suspend: false } });
    } catch (error) {
      await this.delete(client, name);
      return this.refuse(key, run, `cannot prepare the infrastructure Job ${name}: ${errorMessage(error)}`);
    }
    return run;
  }

  /** Drops a finished run whose result is recorded: its Job goes, and with it (owned) the request, the result and the identity. */
  async forget(client: KubeClient, key: string, run: StackRun): Promise<void> {
    if (this.refused.get(key) === run) this.refused.delete(key);
    if (run.result && !run.result.ok && run.result.interrupted) {
      const count = (this.interruptions.get(key)?.count ?? 0) + 1;
      this.interruptions.set(key, { count, atMs: this.now().getTime() });
    } else this.interruptions.delete(key);
    if (run.job) await this.delete(client, run.job);
  }

  /** Stops the environment's run, if any (it changed or went away); the next run recovers the stack. */
  async cancel(client: KubeClient, key: string): Promise<void> {
    this.refused.delete(key);
    this.interruptions.delete(key);
    for (const job of await this.jobsOf(client, key)) await this.delete(client, job.metadata?.name ?? '');
  }

  /** How long the environment's next Job waits after interrupted ones; 0 when it may start. */
  backoffMs(key: string): number {
    const last = this.interruptions.get(key);
    if (!last) return 0;
    return Math.max(0, last.atMs + interruptionBackoffMs(last.count) - this.now().getTime());
  }

  private refuse(key: string, run: StackRun, message: string): StackRun {
    const refused: StackRun = {
      ...run,
      job: undefined,
      result: { ok: false, action: run.action, durationMs: 0, message, recovered: [] },
    };
    this.refused.set(key, refused);
    return refused;
  }

  private async runOf(client: KubeClient, key: string, job: JobObject): Promise<StackRun> {
    const name = job.metadata?.name ?? '';
    const action = (job.metadata?.annotations?.[ANNOTATIONS.action] ?? 'up') as StackRequest['action'];
    const startedAtMs = startedAt(job);
    const secret = await client.get<SecretObject>({
      ...Kinds.Secret,
      namespace: this.options.namespace,
      name: resultSecretName(name),
    });
    const state = jobRunState({
      job,
      resultData: secret ? (secret.data ?? {}) : undefined,
      action,
      startedAtMs,
      nowMs: this.now().getTime(),
    });
    return {
      key,
      action,
      digest: job.metadata?.annotations?.[ANNOTATIONS.digest] ?? '',
      startedAtMs,
      pid: undefined,
      job: name,
      progress: state.kind === 'running' ? state.progress : undefined,
      result: state.kind === 'finished' ? state.result : undefined,
    };
  }

  private async jobsOf(client: KubeClient, key: string): Promise<JobObject[]> {
    const list = await client.list<JobObject>(Kinds.Job.apiVersion, Kinds.Job.kind, {
      namespace: this.options.namespace,
      labelSelector: `${RUN_LABEL}=${runLabelOf(key)}`,
    });
    return list.items.filter((j) => !j.metadata?.deletionTimestamp);
  }

  private async delete(client: KubeClient, name: string): Promise<void> {
    try {
      // Background: the Job goes at once, its pod and the objects it owns after it.
      await client.delete(
        { ...Kinds.Job, namespace: this.options.namespace, name },
        { propagationPolicy: 'Background' },
      );
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function startedAt(job: JobObject): number {
  const at = Date.parse(job.metadata?.annotations?.[ANNOTATIONS.startedAt] ?? job.metadata?.creationTimestamp ?? '');
  return Number.isNaN(at) ? 0 : at;
}

function finished(job: JobObject): boolean {
  return jobState(job).kind !== 'active';
}

/** A Job of another environment of the same name, or an `up`/drift of a configuration that changed since. */
export function isStale(job: JobObject, current: CurrentRun | undefined): boolean {
  if (!current) return false;
  const annotations = job.metadata?.annotations ?? {};
  if (annotations[ANNOTATIONS.uid] !== current.uid) return true;
  return (
    current.digest !== undefined &&
    annotations[ANNOTATIONS.action] !== 'destroy' &&
    annotations[ANNOTATIONS.digest] !== current.digest
  );
}

/** After the first interruption none (the next run recovers at once, as Inline does), then 10 s doubling up to 5 min: a pod that is killed every time is not restarted in a tight loop. */
export function interruptionBackoffMs(count: number): number {
  if (count <= 1) return 0;
  return Math.min(10_000 * 2 ** (count - 2), 5 * 60_000);
}
