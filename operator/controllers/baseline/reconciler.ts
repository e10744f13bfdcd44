import { BASELINE_CONDITIONS, parseBaselineSpec, type BaselineStatus } from '../../api/baseline';
import type { Condition } from '../../api/common';
import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import { setCondition, setReconciling, setStalled } from '../../runtime/conditions';
import { isNotFound } from '../../runtime/kube-errors';
import type { Caches, ReconcileContext, Reconciler, Request, Result } from '../../runtime/reconciler';
import { writeStatus } from '../../runtime/status';
import { accessNeeds, describeNeed, type AccessNeed } from './access-checks';

// A Baseline is the admin's; the operator only says whether it can use it:
// whether it may read the source and the Secrets the Baseline names, as the
// API server answers (SelfSubjectAccessReview), and how many environments
// use it. Admins learn about a missing grant here, before a tenant's
// environment stalls on it.

const RECHECK_MS = 5 * 60_000;

type BaselineObject = KubernetesObject & {
  metadata: { name: string; generation?: number };
  spec?: unknown;
  status?: BaselineStatus;
};

export interface BaselineReconcilerOptions {
  operatorNamespace: string;
  /** How many StagingEnvironments name the Baseline, from the controller's caches. */
  environmentsUsing(caches: Caches, name: string): number;
  now?: () => Date;
}

export class BaselineReconciler implements Reconciler {
  private readonly now: () => Date;

  constructor(private readonly options: BaselineReconcilerOptions) {
    this.now = options.now ?? (() => new Date());
  }

  async reconcile(req: Request, ctx: ReconcileContext): Promise<Result> {
    const baseline = ctx.primary.get('', req.name) as BaselineObject | undefined;
    if (!baseline) return {};
    const generation = baseline.metadata.generation ?? 0;
    const now = this.now();
    const parsed = parseBaselineSpec(baseline.spec);
    let conditions: Condition[] = baseline.status?.conditions ?? [];
    if (!parsed.ok) {
      const message = `${parsed.field}: ${parsed.message}`;
      conditions = setCondition(
        conditions,
        {
          type: BASELINE_CONDITIONS.ready,
          status: 'False',
          reason: 'InvalidSpec',
          message,
          observedGeneration: generation,
        },
        now,
      );
      conditions = setStalled(
        setReconciling(conditions, false, now),
        { reason: 'InvalidSpec', message, observedGeneration: generation },
        now,
      );
      await this.report(baseline, ctx, {
        conditions,
        observedGeneration: generation,
        environments: this.options.environmentsUsing(ctx, req.name),
      });
      return {};
    }
    const missing = await this.missingAccess(accessNeeds(parsed.spec, this.options.operatorNamespace), ctx);
    const sourceMissing = missing.filter((n) => n.condition === 'SourceReadable');
    const secretsMissing = missing.filter((n) => n.condition === 'SecretsReadable');
    const grant = 'grant it with the chart value rbac.secretNamespaces or a RoleBinding (docs/security.md)';
    conditions = setCondition(
      conditions,
      sourceMissing.length === 0
        ? {
            type: BASELINE_CONDITIONS.sourceReadable,
            status: 'True',
            reason: 'Readable',
            message: 'the operator may read the source',
            observedGeneration: generation,
          }
        : {
            type: BASELINE_CONDITIONS.sourceReadable,
            status: 'False',
            reason: 'AccessDenied',
            message: `the operator may not ${sourceMissing.map(describeNeed).join('; ')}`,
            observedGeneration: generation,
          },
      now,
    );
    conditions = setCondition(
      conditions,
      secretsMissing.length === 0
        ? {
            type: BASELINE_CONDITIONS.secretsReadable,
            status: 'True',
            reason: 'Readable',
            message: 'the operator may read every Secret the Baseline names',
            observedGeneration: generation,
          }
        : {
            type: BASELINE_CONDITIONS.secretsReadable,
            status: 'False',
            reason: 'AccessDenied',
            message: `the operator may not ${secretsMissing.map(describeNeed).join('; ')}; ${grant}`,
            observedGeneration: generation,
          },
      now,
    );
    const ready = missing.length === 0;
    const reason = sourceMissing.length > 0 ? 'SourceUnreadable' : 'SecretsUnreadable';
    const message = ready
      ? 'the operator may read everything the Baseline names'
      : `the operator may not ${missing.map(describeNeed).join('; ')}`;
    conditions = setCondition(
      conditions,
      {
        type: BASELINE_CONDITIONS.ready,
        status: ready ? 'True' : 'False',
        reason: ready ? 'Readable' : reason,
        message,
        observedGeneration: generation,
      },
      now,
    );
    conditions = setStalled(
      setReconciling(conditions, false, now),
      ready ? false : { reason, message, observedGeneration: generation },
      now,
    );
    await this.report(baseline, ctx, {
      environments: this.options.environmentsUsing(ctx, req.name),
      ...(parsed.spec.podSecurity ? { podSecurity: parsed.spec.podSecurity } : {}),
      conditions,
      observedGeneration: generation,
    });
    // Grants change without any event the operator sees; look again now and then.
    return { requeueAfterMs: RECHECK_MS };
  }

  private async missingAccess(needs: readonly AccessNeed[], ctx: ReconcileContext): Promise<AccessNeed[]> {
    const answers = await Promise.all(needs.map(async (need) => ((await allowed(need, ctx)) ? undefined : need)));
    return answers.filter((n): n is AccessNeed => n !== undefined);
  }

  private async report(baseline: BaselineObject, ctx: ReconcileContext, status: BaselineStatus): Promise<void> {
    try {
      await writeStatus(ctx.client, baseline, status);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

async function allowed(need: AccessNeed, ctx: ReconcileContext): Promise<boolean> {
  const review = await ctx.client.review<KubernetesObject & { status?: { allowed?: boolean } }>({
    apiVersion: Kinds.SelfSubjectAccessReview.apiVersion,
    kind: Kinds.SelfSubjectAccessReview.kind,
    spec: {
      resourceAttributes: {
        namespace: need.namespace,
        verb: need.verb,
        group: need.group,
        resource: need.resource,
        ...(need.name ? { name: need.name } : {}),
      },
    },
  });
  return review.status?.allowed === true;
}
