import { OPERATOR_WRITABLE } from '../support/kube';
import { type KubernetesObject, loadKubeConfig } from '../../operator/runtime/client-node';
import { Informer } from '../../operator/runtime/informer';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import { objectKey } from '../../operator/runtime/object-store';
import { defaultOptions, startExtraApiServer, stopComponent } from '../cluster/controlplane';
import { createNamespace, deleteNamespace, eventually } from '../support/kube';
import { compactEtcd, freePort, kubeconfigForServer } from '../support/operator-process';

jest.setTimeout(240_000);

const LABEL = 'understudy.dev/runtime-test=gone';

// The informer watches through a kube-apiserver of its own. While that server
// is down the objects change and etcd is compacted past everything the
// informer saw; when the server is back, resuming the watch answers 410 Gone
// and the informer must relist and report every change it missed.
describe('runtime: informer relists after 410 Gone without losing an event', () => {
  const opts = defaultOptions();
  let ns: string;
  let extra: { kubeconfig: string; name: string };
  let port: number;
  let informer: Informer | undefined;

  beforeAll(async () => {
    port = await freePort();
    extra = await startExtraApiServer(opts, port);
    ns = createNamespace('rt-gone', OPERATOR_WRITABLE);
  });

  afterAll(async () => {
    await informer?.stop();
    await stopComponent(opts, extra.name);
    if (ns) deleteNamespace(ns);
  });

  it('emits the delete, update and add that happened while its watch was gone', async () => {
    const admin = new KubeClient(loadKubeConfig(process.env.KUBECONFIG));
    const cm = (name: string, value: string): KubernetesObject =>
      ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns, labels: { 'understudy.dev/runtime-test': 'gone' } },
        data: { value },
      }) as KubernetesObject;
    for (const name of ['a', 'b', 'c']) await admin.create(cm(name, '1'));

    const operatorKubeconfig = kubeconfigForServer(
      process.env.UNDERSTUDY_OPERATOR_KUBECONFIG!,
      `https://127.0.0.1:${port}`,
      `gone-${port}`,
    );
    const client = new KubeClient(loadKubeConfig(operatorKubeconfig));
    informer = new Informer({
      client,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespaces: [ns],
      labelSelector: LABEL,
      // The connection errors while the server is down are expected; keep the output for failures.
      logger: createLogger({ level: 'error' }),
      backoff: { initialMs: 200, maxMs: 2000 },
    });
    // What a handler-driven consumer believes, built only from events.
    const seen = new Map<string, string>();
    const log: string[] = [];
    informer.addHandlers({
      onAdd: (o) => {
        seen.set(objectKey(o), o.metadata!.resourceVersion!);
        log.push(`add ${o.metadata!.name}`);
      },
      onUpdate: (_old, o) => {
        seen.set(objectKey(o), o.metadata!.resourceVersion!);
        log.push(`update ${o.metadata!.name}`);
      },
      onDelete: (o) => {
        seen.delete(objectKey(o));
        log.push(`delete ${o.metadata!.name}`);
      },
    });
    informer.start();
    await informer.waitForSync();
    expect([...seen.keys()].sort()).toEqual([`${ns}/a`, `${ns}/b`, `${ns}/c`]);
    const listsBefore = informer.stats.lists;

    await stopComponent(opts, extra.name);
    await admin.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'a' });
    await admin.mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'b' }, { data: { value: '2' } });
    await admin.create(cm('d', '1'));
    await compactEtcd(opts.etcdPort);
    log.length = 0;
    await startExtraApiServer(opts, port);

    const server = async () =>
      new Map(
        (await admin.list('v1', 'ConfigMap', { namespace: ns, labelSelector: LABEL })).items.map((o) => [
          objectKey(o),
          o.metadata!.resourceVersion!,
        ]),
      );
    await eventually(
      async () =>
        informer!.stats.expired >= 1 &&
        JSON.stringify([...seen].sort()) === JSON.stringify([...(await server())].sort()),
      {
        what: 'a relist after 410 Gone that matches the server',
        timeoutMs: 120_000,
        intervalMs: 500,
      },
    );
    expect(informer.stats.lists).toBeGreaterThan(listsBefore);
    expect(log.sort()).toEqual(['add d', 'delete a', 'update b']);
    const cached = new Map(informer.list(ns).map((o) => [objectKey(o), o.metadata!.resourceVersion!]));
    expect(cached).toEqual(await server());
    // The watch is live again after the relist: a new change arrives as an event.
    await admin.mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'c' }, { data: { value: '3' } });
    await eventually(() => log.includes('update c'), { what: 'a live event after the relist' });
  });
});
