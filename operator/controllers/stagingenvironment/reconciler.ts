import { CONDITION_TYPES, parseStagingEnvironmentSpec, type StagingEnvironmentStatus } from '../../api/stagingenvironment';
import type { OperatorMetrics } from '../../metrics/operator-metrics';
import { resolveCopySpec, type CopySpec } from '../../environment/copy-spec';
import { claimedHosts } from '../../environment/host-policy';
import { environmentOfNamespace, namespaceOwnership } from '../../environment/namespace';
import { copiedKinds } from '../../environment/kinds';
import { expiryOf } from '../../environment/lifecycle';
import type { KubeObject } from '../../environment/objects';
import { managedSelector, type EnvironmentRef } from '../../environment/labels';
import type { KubernetesObject } from '../../runtime/client-node';
import { PlanError, type ServiceSummary } from '../../environment/plan';
import { serviceStatus, type ServiceStatus } from '../../environment/status';
import { kubeTime, getCondition } from '../../runtime/conditions';
import { addFinalizer, hasFinalizer } from '../../runtime/finalizers';
import { KubeApiError, isNotFound } from '../../runtime/kube-errors';
import type { ReconcileContext, Reconciler, Request, Result } from '../../runtime/reconciler';
import { writeStatus } from '../../runtime/status';
import { applyDesired, createNamespace, liveObjects, pruneUndesired, type LiveObjects } from './apply';
import { accessBaseline, type GrantedBaseline } from '../baseline-access';
import { apiVersionOf, BaselineReader } from './baseline';
import { childTemplateProblem, seedProgress } from './children';
import { DecisionCache, type Decision } from './decide';
import { type EnvironmentObject, FINALIZER, PeriodicSweep, deleteNamespace, finalize, refOf, sweepOrphans } from './lifecycle';
import { environmentStatus, stalledStatus, transitions, waitingStatus, type Stall } from './status';
import { reconcileTests } from './tests';
import { ensureAccess, type Subject, whoAmI } from './namespace-access';
import { DATA_SEED_REF, type EnvironmentIndex, NAMESPACE_REF, SECRET_REF, cacheOf } from './watches';

// Thin: read (the environment, its baseline, the target namespace), decide
// (planEnvironment, memoised), act (finalizer, namespace, apply, prune,
// tests), report (status through the status subresource, Events only on
// transitions). Everything is validated and planned before the first write,
// so a bad spec or a missing baseline writes nothing but status.

const WAIT_MS = 2_000;
const APPLIED_RECHECK_MS = 5_000;
const REMOTE_BASELINE_RESYNC_MS = 5 * 60_000;
const MAX_REQUEUE_MS = 60 * 60_000;
/** Every environment is looked at again this often: drift the watches missed, and the orphan sweep, get a chance. */
const RESYNC_MS = 10 * 60_000;
const ORPHAN_SWEEP_MS = 5 * 60_000;

export interface StagingEnvironmentReconcilerOptions {
  index: EnvironmentIndex;
  /** The namespaces the operator watches (undefined: all), so the orphan sweep stays within them. */
  namespaces: readonly string[] | undefined;
  /** The operator's namespace, where remote Baselines' kubeconfig Secrets live. */
  operatorNamespace: string;
  /** The ClusterRole the operator binds itself in each namespace it creates, to read the Secrets it wrote there. */
  managedNamespaceRole: string;
  now?: () => Date;
  /** Environments by phase, time to Ready, expirations and cleanups (understudy_environment*). */
  metrics?: OperatorMetrics;
}

export class StagingEnvironmentReconciler implements Reconciler {
  private readonly baselines: BaselineReader;
  private readonly decisions = new DecisionCache();
  /**
   * When each decision's leftovers were last pruned. Pruning scans every
   * cache, and mostly only a new decision leaves objects undesired; the
   * resync prunes again, for an object that reached the cache late.
   */
  private readonly prunedAt = new WeakMap<Decision, number>();
  private readonly sweep: PeriodicSweep;
  private readonly now: () => Date;
  private whoAmI: Promise<Subject> | undefined;

