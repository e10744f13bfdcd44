import { createLogger } from './logger';
import { Manager } from './manager';
import { createMetricsRegistry } from './metrics';
import { type LocalApiServer, startLocalApiServer } from './testing/local-apiserver';

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The manager against a real HTTP server on 127.0.0.1 that lists one
// ConfigMap and holds every watch open without answering.
describe('Manager shutdown', () => {
  let server: LocalApiServer;
  beforeEach(async () => {
    server = await startLocalApiServer((req, res, url) => {
      if (url.searchParams.get('watch') === 'true') return; // silent: the watch stays pending until aborted
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          kind: 'ConfigMapList',
          metadata: { resourceVersion: '5' },
          items: [{ metadata: { name: 'a', namespace: 'ns', resourceVersion: '5' } }],
        }),
      );
    });
  });
  afterEach(() => server.close());

  it('on SIGTERM tells reconciles to stop at once, not after gracefulShutdownTimeout', async () => {
    const manager = new Manager({
      kubeConfig: server.kubeConfig(),
      logger: createLogger({ level: 'silent' }),
      metricsAddr: '0',
      healthAddr: '0',
      namespaces: ['ns'],
      gracefulShutdownTimeoutMs: 10_000,
      registry: createMetricsRegistry({ defaultMetrics: false }),
    });
    let reconciling = false;
    let toldToStopAfterMs: number | undefined;
    manager.addController({
      name: 'cooperative',
      primary: { apiVersion: 'v1', kind: 'ConfigMap' },
      reconciler: {
        reconcile: async (_req, ctx) => {
          reconciling = true;
          const startedAt = Date.now();
          await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
          toldToStopAfterMs = Date.now() - startedAt;
        },
      },
    });
    const before = new Set([...process.listeners('SIGTERM'), ...process.listeners('SIGINT')]);
    let stopped = false;
    try {
      await manager.start();
      manager.handleSignals(() => (stopped = true));
      await until(() => reconciling);
      const signalledAt = Date.now();
      process.emit('SIGTERM', 'SIGTERM');
      await until(() => stopped, 5000);
      expect(Date.now() - signalledAt).toBeLessThan(1500);
      expect(toldToStopAfterMs).toBeDefined();
    } finally {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) {
        for (const listener of process.listeners(signal))
          if (!before.has(listener)) process.removeListener(signal, listener);
      }
      await manager.stop();
    }
  }, 20_000);
});
