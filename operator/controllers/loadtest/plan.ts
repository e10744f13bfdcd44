import type { LoadScenario, LoadThreshold } from '../../api/load-scenario';
import type { LoadTestSpec } from '../../api/loadtest';
import type { Arrival } from '../../load/open';
import type { ProductionProfile } from '../../load/profile';
import type { ReconcileContext } from '../../runtime/reconciler';
import type { TenantNetwork } from '../../runtime/tenant-network';
import type { PlanProblem } from './problem';
import type { LoadTestObject } from './kind';
import type { Resolution } from './resolve';
import { profileScenario } from './profile-source';
import { replayScenario } from './replay-source';
import { valuesFrom } from './values-source';

// What the generator runs: the spec's scenarios, plus the one a profile of
// production or a replayed access log makes, with targets as resolved URLs.

export interface LoadPlan {
  scenarios: LoadScenario[];
  targets: Record<string, string>;
  values: Record<string, string[]>;
  thresholds: LoadThreshold[];
  replays?: Map<string, Arrival[]>;
  /** What a profile read from production, for the status. */
  profile?: ProductionProfile;
  /** A replay's busiest second, checked against the Baseline's maxRate beside the scenarios' rates. */
  replayPeakRate?: number;
}

export type { PlanProblem };

export async function buildPlan(
  ctx: ReconcileContext,
  obj: LoadTestObject,
  spec: LoadTestSpec,
  resolution: Resolution,
  targets: Record<string, string>,
  tenantNetwork: TenantNetwork,
): Promise<{ ok: true; plan: LoadPlan; field: string } | { ok: false; problem: PlanProblem }> {
  const scenarios = [...(spec.scenarios ?? [])];
  let field = 'spec.scenarios';
  const fromDatabase = await valuesFrom(ctx, spec, obj.metadata?.namespace ?? '', tenantNetwork);
  if (!fromDatabase.ok) return { ok: false, problem: fromDatabase.problem };
  const plan: LoadPlan = {
    scenarios,
    targets,
    values: { ...(spec.values ?? {}), ...fromDatabase.values },
    thresholds: spec.thresholds ?? [],
  };
  if (spec.profile) {
    const profiled = await profileScenario(ctx, spec.profile, resolution);
    if (!profiled.ok) return { ok: false, problem: profiled.problem };
    scenarios.push(profiled.scenario);
    plan.profile = profiled.profile;
    field = 'spec.profile';
  }
  if (spec.replay) {
    const replayed = await replayScenario(ctx, spec.replay, obj.metadata?.namespace ?? '');
    if (!replayed.ok) return { ok: false, problem: replayed.problem };
    scenarios.push(replayed.scenario);
    (plan.replays ??= new Map()).set(replayed.scenario.name, replayed.arrivals);
    plan.replayPeakRate = replayed.peakRate;
    field = 'spec.replay';
  }
  return { ok: true, plan, field };
}
