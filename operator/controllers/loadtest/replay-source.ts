import type { LoadScenario } from '../../api/load-scenario';
import type { LoadTestSpec } from '../../api/loadtest';
import type { Arrival } from '../../load/open';
import type { ReconcileContext } from '../../runtime/reconciler';
import type { PlanProblem } from './problem';

export async function replayScenario(_ctx: ReconcileContext, _replay: NonNullable<LoadTestSpec['replay']>, _namespace: string): Promise<{ ok: true; scenario: LoadScenario; arrivals: Arrival[] } | { ok: false; problem: PlanProblem }> {
  return { ok: false, problem: { reason: 'ReplayNotFound', message: 'spec.replay: not implemented yet' } };
}
