import { LABELS } from '../api/common';
import { mapUpdate, ownerMapper } from './owner-mapping';

const map = ownerMapper('understudy.dev/v1alpha1', 'StagingEnvironment');

describe('ownerMapper', () => {
  it('maps owner references of the primary kind (any version of its group) to the owner in the same namespace', () => {
    const owned = {
      metadata: {
        name: 'svc',
        namespace: 'previews',
        ownerReferences: [
          { apiVersion: 'understudy.dev/v1beta1', kind: 'StagingEnvironment', name: 'pr-1', uid: 'u' },
          { apiVersion: 'apps/v1', kind: 'StagingEnvironment', name: 'not-ours', uid: 'v' },
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'w' },
        ],
      },
    };
    expect(map(owned)).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
  });

  it('falls back to the environment labels for objects in other namespaces', () => {
    const labelled = {
      metadata: { name: 'checkout', namespace: 'shop-pr-1', labels: { [LABELS.environment]: 'pr-1', [LABELS.environmentNamespace]: 'previews' } },
    };
    expect(map(labelled)).toEqual([{ namespace: 'previews', name: 'pr-1' }]);
    expect(map({ metadata: { name: 'x', namespace: 'y', labels: { [LABELS.environment]: 'pr-1' } } })).toEqual([]);
  });

  it('an update maps to the old and the new owner once each', () => {
    const before = { metadata: { name: 'c', namespace: 't', labels: { [LABELS.environment]: 'a', [LABELS.environmentNamespace]: 'p' } } };
    const after = { metadata: { name: 'c', namespace: 't', labels: { [LABELS.environment]: 'b', [LABELS.environmentNamespace]: 'p' } } };
    expect(mapUpdate(map, before, after)).toEqual([
      { namespace: 'p', name: 'a' },
      { namespace: 'p', name: 'b' },
    ]);
    expect(mapUpdate(map, before, before)).toEqual([{ namespace: 'p', name: 'a' }]);
  });
});
