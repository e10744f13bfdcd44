import { createHash } from 'node:crypto';
import type { StagingEnvironmentSpec } from '../../api/stagingenvironment';
import { TEST_LABEL, testJobs } from '../../environment/children';
import { isManagedBy, markManaged, type EnvironmentRef } from '../../environment/labels';
import { isRecord, type KubeObject } from '../../environment/objects';
import { canonicalJson } from '../../environment/revision';
import { KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import type { TestProgress } from './status';
import { JOB_REF, cacheOf } from './watches';

// spec.tests: one Job per test, started once the environment is Ready. A
// Job's spec is immutable, so a Job whose template (or the environment's
// generation: a changed environment is tested again) no longer matches is
// deleted and created afresh on a later reconcile, once it is gone.

export const TEST_REVISION_ANNOTATION = 'understudy.dev/test-revision';

export interface TestsInput {
  spec: StagingEnvironmentSpec;
  environment: EnvironmentRef;
  generation: number;
  targetNamespace: string;
  /** Whether the environment is Ready now: new Jobs start only then. */
  ready: boolean;
}

/** What to do about the test Jobs: a pure function of the spec and the Jobs in the cache. */
export interface TestsPlan {
  /** Jobs to delete: no longer declared, or of an older revision (a Job's spec is immutable). */
  deletes: KubeObject[];
  /** Jobs to create now (the environment is Ready), each checked by a dry run of its pod first. */
  creates: KubeObject[];
  progress: TestProgress;
}

export function planTests(input: TestsInput, cached: readonly KubeObject[]): TestsPlan | undefined {
  const desired = testJobs(input.spec).map((job) =>
    withRevision(markManaged(job, input.environment, input.targetNamespace), input.generation),
  );
  const live = cached.filter(
    (job) => isManagedBy(job, input.environment) && job.metadata.labels?.[TEST_LABEL] !== undefined,
  );
  const deletes = live.filter((j) => !desired.some((d) => d.metadata.name === j.metadata.name));
  if (desired.length === 0)
    return deletes.length > 0
      ? { deletes, creates: [], progress: { total: 0, succeeded: 0, failed: [], running: 0, waiting: 0 } }
      : undefined;
  const creates: KubeObject[] = [];
  const progress: TestProgress = { total: desired.length, succeeded: 0, failed: [], running: 0, waiting: 0 };
  for (const job of desired) {
    const current = live.find((j) => j.metadata.name === job.metadata.name);
    if (
      current &&
      current.metadata.annotations?.[TEST_REVISION_ANNOTATION] !== job.metadata.annotations?.[TEST_REVISION_ANNOTATION]
    ) {
      deletes.push(current);
      progress.waiting++;
    } else if (current) {
      const outcome = outcomeOf(current);
      if (outcome === 'succeeded') progress.succeeded++;
      else if (outcome === 'failed') progress.failed.push(testName(job));
      else progress.running++;
    } else if (input.ready) {
      creates.push(job);
    } else {
      progress.waiting++;
    }
  }
  return { deletes, creates, progress };
}

/** Carries out the plan: deletes, then creates what the API server would accept; the progress counts both. */
export async function reconcileTests(input: TestsInput, ctx: ReconcileContext): Promise<TestProgress | undefined> {
  const plan = planTests(input, cacheOf(ctx, JOB_REF).list(input.targetNamespace));
  if (!plan) return undefined;
  for (const job of plan.deletes) await deleteJob(job, ctx);
  const progress = plan.progress;
  for (const job of plan.creates) {
    const refusal = await podRefusal(job, ctx);
    if (refusal) {
      (progress.refused ??= []).push({ name: testName(job), message: refusal });
      continue;
    }
    await ctx.client.apply(job, { force: true });
    progress.running++;
  }
  return progress.total === 0 ? undefined : progress;
}

function testName(job: KubeObject): string {
  return job.metadata.labels?.[TEST_LABEL] ?? job.metadata.name;
}

/**
 * Why the API server would refuse the test's pods, asked with a dry run of one
 * (PodSecurity judges pods, not Jobs: a Job whose pods are refused would hang
 * without a word in its status).
 */
async function podRefusal(job: KubeObject, ctx: ReconcileContext): Promise<string | undefined> {
  const template = isRecord(job.spec) && isRecord(job.spec.template) ? job.spec.template : {};
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: job.metadata.name, namespace: job.metadata.namespace },
    spec: isRecord(template.spec) ? template.spec : {},
  };
  try {
    await ctx.client.create(pod, { dryRun: true });
    return undefined;
  } catch (error) {
    if (error instanceof KubeApiError && (error.statusCode === 403 || error.statusCode === 422))
      return error.message.replace(/^[A-Z]+ \S+: HTTP \d+: /, '');
    throw error;
  }
}

function withRevision(job: KubeObject, generation: number): KubeObject {
  const revision = `${createHash('sha256').update(canonicalJson(job.spec)).digest('hex').slice(0, 16)}-g${generation}`;
  return {
    ...job,
    metadata: { ...job.metadata, annotations: { ...job.metadata.annotations, [TEST_REVISION_ANNOTATION]: revision } },
  };
}

function outcomeOf(job: KubeObject): 'succeeded' | 'failed' | 'running' {
  const status = isRecord(job.status) ? job.status : {};
  const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isRecord) : [];
  const holds = (type: string): boolean => conditions.some((c) => c.type === type && c.status === 'True');
  if (holds('Complete')) return 'succeeded';
  if (holds('Failed')) return 'failed';
  return 'running';
}

async function deleteJob(job: KubeObject, ctx: ReconcileContext): Promise<void> {
  if (job.metadata.deletionTimestamp) return;
  await ctx.client.delete(
    { apiVersion: JOB_REF.apiVersion, kind: JOB_REF.kind, namespace: job.metadata.namespace, name: job.metadata.name },
    { propagationPolicy: 'Background' },
  );
}
