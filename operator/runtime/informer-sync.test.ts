import { getEventListeners } from 'node:events';
import { Informer, type ListWatchClient } from './informer';
import type { ListOptions, ObjectList } from './kube-client';
import { createLogger } from './logger';
import type { KubernetesObject } from './client-node';

/** A source whose list answers only when the test says so; its watch waits for the informer to stop. */
function gatedSource(): { source: ListWatchClient; release: () => void } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const source: ListWatchClient = {
    list: async <T extends KubernetesObject>(_a: string, _k: string, options?: ListOptions): Promise<ObjectList<T>> => {
      await Promise.race([
        gate,
        new Promise((_, reject) =>
          options?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        ),
      ]);
      return { items: [], resourceVersion: '1' };
    },
    watch: (_a, _k, options) =>
      new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true })),
  };
  return { source, release: () => release() };
}

const informerOf = (source: ListWatchClient): Informer =>
  new Informer({
    client: source,
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespaces: ['ns'],
    logger: createLogger({ level: 'silent' }),
  });

describe('Informer.waitForSync', () => {
  it('removes its abort listener however the wait ends', async () => {
    const { source, release } = gatedSource();
    const informer = informerOf(source);
    informer.start();
    const signal = new AbortController().signal;
    // Waits that time out, as a controller re-checking a slow cache does.
    for (let i = 0; i < 5; i++) await expect(informer.waitForSync(signal, 5)).resolves.toBe(false);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    // A wait that ends with the sync.
    const waiting = informer.waitForSync(signal);
    release();
    await expect(waiting).resolves.toBe(true);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    await informer.stop();
  });

  it('gives up after timeoutMs, and resolves false at once when aborted or stopped', async () => {
    const { source } = gatedSource();
    const informer = informerOf(source);
    informer.start();
    const startedAt = Date.now();
    await expect(informer.waitForSync(undefined, 50)).resolves.toBe(false);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(40);

    const abort = new AbortController();
    const waiting = informer.waitForSync(abort.signal);
    abort.abort();
    await expect(waiting).resolves.toBe(false);
    await expect(informer.waitForSync(abort.signal)).resolves.toBe(false);

    const beforeStop = informer.waitForSync();
    await informer.stop();
    await expect(beforeStop).resolves.toBe(false);
    // After stop() nothing will ever resolve a new waiter: it must not hang.
    await expect(informer.waitForSync()).resolves.toBe(false);
  });
});
