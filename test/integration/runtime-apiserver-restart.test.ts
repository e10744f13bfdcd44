import { OPERATOR_WRITABLE } from '../support/kube';
import { type KubernetesObject, loadKubeConfig } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import { RUNTIME_TEST_LABEL, echoController, echoName } from '../../operator/runtime/testing/configmap-echo';
import { defaultOptions, startExtraApiServer, stopComponent } from '../cluster/controlplane';
import { createNamespace, deleteNamespace, eventually } from '../support/kube';
import { freePort, kubeconfigForServer } from '../support/operator-process';

jest.setTimeout(300_000);

// The operator talks to a kube-apiserver of its own (same etcd as the rest of
// the cluster). That server is stopped, objects are created and changed
// through the main one meanwhile, and the server comes back: the operator,
// with its default backoff, must pick everything up without a restart.
describe('runtime: the operator survives a kube-apiserver restart', () => {
  const opts = defaultOptions();
  let ns: string;
  let port: number;
  let extra: { kubeconfig: string; name: string };
  let manager: Manager | undefined;

  beforeAll(async () => {
    port = await freePort();
    extra = await startExtraApiServer(opts, port);
    ns = createNamespace('rt-restart', OPERATOR_WRITABLE);
  });

  afterAll(async () => {
    await manager?.stop();
    await stopComponent(opts, extra.name);
    if (ns) deleteNamespace(ns);
  });

  it('reconciles an object created while the API server was down', async () => {
    const admin = new KubeClient(loadKubeConfig(process.env.KUBECONFIG));
    const source = (name: string, value: string): KubernetesObject =>
      ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace: ns, labels: { [RUNTIME_TEST_LABEL]: 'source' } },
        data: { value },
      }) as KubernetesObject;
    const echoOf = (name: string) =>
      admin.get<KubernetesObject & { data?: Record<string, string> }>({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: ns,
        name: echoName(name),
      });

    manager = new Manager({
      kubeConfig: loadKubeConfig(
        kubeconfigForServer(
          process.env.UNDERSTUDY_OPERATOR_KUBECONFIG!,
          `https://127.0.0.1:${port}`,
          `restart-${port}`,
        ),
      ),
      logger: createLogger({ level: 'error' }),
      namespaces: [ns],
      metricsAddr: '127.0.0.1:0',
      healthAddr: '127.0.0.1:0',
    });
    manager.addController(echoController({ identity: 'restart-test' }));
    await manager.start();

    await admin.create(source('before', '1'));
    await eventually(async () => (await echoOf('before'))?.data?.value === '1', { what: 'echo before the restart' });

    await stopComponent(opts, extra.name);
    const downAt = Date.now();
    await admin.create(source('during', '1'));
    await admin.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'before' },
      { data: { value: '2' } },
    );
    // Long enough for several failed reconnects, so the backoff has grown.
    await new Promise((r) => setTimeout(r, 8000));
    expect((await fetch(`${manager.healthUrl}/healthz`)).status).toBe(200);
    await startExtraApiServer(opts, port);
    const upAt = Date.now();

    await eventually(async () => (await echoOf('during'))?.data?.value === '1', {
      what: 'echo of the object created while down',
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    await eventually(async () => (await echoOf('before'))?.data?.value === '2', {
      what: 'echo of the change made while down',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const recoveredAfterMs = Date.now() - upAt;
    if (process.env.UNDERSTUDY_TEST_VERBOSE)
      process.stderr.write(
        `restart: down ${upAt - downAt} ms, caught up ${recoveredAfterMs} ms after the server was back\n`,
      );

    const informer = manager.informerFor({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      labelSelector: `${RUNTIME_TEST_LABEL}=source`,
    });
    expect(informer.stats.errors).toBeGreaterThan(0);
    // Still watching: a change made now, with the server up, arrives as an event.
    await admin.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'during' },
      { data: { value: '3' } },
    );
    await eventually(async () => (await echoOf('during'))?.data?.value === '3', {
      what: 'echo of a change after recovery',
    });
    expect((await fetch(`${manager.healthUrl}/readyz`)).status).toBe(200);
  });
});
