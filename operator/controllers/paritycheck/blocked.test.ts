import type { ParityCheckStatus } from '../../api/paritycheck';
import { alreadyBlocked, blockedOutcome, blockedRetryMs } from './blocked';

const now = new Date('2030-01-01T00:00:00Z');
const notAllowed = {
  ok: false as const,
  reason: 'BaselineNotAllowed' as const,
  message: 'spec.baselineRef.name: Baseline shop does not allow namespace team-a',
};

describe('a blocked check', () => {
  const ran: ParityCheckStatus = {
    observedGeneration: 1,
    lastCheckedAt: now.toISOString(),
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Checked',
        message: '',
        lastTransitionTime: now.toISOString(),
        observedGeneration: 1,
      },
    ],
    summary: {
      verdict: 'Drifted',
      score: 95,
      critical: 0,
      warning: 1,
      info: 0,
      expected: 0,
      ignored: 0,
      inconclusive: 0,
      total: 1,
    },
    findings: [
      {
        id: 'x',
        category: 'configuration',
        resource: 'ConfigMap/c',
        path: 'data.k',
        production: 'a production value',
        expected: false,
        severity: 'warning',
        message: 'key k differs',
        firstSeen: now.toISOString(),
      },
    ],
  };

  it('is Stalled with the reason, not Ready, InParity Unknown, and keeps nothing of earlier runs', () => {
    const { status, events } = blockedOutcome(ran, notAllowed, now, 2);
    const byType = Object.fromEntries((status.conditions ?? []).map((c) => [c.type, c]));
    expect(byType.Stalled).toMatchObject({ status: 'True', reason: 'BaselineNotAllowed', message: notAllowed.message });
    expect(byType.Ready).toMatchObject({ status: 'False', reason: 'BaselineNotAllowed' });
    expect(byType.InParity).toMatchObject({ status: 'Unknown' });
    expect(JSON.stringify(status)).not.toContain('a production value');
    expect(status).toEqual({ conditions: status.conditions, observedGeneration: 2 });
    expect(events).toEqual([{ type: 'Warning', reason: 'BaselineNotAllowed', message: notAllowed.message }]);
  });

  it('says so once: the same block again writes and announces nothing', () => {
    const first = blockedOutcome(undefined, notAllowed, now, 1).status;
    expect(alreadyBlocked(first, notAllowed, 1)).toBe(true);
    expect(blockedOutcome(first, notAllowed, now, 1).events).toEqual([]);
    expect(alreadyBlocked(first, { ...notAllowed, message: 'other' }, 1)).toBe(false);
    expect(alreadyBlocked(first, notAllowed, 2)).toBe(false);
    expect(alreadyBlocked(ran, notAllowed, 1)).toBe(false);
  });

  it('is looked at again on a timer only when what it waits for may change unseen', () => {
    expect(blockedRetryMs({ ...notAllowed, reason: 'ProductionNotFound' })).toBeGreaterThan(0);
    expect(blockedRetryMs(notAllowed)).toBeUndefined();
  });
});
