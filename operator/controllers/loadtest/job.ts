import { createHash } from 'node:crypto';
import { LABELS, MANAGED_BY } from '../../api/common';
import { type JobObject, Kinds, type PodObject } from '../../kinds';
import { type WorkerResult, WorkerResultSchema } from '../../load/stats';
import type { KubernetesObject } from '../../runtime/client-node';
import type { KubeClient } from '../../runtime/kube-client';
import type { ReconcileContext } from '../../runtime/reconciler';
import { LOAD_TEST, type LoadTestObject } from './kind';
import type { LoadPlan } from './plan';
import { LOADTEST_LABEL, loadTestLabelValue } from './report-store';

// runner Job: an Indexed Job of the operator's image in the environment's
// namespace (where its NetworkPolicy lets it reach the environment's own
// services and nothing else), `parallelism` workers, each
// `understudy load --worker $(JOB_COMPLETION_INDEX)/N` taking its share of
// every rate. Each worker prints its mergeable result as the last line of its
// log; the controller reads the lines once the Job completes and merges them.
// The pods get no ServiceAccount token: they need no API access.

import { RESULT_PREFIX } from '../../load/result-line';
export const PLAN_ENV = 'UNDERSTUDY_LOAD_PLAN';
/** The LoadTest's namespace: a Job in the environment's namespace has no owner reference to find it by. */
export const LOADTEST_NAMESPACE_LABEL = 'understudy.dev/loadtest-namespace';
const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
const INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';

/** The plan travels in the Job's spec, which the API server stores whole (objects of at most ~1.5 MiB). */
export const MAX_PLAN_BYTES = 1024 * 1024;

/** A plan too large for a Job: said once as Stalled, rather than a create the API server refuses on every reconcile. */
export class PlanTooLarge extends Error {}

export interface JobLoadRunnerOptions {
  image: string;
  imagePullSecrets?: readonly string[];
}

export type JobOutcome =
  | { kind: 'none' }
  | { kind: 'running'; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'results'; results: WorkerResult[]; plan: undefined };

/**
 * The Job of one generation. A Job beside the targets (another namespace) carries a digest of the LoadTest's own
 * namespace: a LoadTest `peak` an environment made in its namespace and one `peak` beside the environment would
 * otherwise both be `peak-load-1` there, one overwriting (or failing to overwrite) the other's Job.
 */
export function loadJobName(loadTest: string, generation: number, from?: string, into?: string): string {
  const tag =
    from !== undefined && into !== undefined && from !== into
      ? `-${createHash('sha256').update(from).digest('hex').slice(0, 6)}`
      : '';
  const suffix = `${tag}-load-${generation}`;
  return loadTest.slice(0, 63 - suffix.length).replace(/-+$/, '') + suffix;
}

