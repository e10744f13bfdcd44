import { addFinalizerPatch, hasFinalizer, removeFinalizerPatch } from './finalizers';

const obj = (finalizers?: string[]) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'a', namespace: 'n', resourceVersion: '7', finalizers },
});

describe('finalizer patches', () => {
  it('adds to an existing list guarded by a test of the list', () => {
    expect(addFinalizerPatch(obj(['other/x']), 'understudy.dev/cleanup')).toEqual([
      { op: 'test', path: '/metadata/finalizers', value: ['other/x'] },
      { op: 'add', path: '/metadata/finalizers/-', value: 'understudy.dev/cleanup' },
    ]);
  });

  it('creates the list guarded by the resourceVersion, and refuses an object never read from the server', () => {
    expect(addFinalizerPatch(obj(), 'f')).toEqual([
      { op: 'test', path: '/metadata/resourceVersion', value: '7' },
      { op: 'add', path: '/metadata/finalizers', value: ['f'] },
    ]);
    expect(() => addFinalizerPatch({ metadata: { name: 'x' } }, 'f')).toThrow(/resourceVersion/);
  });

  it('removes one entry by index, testing it is still ours; nothing to do when absent', () => {
    expect(removeFinalizerPatch(obj(['a', 'f', 'b']), 'f')).toEqual([
      { op: 'test', path: '/metadata/finalizers/1', value: 'f' },
      { op: 'remove', path: '/metadata/finalizers/1' },
    ]);
    expect(removeFinalizerPatch(obj(['a']), 'f')).toBeUndefined();
    expect(addFinalizerPatch(obj(['f']), 'f')).toBeUndefined();
    expect(hasFinalizer(obj(['f']), 'f')).toBe(true);
  });
});
