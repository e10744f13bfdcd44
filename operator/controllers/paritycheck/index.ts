import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { operatorMetrics } from '../../metrics/operator-metrics';
import { parityFindingsGauge } from '../../parity/metrics';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import { Kinds } from '../../kinds';
import { watching } from '../../runtime/controller';
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
  env: Pick<ControllerEnvironment, 'registry' | 'namespaces' | 'operatorNamespace'>,
  options: { maxConcurrentReconciles?: number; now?: () => Date } = {},
): ControllerOptions {
  const index = new CheckIndex();
  return {
    name: PARITY_CHECK_CONTROLLER,
    primary: { ...PARITY_CHECK_REF },
    primaryAlso: environmentChildren(PARITY_CHECK_REF, env.namespaces),
    watches: [
      // An environment that becomes Ready again (re-copied, re-seeded) makes its checks run again.
      { ...STAGING_ENVIRONMENT_REF, map: (environment) => index.checksOfEnvironment(environment) },
      ...baselineWatches(
        (baseline) => index.checksOfBaseline(baseline),
        (namespace) => index.checksOfNamespace(namespace),
      ),
    ],
    reconciler: new ParityCheckReconciler({ gauge: parityFindingsGauge(env.registry), metrics: operatorMetrics(env.registry), operatorNamespace: env.operatorNamespace, index, ...(options.now ? { now: options.now } : {}) }),
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
