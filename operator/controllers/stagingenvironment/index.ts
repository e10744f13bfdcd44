import type { ControllerEnvironment } from '../../commands/operator';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import { StagingEnvironmentReconciler } from './reconciler';
import { EnvironmentIndex, STAGING_ENVIRONMENT_REF, watchedKinds } from './watches';

export const STAGING_ENVIRONMENT_CONTROLLER = 'stagingenvironment';
export { FINALIZER } from './lifecycle';
export { APPLIED_HASH_ANNOTATION } from './drift';
export { TEST_REVISION_ANNOTATION } from './tests';

export interface StagingEnvironmentControllerOptions {
  maxConcurrentReconciles?: number;
  now?: () => Date;
}

/**
 * The StagingEnvironment controller for `understudy operator`. Its own
 * status writes do not wake it (only spec, metadata and deletion do); the
 * environment's objects, the baselines it reads and the namespaces do.
 * Reconciles wait mostly on the API server, so several run side by side.
 */
export function stagingEnvironmentController(env: Pick<ControllerEnvironment, 'namespaces'>, options: StagingEnvironmentControllerOptions = {}): ControllerOptions {
  const index = new EnvironmentIndex();
  return {
    name: STAGING_ENVIRONMENT_CONTROLLER,
    primary: { ...STAGING_ENVIRONMENT_REF },
    watches: watchedKinds(index),
    reconciler: new StagingEnvironmentReconciler({ index, namespaces: env.namespaces, ...(options.now ? { now: options.now } : {}) }),
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
