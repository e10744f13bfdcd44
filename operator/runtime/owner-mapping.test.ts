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

  it("knows owner references only: labels are a controller's own mapping", () => {
    const labelled = {
      metadata: {
        name: 'checkout',
        namespace: 'shop-pr-1',
        labels: { 'understudy.dev/environment': 'pr-1', 'understudy.dev/environment-namespace': 'previews' },
      },
    };
    expect(map(labelled)).toEqual([]);
  });

  it('an update maps to the old and the new owner once each', () => {
    const owned = (name: string) => ({
      metadata: {
        name: 'c',
        namespace: 'p',
        ownerReferences: [{ apiVersion: 'understudy.dev/v1alpha1', kind: 'StagingEnvironment', name, uid: name }],
      },
    });
    expect(mapUpdate(map, owned('a'), owned('b'))).toEqual([
      { namespace: 'p', name: 'a' },
      { namespace: 'p', name: 'b' },
    ]);
    expect(mapUpdate(map, owned('a'), owned('a'))).toEqual([{ namespace: 'p', name: 'a' }]);
  });
});
