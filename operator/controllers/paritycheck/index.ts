import type { ControllerEnvironment } from '../../commands/operator';
import { parityFindingsGauge } from '../../parity/metrics';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import { EnvironmentIndex, STAGING_ENVIRONMENT_REF } from './environments';
import { PARITY_CHECK_REF, ParityCheckReconciler } from './reconciler';
import { environmentChildren } from '../environment-children';

export const PARITY_CHECK_CONTROLLER = 'paritycheck';

/**
 * The ParityCheck controller for `understudy operator`. Its own status
 * writes do not wake it (only spec, metadata and deletion do); re-runs on
 * an interval come from requeueAfter. Checks wait mostly on I/O, so a few
 * run side by side.
 */
export function parityCheckController(env: Pick<ControllerEnvironment, 'registry' | 'namespaces'>, options: { maxConcurrentReconciles?: number; now?: () => Date } = {}): ControllerOptions {
  const environments = new EnvironmentIndex();
  return {
    name: PARITY_CHECK_CONTROLLER,
    primary: { ...PARITY_CHECK_REF },
    primaryAlso: environmentChildren(PARITY_CHECK_REF, env.namespaces),
    // An environment that becomes Ready again (re-copied, re-seeded) makes its checks run again.
    watches: [{ ...STAGING_ENVIRONMENT_REF, map: (environment) => environments.checksOf(environment) }],
    reconciler: new ParityCheckReconciler({ gauge: parityFindingsGauge(env.registry), environments, ...(options.now ? { now: options.now } : {}) }),
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
