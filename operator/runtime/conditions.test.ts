import fc from 'fast-check';
import {
  getCondition,
  isConditionTrue,
  kubeTime,
  removeCondition,
  setCondition,
  setReconciling,
  setStalled,
} from './conditions';

const t0 = new Date('2025-01-01T00:00:00.123Z');
const t1 = new Date('2025-01-01T01:00:00Z');

describe('conditions', () => {
  it('writes seconds-precision RFC 3339 times', () => {
    expect(kubeTime(t0)).toBe('2025-01-01T00:00:00Z');
  });

  it('keeps lastTransitionTime while the status holds and moves it on a transition', () => {
    let conds = setCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Provisioning', observedGeneration: 1 },
      t0,
    );
    conds = setCondition(
      conds,
      { type: 'Ready', status: 'False', reason: 'Seeding', message: 'seeding', observedGeneration: 2 },
      t1,
    );
    expect(getCondition(conds, 'Ready')).toEqual({
      type: 'Ready',
      status: 'False',
      reason: 'Seeding',
      message: 'seeding',
      observedGeneration: 2,
      lastTransitionTime: '2025-01-01T00:00:00Z',
    });
    conds = setCondition(conds, { type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 2 }, t1);
    expect(getCondition(conds, 'Ready')?.lastTransitionTime).toBe('2025-01-01T01:00:00Z');
    expect(isConditionTrue(conds, 'Ready')).toBe(true);
  });

  it('keeps one condition per type, in place, and only transitions move the time (property)', () => {
    const input = fc.record({
      type: fc.constantFrom('Ready', 'Provisioned', 'DataSeeded'),
      status: fc.constantFrom('True' as const, 'False' as const, 'Unknown' as const),
      reason: fc.constantFrom('A', 'B'),
    });
    fc.assert(
      fc.property(fc.array(input, { maxLength: 40 }), (inputs) => {
        let conds = setCondition(undefined, { type: 'Ready', status: 'Unknown', reason: 'Init' }, t0);
        let tick = 0;
        for (const i of inputs) {
          const before = getCondition(conds, i.type);
          const now = new Date(t1.getTime() + ++tick * 1000);
          conds = setCondition(conds, i, now);
          const after = getCondition(conds, i.type)!;
          expect(after.status).toBe(i.status);
          expect(after.lastTransitionTime).toBe(
            before && before.status === i.status ? before.lastTransitionTime : kubeTime(now),
          );
          expect(new Set(conds.map((c) => c.type)).size).toBe(conds.length);
          expect(conds[0]!.type).toBe('Ready');
        }
      }),
    );
  });

  it('Reconciling and Stalled exist only while true', () => {
    let conds = setReconciling(undefined, { reason: 'Progressing', observedGeneration: 3 }, t0);
    conds = setStalled(conds, { reason: 'InvalidSpec', message: 'spec.ttl: must be a duration' }, t0);
    expect(conds.map((c) => [c.type, c.status])).toEqual([
      ['Reconciling', 'True'],
      ['Stalled', 'True'],
    ]);
    conds = setReconciling(conds, false);
    conds = setStalled(conds, false);
    expect(conds).toEqual([]);
    expect(removeCondition(undefined, 'Ready')).toEqual([]);
  });
});
