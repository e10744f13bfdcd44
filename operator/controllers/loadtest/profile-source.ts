import type { LoadScenario } from '../../api/load-scenario';
import type { Profile } from '../../api/loadtest';
import type { ReconcileContext } from '../../runtime/reconciler';
import type { PlanProblem } from './problem';
import type { Resolution } from './resolve';

export async function profileScenario(_ctx: ReconcileContext, _profile: Profile, _resolution: Resolution): Promise<{ ok: true; scenario: LoadScenario } | { ok: false; problem: PlanProblem }> {
  return { ok: false, problem: { reason: 'ProfileUnavailable', message: 'spec.profile: not implemented yet' } };
}
