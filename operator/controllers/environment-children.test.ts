import { environmentChildren } from './environment-children';

describe('environmentChildren', () => {
  const kind = { apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed' };

  it('adds nothing when the operator watches every namespace', () => {
    expect(environmentChildren(kind, undefined)).toEqual([]);
    expect(environmentChildren(kind, [])).toEqual([]);
  });

  it('selects, across namespaces, the children of environments in the watched namespaces', () => {
    expect(environmentChildren(kind, ['team-b', 'team-a'])).toEqual([
      { ...kind, scope: 'all', labelSelector: 'understudy.dev/environment-namespace in (team-a,team-b)' },
    ]);
  });
});
