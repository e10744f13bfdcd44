import { OPERATOR_WRITABLE } from '../support/kube';
import { type KubernetesObject, loadKubeConfig } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import {
  ECHO_CONTROLLER_NAME,
  RUNTIME_TEST_LABEL,
  echoController,
  echoName,
} from '../../operator/runtime/testing/configmap-echo';
import { createNamespace, deleteNamespace, eventually } from '../support/kube';
import { ReconcileRecorder, metricValue } from '../support/operator-process';

jest.setTimeout(120_000);

// One operator in this process, with the chart's least-privilege identity,
// watching only this test's namespace.
describe('runtime: work queue de-duplication, no-op reconciles and /metrics on a real API server', () => {
  let ns: string;
  let manager: Manager;
  const recorder = new ReconcileRecorder();

  beforeAll(async () => {
    ns = createNamespace('rt-burst', OPERATOR_WRITABLE);
    manager = new Manager({
      kubeConfig: loadKubeConfig(process.env.UNDERSTUDY_OPERATOR_KUBECONFIG),
      logger: createLogger({ level: 'warn' }),
      namespaces: [ns],
      metricsAddr: '127.0.0.1:0',
      healthAddr: '127.0.0.1:0',
    });
    // Work of 30 ms per reconcile, so the burst lands while a reconcile of the same key is in flight.
    manager.addController(
      echoController({ identity: 'burst-test', onReconcile: recorder.hook, workMs: 30, maxConcurrentReconciles: 4 }),
    );
    await manager.start();
  });

  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  const idle = (): boolean => recorder.active.size === 0 && (manager.controller(ECHO_CONTROLLER_NAME)?.idle() ?? false);

  const source = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'burst', namespace: ns, labels: { [RUNTIME_TEST_LABEL]: 'source' } },
    data,
  });

  it('turns 100 updates in a burst into far fewer reconciles, never two at once for the key, and converges on the last', async () => {
    const client = manager.client;
    await client.create(source({ n: '0' }));
    await eventually(
      () =>
        manager
          .informerFor({ apiVersion: 'v1', kind: 'ConfigMap', labelSelector: `${RUNTIME_TEST_LABEL}=echo` })
          .get(ns, echoName('burst')),
      {
        what: 'first echo',
      },
    );
    const before = recorder.count(`${ns}/burst`);
    // 100 real writes, ten at a time, as fast as the API server takes them.
    for (let batch = 0; batch < 10; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          client.mergePatch(
            { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'burst' },
            { data: { n: String(batch * 10 + i + 1), [`k${batch * 10 + i}`]: 'x' } },
          ),
        ),
      );
    }
    const last = await client.get<{ data?: Record<string, string> } & KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: 'burst',
    });
    const echo = await eventually(
      async () => {
        const e = await client.get<{ data?: Record<string, string> } & KubernetesObject>({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: ns,
          name: echoName('burst'),
        });
        return e &&
          e.data?.n === last?.data?.n &&
          Object.keys(e.data ?? {}).length === Object.keys(last?.data ?? {}).length + 1
          ? e
          : undefined;
      },
      { what: 'echo of the last update', timeoutMs: 60_000 },
    );
    expect(echo.data?.reconciledBy).toBe('burst-test');
    await eventually(() => idle(), { what: 'idle queue' });
    const reconciles = recorder.count(`${ns}/burst`) - before;
    // Each reconcile's own echo write triggers one more (no-op) reconcile through the owned watch,
    // so a fully de-duplicated queue still reconciles a handful of times — but nowhere near 100.
    if (process.env.UNDERSTUDY_TEST_VERBOSE) process.stderr.write(`burst: 100 updates -> ${reconciles} reconciles\n`);
    expect(reconciles).toBeGreaterThanOrEqual(1);
    expect(reconciles).toBeLessThan(40);
    expect(recorder.overlaps).toBe(0);
  });

  it('a reconcile with nothing to change issues no write', async () => {
    const client = manager.client;
    const key = `${ns}/burst`;
    await eventually(() => recorder.active.size === 0 && idle(), { what: 'idle queue' });
    const writesBefore = client.requestCounts();
    const reconcilesBefore = recorder.count(key);
    // An annotation changes the source (a new resourceVersion, so an update event) but not the desired echo.
    const admin = new KubeClient(loadKubeConfig(process.env.KUBECONFIG));
    await admin.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'burst' },
      { metadata: { annotations: { touched: 'yes' } } },
    );
    await eventually(() => recorder.count(key) > reconcilesBefore && recorder.active.size === 0, {
      what: 'reconcile after the annotation',
    });
    await new Promise((r) => setTimeout(r, 300));
    const writesAfter = client.requestCounts();
    for (const verb of ['create', 'update', 'patch', 'apply', 'delete'] as const)
      expect(`${verb}=${writesAfter[verb]}`).toBe(`${verb}=${writesBefore[verb]}`);
  });

  it('/metrics exposes controller-runtime metrics with the values the run produced, and the probes answer', async () => {
    await eventually(() => recorder.active.size === 0 && idle(), { what: 'idle queue' });
    const text = await (await fetch(`${manager.metricsUrl}/metrics`)).text();
    const success = metricValue(text, 'controller_runtime_reconcile_total', {
      controller: ECHO_CONTROLLER_NAME,
      result: 'success',
    });
    expect(success).toBe(recorder.total);
    expect(success).toBeGreaterThan(0);
    expect(metricValue(text, 'workqueue_depth', { name: ECHO_CONTROLLER_NAME })).toBe(0);
    const adds = metricValue(text, 'workqueue_adds_total', { name: ECHO_CONTROLLER_NAME }) ?? 0;
    // Fewer hand-outs than adds is the de-duplication at work; every hand-out was an add.
    expect(adds).toBeGreaterThanOrEqual(recorder.total);
    expect(metricValue(text, 'workqueue_queue_duration_seconds_count', { name: ECHO_CONTROLLER_NAME })).toBe(
      recorder.total,
    );
    expect(
      metricValue(text, 'controller_runtime_reconcile_time_seconds_count', { controller: ECHO_CONTROLLER_NAME }),
    ).toBe(recorder.total);
    expect(
      metricValue(text, 'controller_runtime_max_concurrent_reconciles', { controller: ECHO_CONTROLLER_NAME }),
    ).toBe(4);
    expect(metricValue(text, 'controller_runtime_active_workers', { controller: ECHO_CONTROLLER_NAME })).toBe(0);
    expect(metricValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
    expect((await fetch(`${manager.healthUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${manager.healthUrl}/readyz`)).status).toBe(200);
  });
});
