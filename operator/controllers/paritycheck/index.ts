import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { operatorMetrics } from '../../metrics/operator-metrics';
import { parityFindingsGauge, parityVerdictGauge } from '../../parity/metrics';
import { Kinds } from '../../kinds';
import { type ControllerOptions, generationOrMetadataChanged, watching } from '../../runtime/controller';
import { baselineWatches } from '../baseline-access';
import { environmentChildren } from '../environment-children';
import { ENVIRONMENT_BY_TARGET_NAMESPACE, environmentByTargetNamespace } from '../shared-indexes';
import { ParityCheckReconciler } from './reconciler';
import { checkIndexers, checksOfEnvironment, checkUsersOfBaselines } from './watches';

export const PARITY_CHECK_CONTROLLER = 'paritycheck';

/**
 * The ParityCheck controller for `understudy operator`. Its own status
 * writes do not wake it (only spec, metadata and deletion do); re-runs on
 * an interval come from requeueAfter. A change to a check's Baseline, its
 * StagingEnvironment or one of its namespaces wakes it, so a Baseline that
 * stops allowing it blocks it at once. Checks wait mostly on I/O, so a few
 * run side by side.
 */
export function parityCheckController(
  env: Pick<ControllerEnvironment, 'registry' | 'namespaces' | 'operatorNamespace'> &
    Partial<Pick<ControllerEnvironment, 'tenantNetwork'>>,
  options: { maxConcurrentReconciles?: number; now?: () => Date } = {},
): ControllerOptions {
  return {
    name: PARITY_CHECK_CONTROLLER,
    primary: { apiVersion: Kinds.ParityCheck.apiVersion, kind: Kinds.ParityCheck.kind, indexers: checkIndexers },
    primaryAlso: environmentChildren(Kinds.ParityCheck, env.namespaces),
    watches: [
      // An environment that becomes Ready again (re-copied, re-seeded) makes its checks run again.
      watching(Kinds.StagingEnvironment, {
        indexers: { [ENVIRONMENT_BY_TARGET_NAMESPACE]: environmentByTargetNamespace },
        map: checksOfEnvironment,
      }),
      ...baselineWatches(checkUsersOfBaselines),
    ],
    reconciler: new ParityCheckReconciler({
      gauge: parityFindingsGauge(env.registry),
      verdictGauge: parityVerdictGauge(env.registry),
      metrics: operatorMetrics(env.registry),
      operatorNamespace: env.operatorNamespace,
      ...(env.tenantNetwork ? { tenantNetwork: env.tenantNetwork } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
