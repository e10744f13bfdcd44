import { createLogger } from './logger';
import { Manager } from './manager';
import { createMetricsRegistry } from './metrics';
import { type LocalApiServer, startLocalApiServer } from './testing/local-apiserver';

// A controller's runnables run in the manager: leader-only ones while it
// leads (here: without leader election, from start), told to stop on stop().

describe('Manager runnables', () => {
  let server: LocalApiServer;
  beforeEach(async () => {
    server = await startLocalApiServer((req, res, url) => {
      if (url.searchParams.get('watch') === 'true') return;
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ kind: 'ConfigMapList', metadata: { resourceVersion: '5' }, items: [] }));
    });
  });
  afterEach(() => server.close());

  it('starts the runnables a controller brings, and stops them with the manager', async () => {
    const manager = new Manager({
      kubeConfig: server.kubeConfig(),
      logger: createLogger({ level: 'silent' }),
      metricsAddr: '0',
      healthAddr: '0',
      registry: createMetricsRegistry({ defaultMetrics: false }),
    });
    const events: string[] = [];
    manager.addController({
      name: 'with-sweep',
      primary: { apiVersion: 'v1', kind: 'ConfigMap' },
      reconciler: { reconcile: async () => ({}) },
      runnables: [
        {
          name: 'sweep',
          start: async (ctx) => {
            const informer = ctx.informerFor({ apiVersion: 'v1', kind: 'ConfigMap' });
            events.push(`started, cache synced: ${String(await informer.waitForSync(ctx.signal))}`);
            await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
            events.push('stopped');
          },
        },
      ],
    });
    expect(() => manager.add({ name: 'sweep', start: async () => undefined })).toThrow(/already registered/);
    await manager.start();
    const deadline = Date.now() + 5_000;
    while (events.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['started, cache synced: true']);
    await manager.stop();
    expect(events).toEqual(['started, cache synced: true', 'stopped']);
    expect(() => manager.add({ name: 'late', start: async () => undefined })).toThrow(/before start/);
  });
});