  constructor(private readonly options: StagingEnvironmentReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
    this.baselines = new BaselineReader(options.index, options.operatorNamespace);
    this.sweep = new PeriodicSweep(ORPHAN_SWEEP_MS, options.namespaces, () => this.now().getTime());
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    // The sweep rides along; its failure is no reason to fail this environment.
    await this.sweep.maybeRun(ctx).catch((error: unknown) => ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'orphan sweep failed; retried at the next interval'));
    const env = ctx.primary.get(req.namespace, req.name) as EnvironmentObject | undefined;
    if (!env) {
      this.forget(req);
      return sweepOrphans(req, ctx, this.options.namespaces);
    }
    const generation = env.metadata.generation ?? 0;
    if (env.metadata.deletionTimestamp) {
      const result = await finalize(env, ctx, (message) => this.report(env, ctx, waitingStatus(env.status, { generation, now: this.now(), reason: 'Terminating', message }, 'Terminating')));
      if (hasFinalizer(env, FINALIZER) && Object.keys(result).length === 0) this.options.metrics?.environmentCleanedUp('finalized');
      if (!hasFinalizer(env, FINALIZER) || Object.keys(result).length === 0) this.forget(req);
      return result;
    }
    const parsed = parseStagingEnvironmentSpec(env.spec);
    if (!parsed.ok) return this.stall(env, ctx, { reason: 'InvalidSpec', message: `${parsed.field}: ${parsed.message}` });
    const spec = parsed.spec;
    this.options.index.set(req, { baselineName: spec.baselineRef.name, ...(env.status?.namespace ? { targetNamespace: env.status.namespace } : {}) });
    // Nothing of a Baseline is read for a namespace it does not allow.
    const access = accessBaseline(ctx, spec.baselineRef.name, req.namespace);
    if (!access.ok) return this.stall(env, ctx, { reason: access.reason, message: `${access.field}: ${access.message}` });
    const createdAt = new Date(env.metadata.creationTimestamp ?? this.now());
    const resolved = resolveCopySpec({
      environment: refOf(env),
      spec,
      baseline: access.baseline,
      createdAt,
      ...productionLabels(ctx, access.baseline),
    });
    if (!resolved.ok) return this.stall(env, ctx, { reason: 'ExceedsBaseline', message: `${resolved.field}: ${resolved.message}` });
    return this.reconcileValid(env, resolved.copy, access.baseline, req, ctx);
  }

  private async reconcileValid(observed: EnvironmentObject, spec: CopySpec, granted: GrantedBaseline, req: Request, ctx: ReconcileContext): Promise<Result> {
    // Rebound once the finalizer is added, so later writes start from what the server has.
    let env = observed;
    const now = this.now();
    const environment = refOf(env);
    const createdAt = new Date(env.metadata.creationTimestamp ?? now);
    const expiresAt = expiryOf(spec, createdAt);
    if (expiresAt && expiresAt.getTime() <= now.getTime()) return this.expire(env, ctx, expiresAt);
    const extra = expiresAt ? { expiresAt: kubeTime(expiresAt) } : {};
    const source = granted.spec.source;
    const sources = {
      baselineName: granted.name,
      ...(!source.cluster && !source.manifests ? { baselineNamespace: spec.source.namespace } : {}),
      ...(source.manifests ? { manifests: `${source.manifests.configMapRef.namespace}/${source.manifests.configMapRef.name}` } : {}),
    };
    const targetNamespace = env.status?.namespace ?? spec.targetNamespace;
    this.options.index.set(req, { ...sources, targetNamespace });

    // Read.
    const baseline = await this.baselines.read({ metadata: environment, spec, baseline: granted }, ctx);
    if (!baseline.ok) {
      const retry = baseline.reason === 'BaselineUnreachable' ? { requeueAfterMs: 30_000 } : {};
      return this.stall(env, ctx, { reason: baseline.reason, message: `${baseline.field}: ${baseline.message}` }, extra, retry);
    }
    const existing = cacheOf(ctx, NAMESPACE_REF).get('', targetNamespace);
    const ownership = namespaceOwnership(existing, environment);
    if (ownership.state === 'foreign') {
      const previousOwner = existing ? environmentOfNamespace(existing) : undefined;
      // Left by an earlier environment of this name: an orphan, swept before the new copy starts.
      if (existing && previousOwner?.name === environment.name && previousOwner.namespace === environment.namespace) {
        await deleteNamespace(existing, ctx);
        return this.wait(env, ctx, `namespace ${targetNamespace} of an earlier StagingEnvironment of this name is being deleted`, extra);
      }
      return this.stall(env, ctx, { reason: 'NamespaceNotOwned', message: `status.namespace: ${ownership.reason}` }, extra);
    }
    if (ownership.state === 'terminating') return this.wait(env, ctx, `namespace ${targetNamespace} is still being deleted`, extra);

    // Decide.
    let decision: Decision;
    try {
      decision = this.decisions.decide(key(req), {
        environment,
        generation: env.metadata.generation ?? 0,
        spec,
        baseline: baseline.objects,
        baselineFingerprint: baseline.fingerprint,
        targetNamespace,
        ...(await this.tlsSecret(spec, ctx)),
        secrets: ownership.state === 'absent' ? [] : await this.ownSecrets(ctx, targetNamespace, environment),
      });
    } catch (error) {
      if (error instanceof PlanError) return this.stall(env, ctx, { reason: 'InvalidSpec', message: error.message }, extra);
      throw error;
    }
    const childProblem = childTemplateProblem(spec);
    if (childProblem) return this.stall(env, ctx, { reason: 'InvalidSpec', message: `${childProblem.field}: ${childProblem.message}` }, extra);
    const claimed = claimedHost(decision.plan.urls, cacheOf(ctx, INGRESS_REF).list(), targetNamespace);
    if (claimed) return this.stall(env, ctx, { reason: 'HostClaimed', message: `spec.ingress.hostTemplate: ${claimed}` }, extra);

    const { plan } = decision;
    const generation = env.metadata.generation ?? 0;
    const provisionedBefore = getCondition(env.status?.conditions, CONDITION_TYPES.provisioned);
    const copiedRevision = env.status?.baselineRevision;
    const stale = provisionedBefore?.status === 'True' && provisionedBefore.observedGeneration === generation && copiedRevision !== undefined && copiedRevision !== plan.baselineRevision;

    // Act.
    if (!stale && ownership.state === 'absent') {
      env = await this.createNamespace(env, decision, ctx);
      await ensureAccess(ctx, targetNamespace, () => this.identity(ctx), this.options.managedNamespaceRole);
    } else if (existing) {
      await followPodSecurity(existing, decision.plan.namespace, ctx);
    }
    const extraKinds = [...copiedKinds(spec.kinds, spec.secrets.policy).map((k) => ({ apiVersion: apiVersionOf(k), kind: k.kind })), SECRET_REF];
    const live = await liveObjects(ctx, targetNamespace, environment, extraKinds);
    let applied = { objects: 0, written: new Set<string>() };
    if (!stale) {
      const outcome = await this.provision(env, decision, live, ctx);
      if ('stall' in outcome) return this.stall(env, ctx, outcome.stall, extra, { requeue: true });
      applied = outcome;
    }
    const services = serviceStatuses(stale ? summariesOf(env.status) : plan.services, live, applied.written);
    const seeds = seedProgress(spec, targetNamespace, cacheOf(ctx, DATA_SEED_REF));
    const ready = services.every((s) => s.ready) && seeds.pending.length === 0 && seeds.failed.length === 0;
    const tests = await reconcileTests({ spec, environment, generation, targetNamespace, ready }, ctx);

    // Report.
    const status = environmentStatus({
      generation,
      createdAt,
      now,
      previous: env.status,
      targetNamespace,
      ...(expiresAt ? { expiresAt } : {}),
      suspended: spec.suspend,
      provisioned: true,
      appliedObjects: stale ? decision.desired.length : applied.objects,
      warnings: stale ? [] : decision.warnings,
      baselineRevision: stale && copiedRevision ? copiedRevision : plan.baselineRevision,
      ...(stale ? { staleRevision: plan.baselineRevision } : {}),
      services,
      urls: stale ? (env.status?.urls ?? []) : plan.urls,
      redacted: stale ? (env.status?.redactedValues ?? []) : plan.redacted,
      seeds,
      ...(tests ? { tests } : {}),
    });
    await this.report(env, ctx, status);
    // A workload applied just now is reported not ready until its watch event brings the new version; should none come, look again.
    const next = this.nextReconcile(expiresAt, baseline.remote);
    return applied.written.size > 0 ? { requeueAfterMs: Math.min(next.requeueAfterMs ?? APPLIED_RECHECK_MS, APPLIED_RECHECK_MS) } : next;
  }

  /**
   * The finalizer first, so a namespace never exists without the cleanup that
   * deletes it. Returns the environment as the server now has it, so the rest
   * of the reconcile does not patch the finalizer in again from a stale copy.
   */
  private async createNamespace(env: EnvironmentObject, decision: Decision, ctx: ReconcileContext): Promise<EnvironmentObject> {
    const { plan } = decision;
    const current = hasFinalizer(env, FINALIZER) ? env : await addFinalizer(ctx.client, env, FINALIZER);
    const created = await createNamespace(ctx.client, plan.namespace);
    if (created === 'exists') throw new Error(`namespace ${plan.targetNamespace} appeared meanwhile; checking who owns it on the next attempt`);
    void ctx.recorder.event(env, 'Normal', 'NamespaceCreated', `created namespace ${plan.targetNamespace}`);
    return current;
  }

  private identity(ctx: ReconcileContext): Promise<Subject> {
    this.whoAmI ??= whoAmI(ctx.client).catch((error: unknown) => {
      this.whoAmI = undefined;
      throw error;
    });
    return this.whoAmI;
  }

  /**
   * The environment's own Secrets in its namespace, listed live (the operator
   * caches no Secret) through the binding it gives itself there; a namespace
   * made before the binding existed gets it first.
   */
  private async ownSecrets(ctx: ReconcileContext, namespace: string, environment: EnvironmentRef): Promise<KubeObject[]> {
    await ensureAccess(ctx, namespace, () => this.identity(ctx), this.options.managedNamespaceRole);
    try {
      const list = await ctx.client.list<KubernetesObject>(SECRET_REF.apiVersion, SECRET_REF.kind, { namespace, labelSelector: managedSelector(environment) });
      return list.items as unknown as KubeObject[];
    } catch (error) {
      // RBAC takes a moment to see a binding made just now: the backoff's next attempt reads it.
      if (error instanceof KubeApiError && error.statusCode === 403) throw new Error(`waiting for the operator's access to namespace ${namespace}: ${error.message}`);
      throw error;
    }
  }

  /** Apply and prune: the only writes to the environment's objects. */
  private async provision(env: EnvironmentObject, decision: Decision, live: LiveObjects, ctx: ReconcileContext): Promise<{ objects: number; written: Set<string> } | { stall: Stall }> {
    const environment = refOf(env);
    const generation = env.metadata.generation ?? 0;
    if (!hasFinalizer(env, FINALIZER)) await addFinalizer(ctx.client, env, FINALIZER);
    try {
      const written = new Set<string>();
      const outcome = await applyDesired(ctx.client, decision.desired, live, (object) => written.add(`${object.kind}/${object.metadata.name}`));
      const lastPrune = this.prunedAt.get(decision);
      const now = this.now().getTime();
      const pruned = lastPrune !== undefined && now - lastPrune < RESYNC_MS ? [] : await pruneUndesired(ctx.client, decision.desired, live, environment);
      if (lastPrune === undefined || now - lastPrune >= RESYNC_MS) this.prunedAt.set(decision, now);
      if (outcome.applied > 0 || pruned.length > 0) ctx.log.info({ applied: outcome.applied, unchanged: outcome.unchanged, pruned: pruned.length }, 'environment objects written');
      if (pruned.length > 0) void ctx.recorder.event(env, 'Normal', 'Pruned', `deleted objects no longer desired: ${pruned.slice(0, 10).join(', ')}${pruned.length > 10 ? ` and ${pruned.length - 10} more` : ''}`);
      return { objects: outcome.applied + outcome.unchanged, written };
    } catch (error) {
      // The server refused an object for good (invalid, forbidden): no retry fixes that without a change.
      if (error instanceof KubeApiError && [400, 403, 422].includes(error.statusCode)) {
        return { stall: { generation, now: this.now(), reason: 'ApplyFailed', message: error.message } };
      }
      throw error;
    }
  }

  /** The Baseline's TLS Secret, read live where the admin granted the operator read access; absent or unreadable is a warning, not a failure. */
  private async tlsSecret(spec: CopySpec, ctx: ReconcileContext): Promise<{ tlsSecret?: KubeObject }> {
    const ref = spec.ingress?.tlsSecretRef;
    if (!ref) return {};
    try {
      const secret = await ctx.client.get({ ...SECRET_REF, namespace: ref.namespace, name: ref.name });
      return secret ? { tlsSecret: secret as unknown as KubeObject } : {};
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode === 403) return {};
      throw error;
    }
  }

  private async expire(env: EnvironmentObject, ctx: ReconcileContext, expiresAt: Date): Promise<Result> {
    const message = `expired at ${kubeTime(expiresAt)}; deleting the environment`;
    await this.report(env, ctx, waitingStatus(env.status, { generation: env.metadata.generation ?? 0, now: this.now(), reason: 'Expired', message }, 'Expired'));
    void ctx.recorder.event(env, 'Normal', 'Expired', message);
    await ctx.client.delete({ apiVersion: env.apiVersion ?? '', kind: env.kind ?? '', namespace: env.metadata.namespace, name: env.metadata.name }, { preconditions: { ...(env.metadata.uid ? { uid: env.metadata.uid } : {}) } });
    return {};
  }

  private async stall(env: EnvironmentObject, ctx: ReconcileContext, stall: Omit<Stall, 'generation' | 'now'> | Stall, extra: Partial<StagingEnvironmentStatus> = {}, result: Result = {}): Promise<Result> {
    await this.report(env, ctx, stalledStatus(env.status, { generation: env.metadata.generation ?? 0, now: this.now(), ...stall }, extra));
    return result;
  }

  private async wait(env: EnvironmentObject, ctx: ReconcileContext, message: string, extra: Partial<StagingEnvironmentStatus>): Promise<Result> {
    await this.report(env, ctx, { ...waitingStatus(env.status, { generation: env.metadata.generation ?? 0, now: this.now(), reason: 'NamespaceTerminating', message }, env.status?.phase ?? 'Provisioning'), ...extra });
    return { requeueAfterMs: WAIT_MS };
  }

  /** Writes the status when it changed, then one Event per condition that changed. */
  private async report(env: EnvironmentObject, ctx: ReconcileContext, status: StagingEnvironmentStatus): Promise<void> {
    let written: boolean;
    try {
      ({ written } = await writeStatus(ctx.client, env, status));
    } catch (error) {
      // Deleted since the cache was read: nothing left to report on.
      if (isNotFound(error)) return;
      throw error;
    }
    this.options.metrics?.environmentReported(env.metadata, env.status, status);
    if (!written) return;
    for (const t of transitions(env.status?.conditions, status.conditions)) void ctx.recorder.event(env, t.type, t.reason, t.message);
  }

  private nextReconcile(expiresAt: Date | undefined, remote: boolean): Result {
    const untilExpiry = expiresAt ? Math.max(1, expiresAt.getTime() - this.now().getTime()) : undefined;
    const delays = [untilExpiry, remote ? REMOTE_BASELINE_RESYNC_MS : RESYNC_MS].filter((d): d is number => d !== undefined);
    return { requeueAfterMs: Math.min(MAX_REQUEUE_MS, ...delays) };
  }

  private forget(req: Request): void {
    this.options.metrics?.environmentForgotten(req);
    this.options.index.delete(req);
    this.decisions.forget(key(req));
  }
}

