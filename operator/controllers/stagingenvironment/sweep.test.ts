import { tombstoneObject, TOMBSTONE_RETENTION_MS } from '../../environment/lifecycle';
import type { KubeObject } from '../../environment/objects';
import type { KubeClient } from '../../runtime/kube-client';
import { createLogger } from '../../runtime/logger';
import { sweepOnce } from './sweep';

// The leader's periodic sweep over cached objects, with a client that records
// deletes and answers gets: what is deleted, and what never is.

const now = new Date('2030-02-01T00:00:00Z');
const namespace = (name: string, owner: string, uid?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: {
    name,
    uid: `ns-${name}`,
    labels: {
      'app.kubernetes.io/managed-by': 'understudy',
      'understudy.dev/environment': owner,
      'understudy.dev/environment-namespace': 'previews',
    },
    annotations: { 'understudy.dev/owner': `previews/${owner}`, ...(uid ? { 'understudy.dev/owner-uid': uid } : {}) },
  },
});
const reader = (objects: KubeObject[]) => ({
  get: (ns: string, name: string) =>
    objects.find((o) => (o.metadata.namespace ?? '') === ns && o.metadata.name === name),
  list: (ns?: string) => objects.filter((o) => ns === undefined || (o.metadata.namespace ?? '') === ns),
  hasSynced: () => true,
});

function run(options: {
  namespaces: KubeObject[];
  environments: Array<{ name: string; uid: string }>;
  live?: Array<{ name: string; uid: string }>;
  configMaps?: KubeObject[];
}) {
  const deleted: string[] = [];
  const client = {
    get: async (ref: { name: string }) => {
      const found = (options.live ?? []).find((e) => e.name === ref.name);
      return found ? { metadata: { name: found.name, namespace: 'previews', uid: found.uid } } : undefined;
    },
    delete: async (ref: { kind: string; name: string }) => {
      deleted.push(`${ref.kind}/${ref.name}`);
      return true;
    },
  } as unknown as KubeClient;
  const environments = { get: (_ns: string, name: string) => options.environments.find((e) => e.name === name) };
  return sweepOnce(
    {
      client,
      logger: createLogger({ level: 'silent' }),
      namespaces: reader(options.namespaces),
      environments,
      configMaps: reader(options.configMaps ?? []),
      operatorNamespace: 'understudy-system',
      now,
    },
    ['previews'],
  ).then(() => deleted);
}

describe('orphan sweep', () => {
  it('deletes a managed namespace whose environment is gone from the cache and from the server, and nothing else', async () => {
    const deleted = await run({
      namespaces: [namespace('previews-gone', 'gone', 'u-1'), namespace('previews-here', 'here', 'u-2')],
      environments: [{ name: 'here', uid: 'u-2' }],
    });
    expect(deleted).toEqual(['Namespace/previews-gone']);
  });

  it('keeps a namespace whose environment the cache has not seen yet but the server has, with the same uid', async () => {
    expect(
      await run({
        namespaces: [namespace('previews-new', 'new', 'u-3')],
        environments: [],
        live: [{ name: 'new', uid: 'u-3' }],
      }),
    ).toEqual([]);
    // The server's environment of that name is a later one: the namespace was an earlier one's.
    expect(
      await run({
        namespaces: [namespace('previews-new', 'new', 'u-old')],
        environments: [],
        live: [{ name: 'new', uid: 'u-3' }],
      }),
    ).toEqual(['Namespace/previews-new']);
  });

  it('deletes tombstones past their retention only', async () => {
    const fresh = tombstoneObject(
      {
        namespace: 'previews',
        name: 'a',
        uid: 'u',
        firstCreatedAt: new Date(now.getTime() - 3600_000),
        expiredAt: new Date(now.getTime() - 60_000),
      },
      'understudy-system',
    );
    const old = tombstoneObject(
      {
        namespace: 'previews',
        name: 'b',
        uid: 'u',
        firstCreatedAt: new Date(0),
        expiredAt: new Date(now.getTime() - TOMBSTONE_RETENTION_MS - 1),
      },
      'understudy-system',
    );
    const unrelated: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'understudy-system' },
      data: {},
    };
    expect(await run({ namespaces: [], environments: [], configMaps: [fresh, old, unrelated] })).toEqual([
      `ConfigMap/${old.metadata.name}`,
    ]);
  });
});
