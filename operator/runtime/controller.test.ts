import type { KubernetesObject } from './client-node';
import { Controller, generationOrMetadataChanged, unionCache } from './controller';
import { noopEventRecorder } from './events';
import { Informer, type ListWatchClient } from './informer';
import type { KubeClient } from './kube-client';
import { KubeApiError } from './kube-errors';
import { createLogger } from './logger';
import { createMetricsRegistry, runtimeMetrics } from './metrics';
import { ItemExponentialFailureRateLimiter } from './rate-limiter';
import { type Reconciler, type Request, type Result, TerminalError } from './reconciler';

/** An empty, quiet source: these tests feed the queue directly and look at what the workers do. */
const quietSource: ListWatchClient = {
  list: async () => ({ items: [], resourceVersion: '1' }),
  watch: (_a, _k, options) =>
    new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true })),
};

function setup(reconciler: Reconciler, maxConcurrentReconciles = 1) {
  const registry = createMetricsRegistry({ defaultMetrics: false });
  const metrics = runtimeMetrics(registry);
  const logger = createLogger({ level: 'silent' });
  const informers: Informer[] = [];
  const controller = new Controller(
    {
      name: 'test',
      primary: { apiVersion: 'v1', kind: 'ConfigMap' },
      reconciler,
      maxConcurrentReconciles,
      rateLimiter: new ItemExponentialFailureRateLimiter(5, 50),
    },
    {
      client: {} as KubeClient,
      logger,
      recorder: noopEventRecorder,
      metrics,
      informerFor: (kind) => {
        const informer = new Informer({ client: quietSource, apiVersion: kind.apiVersion, kind: kind.kind, logger });
        informers.push(informer);
        return informer;
      },
    },
  );
  for (const informer of informers) informer.start();
  const metric = async (result: string): Promise<number> =>
    (await metrics.controller.reconcileTotal.get()).values.find((v) => v.labels.result === result)?.value ?? 0;
  const stop = async () => {
    await controller.stop(1000);
    await Promise.all(informers.map((i) => i.stop()));
  };
  return { controller, registry, metric, stop };
}

