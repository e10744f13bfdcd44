import { microTime, seriesKey } from './events';

describe('event helpers', () => {
  it('writes MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2025-03-04T05:06:07.089Z'))).toBe('2025-03-04T05:06:07.089000Z');
  });

  it('aggregates on object, type, reason, action and note', () => {
    const a = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n', uid: 'u1' } };
    const b = { ...a, metadata: { ...a.metadata, uid: 'u2' } };
    expect(seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'boom')).toBe(seriesKey({ ...a }, 'Warning', 'Failed', 'Reconcile', 'boom'));
    expect(seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'boom')).not.toBe(seriesKey(b, 'Warning', 'Failed', 'Reconcile', 'boom'));
    expect(seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'boom')).not.toBe(seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'bang'));
  });
});
