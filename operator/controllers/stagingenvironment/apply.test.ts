import type { KubeObject } from '../../environment/objects';
import type { KubeClient } from '../../runtime/kube-client';
import { applyDesired, pruneUndesired, type LiveObjects } from './apply';
import { withAppliedHash } from './drift';

// Writing the copy with a client that records: only what differs is applied,
// what pods need first, and a refused write stops the waves after it.

const managed = {
  'app.kubernetes.io/managed-by': 'understudy',
  'understudy.dev/environment': 'pr-1',
  'understudy.dev/environment-namespace': 'previews',
};
const object = (kind: string, name: string, apiVersion = 'v1'): KubeObject =>
  withAppliedHash({
    apiVersion,
    kind,
    metadata: { name, namespace: 'previews-pr-1', labels: managed },
    data: { name },
  });
const liveOf = (objects: KubeObject[]): LiveObjects => ({
  get: (o) => objects.find((l) => l.kind === o.kind && l.metadata.name === o.metadata.name),
  owned: () => objects,
});

function recordingClient(refuse?: string) {
  const calls: string[] = [];
  const client = {
    apply: async (o: KubeObject) => {
      if (o.metadata.name === refuse) throw new Error(`refused ${refuse}`);
      calls.push(`apply ${o.kind}/${o.metadata.name}`);
      return o;
    },
    delete: async (ref: { kind: string; name: string }) => {
      calls.push(`delete ${ref.kind}/${ref.name}`);
      return true;
    },
  } as unknown as KubeClient;
  return { client, calls };
}

describe('applyDesired', () => {
  const desired = [
    object('Deployment', 'cart', 'apps/v1'),
    object('ServiceAccount', 'cart'),
    object('ConfigMap', 'settings'),
    object('Service', 'cart'),
  ];

  it('applies what pods need (ServiceAccounts, ConfigMaps) before the workloads, and nothing already up to date', async () => {
    const { client, calls } = recordingClient();
    const outcome = await applyDesired(client, desired, liveOf([object('Service', 'cart')]));
    expect(outcome).toEqual({ applied: 3, unchanged: 1 });
    expect(calls.indexOf('apply Deployment/cart')).toBeGreaterThan(calls.indexOf('apply ServiceAccount/cart'));
    expect(calls.indexOf('apply Deployment/cart')).toBeGreaterThan(calls.indexOf('apply ConfigMap/settings'));
    expect(calls).not.toContain('apply Service/cart');
  });

  it('stops before the workloads when a prerequisite is refused', async () => {
    const { client, calls } = recordingClient('settings');
    await expect(applyDesired(client, desired, liveOf([]))).rejects.toThrow(/refused settings/);
    expect(calls.some((c) => c.startsWith('apply Deployment'))).toBe(false);
  });
});

describe('pruneUndesired', () => {
  it("deletes the environment's objects no longer desired, and nothing of anyone else", async () => {
    const { client, calls } = recordingClient();
    const foreign: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'theirs', namespace: 'previews-pr-1', labels: { team: 'x' } },
    };
    const pruned = await pruneUndesired(
      client,
      [object('ConfigMap', 'kept')],
      liveOf([object('ConfigMap', 'kept'), object('ConfigMap', 'gone'), foreign]),
      { name: 'pr-1', namespace: 'previews' },
    );
    expect(pruned).toEqual(['ConfigMap/gone']);
    expect(calls).toEqual(['delete ConfigMap/gone']);
  });
});
