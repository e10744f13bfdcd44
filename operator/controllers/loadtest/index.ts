import { Kinds } from '../../kinds';
import { type ControllerOptions, generationOrMetadataChanged, watching } from '../../runtime/controller';
import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { namespacedKey } from '../../runtime/object-key';
import type { Indexers } from '../../runtime/object-store';
import type { Caches, Request } from '../../runtime/reconciler';
import { baselineWatches } from '../baseline-access';
import { operatorImage, operatorImagePullSecrets } from '../dataseed/image';
import { environmentChildren } from '../environment-children';
import { ENVIRONMENT_BY_TARGET_NAMESPACE, environmentByTargetNamespace } from '../shared-indexes';
import { JobLoadRunner } from './job';
import { LOAD_TEST, type LoadTestObject } from './kind';
import { LoadTestMetrics } from './metrics';
import { LoadTestReconciler } from './reconciler';
import { InlineLoadRuns } from './runs';
import type { ServiceUrl } from './targets';

export const LOAD_TEST_CONTROLLER = 'loadtest';
const BY_BASELINE = 'spec.baselineRef.name';
const BY_ENVIRONMENT = 'spec.environmentRef';

function field(value: unknown, ...path: string[]): string | undefined {
  let at = value;
  for (const key of path) at = typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined;
  return typeof at === 'string' && at ? at : undefined;
}

const indexers: Indexers<LoadTestObject> = {
  [BY_BASELINE]: (t) => [field(t.spec, 'baselineRef', 'name') ?? ''].filter(Boolean),
  [BY_ENVIRONMENT]: (t) => {
    const name = field(t.spec, 'environmentRef', 'name');
    return name ? [namespacedKey(t.metadata?.namespace, name)] : [];
  },
};

const requestOf = (o: { metadata?: { namespace?: string; name?: string } }): Request => ({
  namespace: o.metadata?.namespace ?? '',
  name: o.metadata?.name ?? '',
});
const tests = (caches: Caches) => caches.cache(LOAD_TEST);

export interface LoadTestControllerOptions {
  /** How a resolved Service becomes a URL: cluster DNS by default (tests and laptops reach Services otherwise). */
  serviceUrl?: ServiceUrl;
  progressIntervalMs?: number;
  now?: () => Date;
}

/**
 * The LoadTest controller. A Baseline, a namespace (its labels decide access)
 * or an environment (it became Ready) wakes the tests that depend on it; a
 * running test is looked at every progressIntervalMs for its progress and end.
 */
export function loadTestController(
  env: Pick<ControllerEnvironment, 'registry' | 'namespaces'> & Partial<Pick<ControllerEnvironment, 'tenantNetwork'>>,
  options: LoadTestControllerOptions = {},
): ControllerOptions {
  const runs = new InlineLoadRuns();
  const reconciler = new LoadTestReconciler({
    runs,
    job: new JobLoadRunner({ image: operatorImage(), imagePullSecrets: operatorImagePullSecrets() }),
    metrics: new LoadTestMetrics(env.registry),
    ...(options.serviceUrl ? { serviceUrl: options.serviceUrl } : {}),
    ...(env.tenantNetwork ? { tenantNetwork: env.tenantNetwork } : {}),
    ...(options.progressIntervalMs ? { progressIntervalMs: options.progressIntervalMs } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    name: LOAD_TEST_CONTROLLER,
    primary: { apiVersion: LOAD_TEST.apiVersion, kind: LOAD_TEST.kind, indexers },
    primaryAlso: environmentChildren(LOAD_TEST, env.namespaces),
    watches: [
      watching(Kinds.StagingEnvironment, {
        indexers: { [ENVIRONMENT_BY_TARGET_NAMESPACE]: environmentByTargetNamespace },
        map: (environment, caches) => {
          const name = environment.metadata?.name ?? '';
          const beside = tests(caches).byIndex(BY_ENVIRONMENT, namespacedKey(environment.metadata?.namespace, name));
          const target = environment.status?.namespace;
          const inside = target ? tests(caches).list(target) : [];
          return [...beside, ...inside].map(requestOf);
        },
      }),
      ...baselineWatches({
        ofBaseline: (baseline, caches) =>
          tests(caches)
            .byIndex(BY_BASELINE, baseline.metadata?.name ?? '')
            .map(requestOf),
        ofNamespace: (namespace, caches) =>
          tests(caches)
            .list(namespace.metadata?.name ?? '')
            .map(requestOf),
      }),
    ],
    reconciler,
    maxConcurrentReconciles: 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
