import { OPERATOR_WRITABLE } from '../support/kube';
import { type KubernetesObject, loadKubeConfig } from '../../operator/runtime/client-node';
import { KubeEventRecorder } from '../../operator/runtime/events';
import { addFinalizer, removeFinalizer } from '../../operator/runtime/finalizers';
import { KubeClient } from '../../operator/runtime/kube-client';
import { isInvalid } from '../../operator/runtime/kube-errors';
import { createLogger } from '../../operator/runtime/logger';
import { createNamespace, deleteNamespace, eventually } from '../support/kube';

jest.setTimeout(60_000);

// Finalizer patches and Event aggregation against the real API server, with the operator's own RBAC.
describe('runtime helpers on a real API server', () => {
  let ns: string;
  const client = () => new KubeClient(loadKubeConfig(process.env.UNDERSTUDY_OPERATOR_KUBECONFIG));

  beforeAll(() => {
    ns = createNamespace('rt-helpers', OPERATOR_WRITABLE);
  });
  afterAll(() => {
    if (ns) deleteNamespace(ns);
  });

  it('adds and removes a finalizer with guarded JSON patches, and refuses a stale add', async () => {
    const c = client();
    const created = await c.create<KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'fin', namespace: ns },
    });
    const withOurs = await addFinalizer(c, created, 'understudy.dev/cleanup');
    expect(withOurs.metadata?.finalizers).toEqual(['understudy.dev/cleanup']);
    // Someone else adds theirs; a patch built from our stale copy must fail, not drop theirs.
    await c.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'fin' },
      { metadata: { finalizers: ['understudy.dev/cleanup', 'other.io/keep'] } },
    );
    const stale = await addFinalizer(c, withOurs, 'understudy.dev/second').catch((e: unknown) => e);
    expect(isInvalid(stale)).toBe(true);
    const fresh = (await c.get<KubernetesObject>({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'fin' }))!;
    const removed = await removeFinalizer(c, fresh, 'understudy.dev/cleanup');
    expect(removed.metadata?.finalizers).toEqual(['other.io/keep']);
    const before = c.requestCounts().patch;
    await removeFinalizer(c, removed, 'understudy.dev/cleanup');
    expect(c.requestCounts().patch).toBe(before);
    // Leave nothing that would hold the namespace's deletion.
    await c.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'fin' },
      { metadata: { finalizers: null } },
    );
  });

  it('records an events.k8s.io Event and folds repeats into its series', async () => {
    const c = client();
    const regarding = await c.create<KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'evt', namespace: ns },
    });
    const recorder = new KubeEventRecorder({
      client: c,
      logger: createLogger({ level: 'silent' }),
      controller: 'understudy.dev/operator',
      instance: 'test',
    });
    await Promise.all(
      [1, 2, 3].map(() => recorder.event(regarding, 'Warning', 'ReconcileFailed', 'baseline namespace shop not found')),
    );
    await recorder.event(regarding, 'Normal', 'Ready', 'environment ready');
    const admin = new KubeClient(loadKubeConfig(process.env.KUBECONFIG));
    const events = await eventually(
      async () => {
        const list = (
          await admin.list<
            KubernetesObject & { reason?: string; series?: { count?: number }; regarding?: { uid?: string } }
          >('events.k8s.io/v1', 'Event', { namespace: ns })
        ).items;
        const ours = list.filter((e) => e.regarding?.uid === regarding.metadata?.uid);
        return ours.length === 2 ? ours : undefined;
      },
      { what: 'two Events' },
    );
    const failed = events.find((e) => e.reason === 'ReconcileFailed');
    expect(failed?.series?.count).toBe(3);
    expect(events.find((e) => e.reason === 'Ready')?.series).toBeUndefined();
  });
});
