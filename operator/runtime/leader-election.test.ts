import { canAcquire, recordOf } from './leader-election';

const held = { holderIdentity: 'other', leaseDurationSeconds: 15, leaseTransitions: 2 };

describe('leader election rules', () => {
  it('takes a free or own lease at once', () => {
    expect(canAcquire({ ...held, holderIdentity: '' }, 'me', 1000, 1000, 15_000)).toBe(true);
    expect(canAcquire({ ...held, holderIdentity: 'me' }, 'me', 1000, 1000, 15_000)).toBe(true);
  });

  it('waits until the record has been unchanged for the lease duration on our own clock', () => {
    expect(canAcquire(held, 'me', 1000, 15_999, 15_000)).toBe(false);
    expect(canAcquire(held, 'me', 1000, 16_000, 15_000)).toBe(true);
  });

  it('reads the lease spec as the server sends it (MicroTime strings), with defaults for what is missing', () => {
    expect(recordOf({ spec: { holderIdentity: 'a', renewTime: '2025-01-01T00:00:00.500000Z' } })).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 0,
      acquireTime: undefined,
      renewTime: '2025-01-01T00:00:00.500000Z',
      leaseTransitions: 0,
    });
    expect(recordOf(undefined)).toBeUndefined();
  });
});
