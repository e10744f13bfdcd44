import { parseParityCheckSpec } from '../../api/paritycheck';
import { EnvironmentIndex, environmentKeyOf, environmentReadySince, readySince } from './environments';

const env = (namespace: string, name: string, ready?: { status: 'True' | 'False'; at: string }) => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind: 'StagingEnvironment',
  metadata: { namespace, name },
  status: ready ? { conditions: [{ type: 'Ready', status: ready.status, reason: 'R', message: '', lastTransitionTime: ready.at }] } : {},
});

describe('environments of parity checks', () => {
  const spec = parseParityCheckSpec({ staging: { namespace: 'shop-pr-1', environmentRef: { name: 'pr-1' } }, production: { namespace: 'shop' } });
  const elsewhere = parseParityCheckSpec({ staging: { namespace: 'shop-pr-1', environmentRef: { name: 'pr-1', namespace: 'previews' } }, production: { namespace: 'shop' } });
  const plain = parseParityCheckSpec({ staging: { namespace: 'staging' }, production: { namespace: 'shop' } });

  it('names the environment, in the check\'s namespace unless told otherwise', () => {
    expect(environmentKeyOf(spec, 'checks')).toBe('checks/pr-1');
    expect(environmentKeyOf(elsewhere, 'checks')).toBe('previews/pr-1');
    expect(environmentKeyOf(plain, 'checks')).toBeUndefined();
  });

  it('knows when an environment became Ready, and nothing while it is not', () => {
    expect(readySince(env('p', 'e', { status: 'True', at: '2030-01-01T00:00:05Z' }))).toBe('2030-01-01T00:00:05Z');
    expect(readySince(env('p', 'e', { status: 'False', at: '2030-01-01T00:00:05Z' }))).toBeUndefined();
    expect(readySince(env('p', 'e'))).toBeUndefined();
    const cache = { get: (ns: string, name: string) => (ns === 'previews' && name === 'pr-1' ? env(ns, name, { status: 'True', at: '2030-01-01T00:00:09Z' }) : undefined), list: () => [], hasSynced: () => true };
    expect(environmentReadySince(cache, 'checks')(elsewhere)).toBe('2030-01-01T00:00:09Z');
    expect(environmentReadySince(cache, 'checks')(spec)).toBeUndefined();
  });

  it('wakes exactly the checks that name an environment, and forgets them', () => {
    const index = new EnvironmentIndex();
    index.record({ namespace: 'a', name: 'one' }, 'previews/pr-1');
    index.record({ namespace: 'b', name: 'two' }, 'previews/pr-1');
    index.record({ namespace: 'c', name: 'three' }, 'previews/pr-2');
    expect(index.checksOf(env('previews', 'pr-1'))).toEqual([{ namespace: 'a', name: 'one' }, { namespace: 'b', name: 'two' }]);
    index.record({ namespace: 'a', name: 'one' }, 'previews/pr-2');
    index.forget({ namespace: 'b', name: 'two' });
    expect(index.checksOf(env('previews', 'pr-1'))).toEqual([]);
    expect(index.checksOf(env('previews', 'pr-2'))).toHaveLength(2);
  });
});
