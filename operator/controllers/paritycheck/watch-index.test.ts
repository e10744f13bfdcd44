import { CheckIndex } from './watch-index';

describe('which checks a change wakes', () => {
  it('wakes exactly the checks that use a Baseline, an environment or a namespace, and forgets deleted checks', () => {
    const index = new CheckIndex();
    index.record({ namespace: 'team-a', name: 'one' }, { baseline: 'shop', environment: 'team-a/pr-1', namespaces: ['team-a', 'preview-team-a-pr-1', 'shop'] });
    index.record({ namespace: 'team-b', name: 'two' }, { baseline: 'other', namespaces: ['team-b', 'shop'] });
    expect(index.checksOfBaseline('shop')).toEqual([{ namespace: 'team-a', name: 'one' }]);
    expect(index.checksOfEnvironment({ metadata: { namespace: 'team-a', name: 'pr-1' } })).toEqual([{ namespace: 'team-a', name: 'one' }]);
    expect(index.checksOfNamespace('shop')).toHaveLength(2);
    expect(index.checksOfNamespace('clinic-prdo')).toEqual([]);
    index.record({ namespace: 'team-a', name: 'one' }, { baseline: 'other', namespaces: ['team-a'] });
    expect(index.checksOfBaseline('shop')).toEqual([]);
    index.forget({ namespace: 'team-b', name: 'two' });
    expect(index.checksOfBaseline('other')).toEqual([{ namespace: 'team-a', name: 'one' }]);
  });
});
