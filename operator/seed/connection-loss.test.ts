import { connectionLossAsSeedError, isConnectionLoss } from './connection-loss';
import { SeedError } from './errors';

describe('connection loss', () => {
  it('recognises a terminated backend by SQLSTATE or by the client message', () => {
    expect(
      isConnectionLoss(
        Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
      ),
    ).toBe(true);
    expect(isConnectionLoss(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLoss(new Error('Client has encountered a connection error and is not queryable'))).toBe(true);
    expect(isConnectionLoss(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false);
    expect(isConnectionLoss('Connection terminated')).toBe(false);
    expect(isConnectionLoss({ code: 'EPIPE', message: 'write EPIPE' })).toBe(true);
  });

  it('turns a loss into ConnectionFailed and leaves other errors alone', () => {
    const lost = connectionLossAsSeedError(new Error('Connection terminated unexpectedly'));
    expect(lost).toBeInstanceOf(SeedError);
    expect((lost as SeedError).reason).toBe('ConnectionFailed');
    expect((lost as SeedError).targetTouched).toBe(false);
    const other = new Error('syntax error');
    expect(connectionLossAsSeedError(other)).toBe(other);
    const seedError = new SeedError('LeakDetected', 'leak');
    expect(connectionLossAsSeedError(seedError)).toBe(seedError);
  });
});
