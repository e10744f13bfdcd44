import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import { staticCaches } from '../../runtime/testing/static-caches';
import { ENVIRONMENT_BY_BASELINE, environmentByBaseline } from '../shared-indexes';
import { baselineController, environmentsUsing } from '.';

const environment = (namespace: string, name: string, baseline: string, deleting = false): KubernetesObject =>
  ({
    apiVersion: Kinds.StagingEnvironment.apiVersion,
    kind: 'StagingEnvironment',
    metadata: { namespace, name, ...(deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: { baselineRef: { name: baseline } },
  }) as KubernetesObject;

describe('Baseline controller', () => {
  it('counts the environments naming a Baseline from the index, as after a restart, leaving out those being deleted', () => {
    const caches = staticCaches(
      [
        environment('a', 'pr-1', 'shop'),
        environment('b', 'pr-2', 'shop'),
        environment('b', 'pr-3', 'shop', true),
        environment('a', 'pr-4', 'other'),
      ],
      [{ kind: Kinds.StagingEnvironment, indexers: { [ENVIRONMENT_BY_BASELINE]: environmentByBaseline } }],
    );
    expect(environmentsUsing(caches, 'shop')).toBe(2);
    expect(environmentsUsing(caches, 'other')).toBe(1);
    expect(environmentsUsing(caches, 'none')).toBe(0);
  });

  it('wakes the Baseline an environment names (an update maps old and new, so a Baseline it stops naming is counted again)', () => {
    const watch = baselineController({ operatorNamespace: 'understudy-system' }).watches?.find(
      (w) => w.kind === 'StagingEnvironment',
    );
    expect(watch?.map(environment('a', 'pr-1', 'shop'))).toEqual([{ namespace: '', name: 'shop' }]);
    expect(Object.keys(watch?.indexers ?? {})).toEqual([ENVIRONMENT_BY_BASELINE]);
  });
});
