import { Kinds } from '../../kinds';
import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { type ControllerOptions, watching } from '../../runtime/controller';
import type { Caches } from '../../runtime/reconciler';
import { ENVIRONMENT_BY_BASELINE, environmentByBaseline } from '../shared-indexes';
import { BaselineReconciler } from './reconciler';

export const BASELINE_CONTROLLER = 'baseline';

/** Where it first lived; shared-indexes.ts is its home now. */
export { ENVIRONMENT_BY_BASELINE, environmentByBaseline } from '../shared-indexes';

/** How many environments, not being deleted, name the Baseline: the size of an index, so right after a restart too. */
export function environmentsUsing(caches: Caches, baseline: string): number {
  return caches
    .cache(Kinds.StagingEnvironment)
    .byIndex(ENVIRONMENT_BY_BASELINE, baseline)
    .filter((e) => !e.metadata?.deletionTimestamp).length;
}

/** The Baseline controller: cluster-scoped primaries, environments (in the watched namespaces) counted per Baseline. */
export function baselineController(
  env: Pick<ControllerEnvironment, 'operatorNamespace'>,
  options: { now?: () => Date } = {},
): ControllerOptions {
  return {
    name: BASELINE_CONTROLLER,
    primary: { apiVersion: Kinds.Baseline.apiVersion, kind: Kinds.Baseline.kind, scope: 'all' },
    watches: [
      // An update maps both versions, so the Baseline an environment stops naming is counted again too.
      watching(Kinds.StagingEnvironment, {
        indexers: { [ENVIRONMENT_BY_BASELINE]: environmentByBaseline },
        map: (environment) => environmentByBaseline(environment).map((name) => ({ namespace: '', name })),
      }),
    ],
    reconciler: new BaselineReconciler({
      operatorNamespace: env.operatorNamespace,
      environmentsUsing,
      ...(options.now ? { now: options.now } : {}),
    }),
    maxConcurrentReconciles: 2,
  };
}