async function until(predicate: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Controller', () => {
  it('retries errors with backoff until success, then forgets', async () => {
    const calls: number[] = [];
    const { controller, metric, stop } = setup({
      reconcile: async () => {
        calls.push(Date.now());
        if (calls.length < 4) throw new Error('transient');
      },
    });
    await controller.start();
    controller.queue.add('ns/a');
    await until(async () => (await metric('success')) === 1);
    expect(calls).toHaveLength(4);
    expect(await metric('error')).toBe(3);
    // 5 + 10 + 20 ms of backoff at least.
    expect(calls[3]! - calls[0]!).toBeGreaterThanOrEqual(30);
    expect(controller.queue.numRequeues('ns/a')).toBe(0);
    await stop();
  });

  it('requeues a 409 Conflict (a write from a stale read) as a retry, not an error', async () => {
    let calls = 0;
    const { controller, metric, stop } = setup({
      reconcile: async () => {
        if (++calls === 1)
          throw new KubeApiError('PATCH status: HTTP 409: the object has been modified', 409, 'Conflict');
      },
    });
    await controller.start();
    controller.queue.add('ns/a');
    await until(async () => (await metric('success')) === 1);
    expect(calls).toBe(2);
    expect(await metric('requeue')).toBe(1);
    expect(await metric('error')).toBe(0);
    await stop();
  });

  it('does not requeue a TerminalError and counts it', async () => {
    let calls = 0;
    const { controller, registry, stop } = setup({
      reconcile: async () => {
        calls++;
        throw new TerminalError('spec.ttl is not a duration');
      },
    });
    await controller.start();
    controller.queue.add('ns/a');
    await until(() => calls === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toBe(1);
    const text = await registry.metrics();
    expect(text).toMatch(/controller_runtime_terminal_reconcile_errors_total\{controller="test"\} 1/);
    expect(text).toMatch(/controller_runtime_reconcile_errors_total\{controller="test"\} 1/);
    await stop();
  });

  it('honours requeueAfterMs and requeue', async () => {
    const seen: Array<{ req: Request; at: number }> = [];
    const { controller, metric, stop } = setup({
      reconcile: async (req): Promise<Result> => {
        seen.push({ req, at: Date.now() });
        if (seen.length === 1) return { requeueAfterMs: 80 };
        if (seen.length === 2) return { requeue: true };
        return {};
      },
    });
    await controller.start();
    controller.queue.add('ns/a');
    await until(() => seen.length === 3);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(75);
    expect(seen[0]!.req).toEqual({ namespace: 'ns', name: 'a' });
    expect(await metric('requeue_after')).toBe(1);
    expect(await metric('requeue')).toBe(1);
    expect(await metric('success')).toBe(1);
    await stop();
  });

  it('runs different keys in parallel up to the limit, never one key twice at once', async () => {
    let active = 0;
    let maxActive = 0;
    const activeKeys = new Set<string>();
    let overlap = false;
    let done = 0;
    const { controller, stop } = setup(
      {
        reconcile: async (req) => {
          const key = `${req.namespace}/${req.name}`;
          if (activeKeys.has(key)) overlap = true;
          activeKeys.add(key);
          maxActive = Math.max(maxActive, ++active);
          await new Promise((r) => setTimeout(r, 20));
          active--;
          activeKeys.delete(key);
          done++;
        },
      },
      3,
    );
    await controller.start();
    for (let round = 0; round < 5; round++) {
      for (const name of ['a', 'b', 'c', 'd', 'e']) controller.queue.add(`ns/${name}`);
      await new Promise((r) => setTimeout(r, 7));
    }
    await until(() => controller.queue.len() === 0 && controller.queue.inFlight() === 0 && done > 0);
    expect(overlap).toBe(false);
    expect(maxActive).toBe(3);
    await stop();
  });

  it('stop() aborts the signal at once, so a cooperative reconcile returns long before the timeout', async () => {
    let signal: AbortSignal | undefined;
    let toldToStopAfterMs: number | undefined;
    const { controller, stop } = setup({
      reconcile: async (_req, ctx) => {
        signal = ctx.signal;
        const startedAt = Date.now();
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        toldToStopAfterMs = Date.now() - startedAt;
        throw new Error('reconcile cancelled');
      },
    });
    await controller.start();
    controller.queue.add('ns/a');
    await until(() => signal !== undefined);
    const stoppingAt = Date.now();
    await expect(controller.stop(5000)).resolves.toBe(true);
    expect(Date.now() - stoppingAt).toBeLessThan(1000);
    expect(toldToStopAfterMs).toBeLessThan(1000);
    expect(controller.queue.len()).toBe(0);
    await stop();
  });

  it('stop() still waits (bounded) for a reconcile that ignores its signal', async () => {
    let finished = false;
    let signal: AbortSignal | undefined;
    const { controller, stop } = setup({
      reconcile: async (_req, ctx) => {
        signal = ctx.signal;
        await new Promise((r) => setTimeout(r, 100));
        finished = true;
      },
    });
    await controller.start();
    controller.queue.add('ns/a');
    await until(() => signal !== undefined);
    await expect(controller.stop(2000)).resolves.toBe(true);
    expect(finished).toBe(true);
    expect(signal!.aborted).toBe(true);
    await stop();
  });

  it('refuses a bad name or concurrency', () => {
    expect(() => setup({ reconcile: async () => undefined }, 0)).toThrow(/maxConcurrentReconciles/);
  });
});

describe('generationOrMetadataChanged', () => {
  const base: KubernetesObject = { metadata: { name: 'a', generation: 1, resourceVersion: '1', labels: { a: 'b' } } };
  it('ignores status-only updates and sees spec, label and deletion changes', () => {
    expect(generationOrMetadataChanged(base, { metadata: { ...base.metadata, resourceVersion: '2' } })).toBe(false);
    expect(generationOrMetadataChanged(base, { metadata: { ...base.metadata, generation: 2 } })).toBe(true);
    expect(generationOrMetadataChanged(base, { metadata: { ...base.metadata, labels: {} } })).toBe(true);
    expect(
      generationOrMetadataChanged(base, { metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }),
    ).toBe(true);
  });
});

describe('unionCache', () => {
  const obj = (namespace: string, name: string, tag: string) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace, name },
    data: { tag },
  });
  const cacheOf = (items: ReturnType<typeof obj>[]) => ({
    get: (ns: string, name: string) => items.find((i) => i.metadata.namespace === ns && i.metadata.name === name),
    list: (ns?: string) => items.filter((i) => ns === undefined || i.metadata.namespace === ns),
    hasSynced: () => true,
  });

  it('reads through every cache, first one wins, each object listed once', () => {
    const union = unionCache([
      cacheOf([obj('a', 'x', 'first')]),
      cacheOf([obj('a', 'x', 'second'), obj('b', 'y', 'second')]),
    ]);
    expect(union.get('a', 'x')?.data.tag).toBe('first');
    expect(union.get('b', 'y')?.data.tag).toBe('second');
    expect(union.get('c', 'z')).toBeUndefined();
    expect(union.list().map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['a/x', 'b/y']);
    expect(union.list('b')).toHaveLength(1);
  });

  it('has synced only when every cache has', () => {
    const unsynced = { ...cacheOf([]), hasSynced: () => false };
    expect(unionCache([cacheOf([]), unsynced]).hasSynced()).toBe(false);
  });
});
