import { Kinds } from '../../operator/kinds';
import { type KubernetesObject, loadKubeConfig } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { isConflict } from '../../operator/runtime/kube-errors';
import { writeStatus } from '../../operator/runtime/status';
import { createNamespace, deleteNamespace, OPERATOR_WRITABLE } from '../support/kube';

jest.setTimeout(60_000);

type CheckStatus = { lastCheckedAt?: string; observedGeneration?: number };
type Check = KubernetesObject & { status?: CheckStatus };

// Every status writer replaces the whole status (runtime/status.ts). Against
// the real API server, with the operator's own RBAC: a write built from an
// object read before another writer's change is refused with 409 Conflict —
// the other writer's status survives — and the same write from a fresh read
// goes through.
describe('status writes are guarded by the resourceVersion they were read at', () => {
  let ns: string;
  const operator = () => new KubeClient(loadKubeConfig(process.env.UNDERSTUDY_OPERATOR_KUBECONFIG));
  const admin = () => new KubeClient(loadKubeConfig(process.env.KUBECONFIG));

  beforeAll(() => {
    ns = createNamespace('rt-status', OPERATOR_WRITABLE);
  });
  afterAll(() => {
    if (ns) deleteNamespace(ns);
  });

  it('refuses a stale write with 409 Conflict and keeps the newer status; a fresh read writes', async () => {
    const ref = { ...Kinds.ParityCheck, namespace: ns, name: 'guarded' };
    await admin().create<Check>({
      apiVersion: Kinds.ParityCheck.apiVersion,
      kind: Kinds.ParityCheck.kind,
      metadata: { name: 'guarded', namespace: ns },
      spec: { baselineRef: { name: 'shop' } },
    } as Check);
    const c = operator();
    const read = (await c.get<Check>(ref))!;
    const first = await writeStatus<CheckStatus, Check>(c, read, {
      lastCheckedAt: '2026-01-01T00:00:00Z',
      observedGeneration: 1,
    });
    expect(first.written).toBe(true);
    expect(first.object.status?.lastCheckedAt).toBe('2026-01-01T00:00:00Z');

    // Another writer (a second replica that had not yet lost its lease, an admin) writes after our read.
    await admin().patchStatus(ref, { status: { lastCheckedAt: '2026-02-02T00:00:00Z' } });
    const stale = await writeStatus<CheckStatus, Check>(c, first.object, {
      lastCheckedAt: '2026-03-03T00:00:00Z',
      observedGeneration: 1,
    }).catch((err: unknown) => err);
    expect(isConflict(stale)).toBe(true);
    expect((await c.get<Check>(ref))?.status?.lastCheckedAt).toBe('2026-02-02T00:00:00Z');

    // What the controller does on a conflict: read again, decide again, write.
    const fresh = (await c.get<Check>(ref))!;
    const retried = await writeStatus<CheckStatus, Check>(c, fresh, {
      lastCheckedAt: '2026-03-03T00:00:00Z',
      observedGeneration: 1,
    });
    expect(retried.written).toBe(true);
    expect((await c.get<Check>(ref))?.status).toEqual({ lastCheckedAt: '2026-03-03T00:00:00Z', observedGeneration: 1 });
  });
});
