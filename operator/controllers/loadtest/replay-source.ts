import type { LoadScenario } from '../../api/load-scenario';
import type { LoadTestSpec } from '../../api/loadtest';
import { type DataObject, Kinds } from '../../kinds';
import type { Arrival } from '../../load/open';
import { ReplayError, parseAccessLog, replayOf } from '../../load/replay';
import type { ReconcileContext } from '../../runtime/reconciler';
import type { PlanProblem } from './problem';

// spec.replay: an access log in a ConfigMap of the LoadTest's own namespace
// (what the user may read, the test may replay), sent with its original
// inter-arrival times divided by the speed-up.

export async function replayScenario(
  ctx: Pick<ReconcileContext, 'client'>,
  replay: NonNullable<LoadTestSpec['replay']>,
  namespace: string,
): Promise<
  { ok: true; scenario: LoadScenario; arrivals: Arrival[]; peakRate: number } | { ok: false; problem: PlanProblem }
> {
  const field = 'spec.replay.configMapRef';
  const { name, key } = replay.configMapRef;
  const configMap = await ctx.client.get<DataObject>({ ...Kinds.ConfigMap, namespace, name });
  if (!configMap)
    return {
      ok: false,
      problem: { reason: 'ReplayNotFound', message: `${field}.name: ConfigMap ${namespace}/${name} does not exist` },
    };
  const text = configMap.data?.[key];
  if (text === undefined)
    return {
      ok: false,
      problem: { reason: 'ReplayNotFound', message: `${field}.key: ConfigMap ${namespace}/${name} has no key ${key}` },
    };
  try {
    const built = replayOf(parseAccessLog(text, replay.format), {
      speedup: Number(replay.speedup),
      ...(replay.target ? { target: replay.target } : {}),
    });
    return { ok: true, ...built };
  } catch (err) {
    if (err instanceof ReplayError)
      return { ok: false, problem: { reason: 'InvalidReplay', message: `${field}: ${err.message}` } };
    throw err;
  }
}
