import type { ControllerEnvironment } from '../../runtime/controller-environment';
import type { KubernetesObject } from '../../runtime/client-node';
import type { ControllerOptions } from '../../runtime/controller';
import { BASELINE_REF } from '../baseline-access';
import { STAGING_ENVIRONMENT_REF } from '../stagingenvironment/watches';
import { BaselineReconciler } from './reconciler';

export const BASELINE_CONTROLLER = 'baseline';

/** StagingEnvironment names its Baseline; the count in status follows environments coming and going. */
function baselineOf(environment: KubernetesObject): string | undefined {
  const spec = (environment as { spec?: { baselineRef?: { name?: unknown } } }).spec;
  return typeof spec?.baselineRef?.name === 'string' ? spec.baselineRef.name : undefined;
}

/** The Baseline controller: cluster-scoped primaries, environments (in the watched namespaces) counted per Baseline. */
export function baselineController(env: Pick<ControllerEnvironment, 'operatorNamespace'>, options: { now?: () => Date } = {}): ControllerOptions {
  const environments = new Map<string, string>();
  const track = (environment: KubernetesObject): void => {
    const key = `${environment.metadata?.namespace}/${environment.metadata?.name}`;
    const name = baselineOf(environment);
    if (name && !environment.metadata?.deletionTimestamp) environments.set(key, name);
    else environments.delete(key);
  };
  return {
    name: BASELINE_CONTROLLER,
    primary: { ...BASELINE_REF, scope: 'all' },
    watches: [
      {
        ...STAGING_ENVIRONMENT_REF,
        map: (environment) => {
          const before = environments.get(`${environment.metadata?.namespace}/${environment.metadata?.name}`);
          track(environment);
          const after = baselineOf(environment);
          return [before, after].filter((n): n is string => n !== undefined).map((name) => ({ namespace: '', name }));
        },
      },
    ],
    reconciler: new BaselineReconciler({
      operatorNamespace: env.operatorNamespace,
      environmentsUsing: (name) => [...environments.values()].filter((n) => n === name).length,
      ...(options.now ? { now: options.now } : {}),
    }),
    maxConcurrentReconciles: 2,
  };
}