/** The Job for one generation; the plan (scenarios with resolved URLs) travels in an env var. */
export function loadJob(
  obj: LoadTestObject,
  generation: number,
  namespace: string,
  plan: LoadPlan,
  parallelism: number,
  options: JobLoadRunnerOptions,
): KubernetesObject & { spec: Record<string, unknown> } {
  const name = obj.metadata?.name ?? '';
  const sameNamespace = namespace === obj.metadata?.namespace;
  const serialized = JSON.stringify({
    scenarios: plan.scenarios,
    targets: plan.targets,
    values: plan.values,
    thresholds: plan.thresholds,
    ...(plan.replays ? { replays: [...plan.replays] } : {}),
  });
  if (Buffer.byteLength(serialized) > MAX_PLAN_BYTES)
    throw new PlanTooLarge(
      `the plan (scenarios, values, replayed requests) is ${Math.round(Buffer.byteLength(serialized) / 1024)} KiB, more than a Job's spec can carry (${MAX_PLAN_BYTES / 1024} KiB): fewer spec.valuesFrom rows (a limit in the query) or a shorter spec.replay log, or runner Inline`,
    );
  return {
    apiVersion: Kinds.Job.apiVersion,
    kind: Kinds.Job.kind,
    metadata: {
      name: loadJobName(name, generation, obj.metadata?.namespace, namespace),
      namespace,
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [LOADTEST_LABEL]: loadTestLabelValue(name),
        [LOADTEST_NAMESPACE_LABEL]: obj.metadata?.namespace ?? '',
      },
      ...(sameNamespace && obj.metadata?.uid
        ? {
            ownerReferences: [
              {
                apiVersion: LOAD_TEST.apiVersion,
                kind: LOAD_TEST.kind,
                name,
                uid: obj.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      completionMode: 'Indexed',
      completions: parallelism,
      parallelism,
      backoffLimit: 0,
      ttlSecondsAfterFinished: 3600,
      template: {
        metadata: { labels: { [LOADTEST_LABEL]: loadTestLabelValue(name) } },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          ...(options.imagePullSecrets?.length
            ? { imagePullSecrets: options.imagePullSecrets.map((n) => ({ name: n })) }
            : {}),
          containers: [
            {
              name: 'load',
              image: options.image,
              args: [
                'load',
                '--plan-env',
                PLAN_ENV,
                '--worker',
                `$(JOB_COMPLETION_INDEX)/${parallelism}`,
                '--result-line',
                '--no-progress',
              ],
              env: [{ name: PLAN_ENV, value: serialized }],
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              resources: { requests: { cpu: '500m', memory: '128Mi' }, limits: { memory: '512Mi' } },
            },
          ],
        },
      },
    },
  };
}

/** The worker's result from the tail of its log: the last line with the prefix. */
export function resultFromLog(log: string): WorkerResult | undefined {
  const line = log
    .split('\n')
    .reverse()
    .find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(line.slice(RESULT_PREFIX.length));
  } catch {
    // A line cut short (a log rotated, a pod killed while writing): no result, which the caller reports by worker,
    // rather than an exception that fails every reconcile of the test.
    return undefined;
  }
  const parsed = WorkerResultSchema.safeParse(document);
  return parsed.success ? parsed.data : undefined;
}

async function podLog(client: KubeClient, namespace: string, pod: string): Promise<string> {
  const server = client.kubeConfig.getCurrentCluster()?.server.replace(/\/+$/, '') ?? '';
  const init = await client.kubeConfig.applyToFetchOptions({});
  const response = await fetch(
    `${server}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log?container=load&tailLines=20`,
    { ...init, method: 'GET', signal: AbortSignal.timeout(30_000) } as RequestInit,
  );
  if (!response.ok) throw new Error(`reading the log of pod ${namespace}/${pod}: HTTP ${response.status}`);
  return response.text();
}

export class JobLoadRunner {
  constructor(private readonly options: JobLoadRunnerOptions) {}

  async start(
    ctx: Pick<ReconcileContext, 'client'>,
    obj: LoadTestObject,
    generation: number,
    plan: LoadPlan,
    parallelism: number,
    namespace: string,
  ): Promise<void> {
    await ctx.client.apply(loadJob(obj, generation, namespace, plan, parallelism, this.options), { force: true });
  }

  /**
   * Deletes this LoadTest's unfinished Jobs in `namespaces` but `keep`: a Job sends until it ends, so a new
   * generation, a LoadTest deleted (a Job beside the targets has no owner to be collected with) or one the Baseline
   * no longer allows would otherwise go on sending. `keepGeneration`'s Job stays. Returns the Jobs stopped.
   */
  async stop(
    ctx: Pick<ReconcileContext, 'client'>,
    loadTest: { namespace: string; name: string },
    namespaces: readonly string[],
    keepGeneration?: number,
  ): Promise<string[]> {
    const stopped: string[] = [];
    for (const namespace of new Set(namespaces)) {
      const jobs = await ctx.client.list<JobObject>(Kinds.Job.apiVersion, Kinds.Job.kind, {
        namespace,
        labelSelector: `${LOADTEST_LABEL}=${loadTestLabelValue(loadTest.name)},${LOADTEST_NAMESPACE_LABEL}=${loadTest.namespace}`,
      });
      for (const job of jobs.items) {
        const name = job.metadata?.name ?? '';
        const ended = (job.status?.conditions ?? []).some(
          (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
        );
        const keep =
          keepGeneration === undefined
            ? undefined
            : loadJobName(loadTest.name, keepGeneration, loadTest.namespace, namespace);
        if (!name || name === keep || ended) continue;
        await ctx.client.delete({ ...Kinds.Job, namespace, name }, { propagationPolicy: 'Background' });
        stopped.push(`${namespace}/${name}`);
      }
    }
    return stopped;
  }

  /** Where this generation's Job is; results once it completed. */
  async reconcile(
    ctx: Pick<ReconcileContext, 'client'>,
    obj: LoadTestObject,
    generation: number,
    namespace: string,
  ): Promise<JobOutcome> {
    const name = loadJobName(obj.metadata?.name ?? '', generation, obj.metadata?.namespace, namespace);
    const job = await ctx.client.get<JobObject>({ ...Kinds.Job, namespace, name });
    if (!job) return { kind: 'none' };
    const conditions = job.status?.conditions ?? [];
    if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) {
      const failed = conditions.find((c) => c.type === 'Failed');
      return {
        kind: 'failed',
        message: `the load Job ${namespace}/${name} failed: ${failed?.reason ?? ''} ${failed?.message ?? ''}`.trim(),
      };
    }
    if (!conditions.some((c) => c.type === 'Complete' && c.status === 'True')) {
      return {
        kind: 'running',
        message: `the load Job ${namespace}/${name} runs: ${job.status?.succeeded ?? 0} worker(s) done, ${job.status?.active ?? 0} active`,
      };
    }
    const pods = await ctx.client.list<PodObject & { status?: { phase?: string } }>('v1', 'Pod', {
      namespace,
      labelSelector: `${JOB_NAME_LABEL}=${name}`,
    });
    const byIndex = new Map<string, WorkerResult>();
    for (const pod of pods.items.filter((p) => p.status?.phase === 'Succeeded')) {
      const result = resultFromLog(await podLog(ctx.client, namespace, pod.metadata?.name ?? ''));
      if (result) byIndex.set(pod.metadata?.labels?.[INDEX_LABEL] ?? String(result.worker.index), result);
    }
    const expected = (job.spec as { completions?: number } | undefined)?.completions ?? 1;
    if (byIndex.size < expected)
      return {
        kind: 'failed',
        message: `the load Job ${namespace}/${name} completed but only ${byIndex.size} of ${expected} workers left a result in their log`,
      };
    return { kind: 'results', results: [...byIndex.values()], plan: undefined };
  }
}
