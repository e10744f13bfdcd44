import { KubeEventRecorder, microTime, seriesKey } from './events';
import type { KubeClient } from './kube-client';
import type { Logger } from './logger';

describe('event helpers', () => {
  it('writes MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2025-03-04T05:06:07.089Z'))).toBe('2025-03-04T05:06:07.089000Z');
  });

  it('aggregates on object, type, reason, action and note', () => {
    const a = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n', uid: 'u1' } };
    const b = { ...a, metadata: { ...a.metadata, uid: 'u2' } };
    expect(seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'boom')).toBe(
      seriesKey({ ...a }, 'Warning', 'Failed', 'Reconcile', 'boom'),
    );
    expect(seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'boom')).not.toBe(
      seriesKey(b, 'Warning', 'Failed', 'Reconcile', 'boom'),
    );
    expect(seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'boom')).not.toBe(
      seriesKey(a, 'Warning', 'Failed', 'Reconcile', 'bang'),
    );
  });
});

describe('KubeEventRecorder transitions', () => {
  const created: Array<{ type: string; reason: string }> = [];
  const client = {
    create: async (o: { type: string; reason: string }) => void created.push({ type: o.type, reason: o.reason }),
    mergePatch: async () => undefined,
  } as unknown as KubeClient;
  const logger = { warn: () => undefined } as unknown as Logger;
  const env = (resourceVersion: string) => ({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'StagingEnvironment',
    metadata: { name: 'pr-1', namespace: 'previews', uid: 'u1', resourceVersion },
  });

  beforeEach(() => created.splice(0));

  it('records a transition once per observed state, so a reconcile on a stale cache does not repeat it', async () => {
    const recorder = new KubeEventRecorder({ client, logger, controller: 'understudy.dev/operator', instance: 'test' });
    await recorder.event(env('41'), 'Warning', 'TestsFailed', '1/2 tests failed: smoke', undefined, {
      transition: true,
    });
    await recorder.event(env('41'), 'Warning', 'TestsFailed', '1/2 tests failed: smoke', undefined, {
      transition: true,
    });
    expect(created).toEqual([{ type: 'Warning', reason: 'TestsFailed' }]);
    // The same transition from a later state of the object is news again (failed, passed, failed again): it
    // reaches the API, folded into the first Event's series rather than dropped.
    let patched = 0;
    (client as unknown as { mergePatch: () => Promise<void> }).mergePatch = async () => void patched++;
    await recorder.event(env('57'), 'Warning', 'TestsFailed', '1/2 tests failed: smoke', undefined, {
      transition: true,
    });
    expect({ created: created.length, patched }).toEqual({ created: 1, patched: 1 });
  });

  it('still folds repeats that are not transitions into the series', async () => {
    const recorder = new KubeEventRecorder({ client, logger, controller: 'understudy.dev/operator', instance: 'test' });
    const patches: unknown[] = [];
    (client as unknown as { mergePatch: (r: unknown, p: unknown) => Promise<void> }).mergePatch = async (_r, p) =>
      void patches.push(p);
    await recorder.event(env('41'), 'Warning', 'ReconcileFailed', 'boom');
    await recorder.event(env('41'), 'Warning', 'ReconcileFailed', 'boom');
    expect(created).toEqual([{ type: 'Warning', reason: 'ReconcileFailed' }]);
    expect(patches).toEqual([{ series: expect.objectContaining({ count: 2 }) }]);
  });
});