/** What the status listed, for an environment whose baseline moved on: its services are the ones copied then. */
function summariesOf(status: StagingEnvironmentStatus | undefined): ServiceSummary[] {
  return (status?.services ?? []).map((s) => ({ name: s.name, kind: s.kind, mode: s.mode ?? 'copy', ...(s.image ? { image: s.image } : {}), ...(s.replicas !== undefined ? { replicas: s.replicas } : {}) }));
}

/** Readiness from the live workloads; one this reconcile just applied is not ready until the cache shows the new version. */
function serviceStatuses(summaries: readonly ServiceSummary[], live: LiveObjects, justApplied: ReadonlySet<string>): ServiceStatus[] {
  return summaries.map((summary) => {
    if (summary.mode === 'shared') return serviceStatus(summary, undefined);
    const workload = live.get({ apiVersion: 'apps/v1', kind: summary.kind, metadata: { name: summary.name } });
    const status = serviceStatus(summary, workload);
    return justApplied.has(`${summary.kind}/${summary.name}`) ? { ...status, ready: false } : status;
  });
}

const INGRESS_REF = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' } as const;

/** A host of the plan that an Ingress outside the environment already serves: a preview never takes over another's (or production's) host. */
function claimedHost(urls: readonly string[], ingresses: readonly KubeObject[], targetNamespace: string): string | undefined {
  const claims = claimedHosts(ingresses, targetNamespace);
  for (const url of urls) {
    const host = new URL(url).hostname;
    const owner = claims.get(host);
    if (owner) return `host ${host} is already served by Ingress ${owner}`;
  }
  return undefined;
}

/** An admin who tightens a Baseline's PodSecurity level tightens the previews already made from it. */
async function followPodSecurity(existing: KubeObject, desired: KubeObject, ctx: ReconcileContext): Promise<void> {
  const labels = Object.fromEntries(Object.entries(desired.metadata.labels ?? {}).filter(([key]) => key.startsWith('pod-security.kubernetes.io/')));
  if (Object.entries(labels).every(([key, value]) => existing.metadata.labels?.[key] === value)) return;
  await ctx.client.mergePatch({ apiVersion: 'v1', kind: 'Namespace', name: existing.metadata.name }, { metadata: { labels } });
}

/** The production namespace's labels, for its PodSecurity level; a remote or rendered source has none here. */
function productionLabels(ctx: ReconcileContext, baseline: GrantedBaseline): { productionNamespaceLabels?: Record<string, string> } {
  const { source } = baseline.spec;
  if (source.cluster || source.manifests) return {};
  const labels = cacheOf(ctx, NAMESPACE_REF).get('', source.namespace ?? '')?.metadata.labels;
  return labels ? { productionNamespaceLabels: labels } : {};
}

function key(req: Request): string {
  return `${req.namespace}/${req.name}`;
}
