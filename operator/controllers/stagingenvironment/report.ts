import type { StagingEnvironmentStatus } from '../../api/stagingenvironment';
import type { OperatorMetrics } from '../../metrics/operator-metrics';
import { kubeTime } from '../../runtime/conditions';
import { isNotFound } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { writeStatus } from '../../runtime/status';
import type { Acted } from './act';
import type { Decision } from './decide';
import type { EnvironmentObject } from './lifecycle';
import type { Observed } from './observe';
import { environmentStatus, expiredStatus, stalledStatus, transitions, waitingStatus } from './status';

// Report: the status a decision and its outcome come to, written through the
// status subresource only when it changed (a reconcile that changed nothing
// writes nothing), with one Event per condition that changed.

/** The new status, or undefined when there is nothing to report (the resource is gone, or only access was granted). */
export function statusOf(decision: Decision, observed: Observed, acted: Acted): StagingEnvironmentStatus | undefined {
  const { env, now } = observed;
  const generation = env.metadata.generation ?? 0;
  const previous = env.status;
  if (acted.action === 'stalledApply') {
    return stalledStatus(
      previous,
      { generation, now, reason: acted.reason, message: acted.message },
      decision.action === 'provision' ? decision.extra : {},
    );
  }
  switch (decision.action) {
    case 'finalize': {
      if (acted.action !== 'finalize' || acted.remaining.length === 0) return undefined;
      const message = `deleting namespace ${acted.remaining.join(', ')}; waiting until it is gone`;
      return waitingStatus(previous, { generation, now, reason: 'Terminating', message }, 'Terminating');
    }
    case 'stall':
      return stalledStatus(
        previous,
        { generation, now, reason: decision.reason, message: decision.message },
        decision.extra,
      );
    case 'wait':
      return {
        ...waitingStatus(
          previous,
          { generation, now, reason: decision.reason, message: decision.message },
          decision.phase,
        ),
        ...decision.extra,
      };
    case 'grantAccess':
      return undefined;
    case 'delete': {
      const message = `expired at ${kubeTime(decision.expiresAt)}; deleting the environment`;
      return waitingStatus(previous, { generation, now, reason: 'Expired', message }, 'Expired');
    }
    case 'teardown':
      return expiredStatus(previous, {
        generation,
        now,
        expiresAt: decision.expiresAt,
        because: decision.because,
        deleting: acted.action === 'teardown' ? acted.deleting : [],
        heldByInfrastructure: decision.heldByInfrastructure,
        ...(decision.earlier
          ? { earlier: { uid: decision.earlier.uid, firstCreatedAt: decision.earlier.firstCreatedAt } }
          : {}),
      });
    case 'provision': {
      if (acted.action !== 'provision') return undefined;
      const { planned, stale } = decision;
      const { plan } = planned;
      return environmentStatus({
        generation,
        createdAt: new Date(env.metadata.creationTimestamp ?? now),
        now,
        previous,
        targetNamespace: decision.targetNamespace,
        ...(decision.expiresAt ? { expiresAt: decision.expiresAt } : {}),
        suspended: decision.copy.suspend,
        provisioned: true,
        appliedObjects: acted.objects,
        warnings: stale ? [] : planned.warnings,
        baselineRevision: stale && previous?.baselineRevision ? previous.baselineRevision : plan.baselineRevision,
        ...(stale ? { staleRevision: plan.baselineRevision } : {}),
        services: acted.services.statuses,
        failures: acted.services.failures,
        urls: stale ? (previous?.urls ?? []) : plan.urls,
        redacted: stale ? (previous?.redactedValues ?? []) : plan.redacted,
        seeds: acted.seeds,
        infrastructure: observed.world!.granted.spec.infrastructure?.pulumi !== undefined,
        ...(acted.tests ? { tests: acted.tests } : {}),
      });
    }
  }
}

/** Writes the status when it changed, then one Event per condition that changed. */
export async function report(
  env: EnvironmentObject,
  ctx: ReconcileContext,
  status: StagingEnvironmentStatus | undefined,
  metrics?: OperatorMetrics,
): Promise<void> {
  if (!status) return;
  let written: boolean;
  try {
    ({ written } = await writeStatus(ctx.client, env, status));
  } catch (error) {
    // Deleted since the cache was read: nothing left to report on.
    if (isNotFound(error)) return;
    throw error;
  }
  metrics?.environmentReported(env.metadata, env.status, status);
  if (!written) return;
  for (const t of transitions(env.status, status))
    void ctx.recorder.event(env, t.type, t.reason, t.message, undefined, { transition: true });
}
