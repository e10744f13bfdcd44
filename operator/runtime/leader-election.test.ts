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

  it('reads the lease spec whether times come back as strings or Dates', () => {
    expect(recordOf({ spec: { holderIdentity: 'a', renewTime: new Date('2025-01-01T00:00:00.5Z') } })).toEqual({
      holderIdentity: 'a',
      leaseDurationSeconds: 0,
      acquireTime: undefined,
      renewTime: '2025-01-01T00:00:00.500000Z',
      leaseTransitions: 0,
    });
    expect(recordOf(undefined)).toBeUndefined();
  });
});
