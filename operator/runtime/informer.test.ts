import type { KubernetesObject } from './client-node';
import { Informer, type InformerOptions, type ListWatchClient, stripManagedFields } from './informer';
import { KubeApiError } from './kube-errors';
import type { ListOptions, ObjectList, WatchEvent, WatchOptions } from './kube-client';
import { createLogger } from './logger';

type Step = { events: WatchEvent[]; end: 'close' | KubeApiError | 'hang' };

/**
 * A scripted list/watch source: each watch call plays the next step. This is
 * a unit test of the informer's loop; the real API server is exercised by
 * test/integration/runtime-*.test.ts.
 */
class ScriptedSource implements ListWatchClient {
  lists: Array<ObjectList<KubernetesObject>> = [];
  steps: Step[] = [];
  watchedFrom: Array<string | undefined> = [];
  listCalls = 0;

  async list<T extends KubernetesObject>(
    _apiVersion: string,
    _kind: string,
    _options?: ListOptions,
  ): Promise<ObjectList<T>> {
    this.listCalls++;
    const next = this.lists.shift();
    if (!next) throw new KubeApiError('no list scripted', 503);
    return next as ObjectList<T>;
  }

  async watch(
    _apiVersion: string,
    _kind: string,
    options: WatchOptions,
    onEvent: (e: WatchEvent) => void,
  ): Promise<void> {
    this.watchedFrom.push(options.resourceVersion);
    const step = this.steps.shift() ?? { events: [], end: 'hang' as const };
    for (const event of step.events) onEvent(event);
    if (step.end === 'hang') {
      await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
      return;
    }
    if (step.end !== 'close') throw step.end;
  }
}

const cm = (name: string, rv: string, data = ''): KubernetesObject =>
  ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'ns', resourceVersion: rv },
    data: { v: data },
  }) as KubernetesObject;

function recordingInformer(
  source: ScriptedSource,
  options: Partial<InformerOptions> = {},
): { informer: Informer; log: string[] } {
  const informer = new Informer({
    client: source,
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespaces: ['ns'],
    logger: createLogger({ level: 'silent' }),
    backoff: { initialMs: 5, maxMs: 20 },
    ...options,
  });
  const log: string[] = [];
  informer.addHandlers({
    onAdd: (o) => log.push(`add ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    onUpdate: (_old, o) => log.push(`update ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    onDelete: (o) => log.push(`delete ${o.metadata?.name}`),
  });
  return { informer, log };
}

async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('Informer loop', () => {
  it('resumes from the last resourceVersion seen, bookmarks included, after a stream ends', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [cm('a', '1')], resourceVersion: '10' });
    source.steps.push(
      {
        events: [
          { type: 'ADDED', object: cm('b', '11') },
          { type: 'BOOKMARK', object: { metadata: { resourceVersion: '15' } } },
        ],
        end: 'close',
      },
      { events: [{ type: 'MODIFIED', object: cm('a', '16') }], end: new KubeApiError('connection reset', 0) },
    );
    const { informer, log } = recordingInformer(source);
    informer.start();
    await until(() => source.watchedFrom.length >= 3);
    expect(informer.hasSynced()).toBe(true);
    expect(source.watchedFrom).toEqual(['10', '15', '16']);
    expect(source.listCalls).toBe(1);
    expect(log).toEqual(['add a@1', 'add b@11', 'update a@16']);
    await informer.stop();
  });

  it('relists on 410 Gone and emits deletes and updates for what changed meanwhile', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [cm('a', '1'), cm('b', '2'), cm('c', '3')], resourceVersion: '10' });
    source.lists.push({ items: [cm('a', '1'), cm('b', '20'), cm('d', '21')], resourceVersion: '30' });
    source.steps.push({ events: [], end: new KubeApiError('too old resource version', 410, 'Expired') });
    const { informer, log } = recordingInformer(source);
    informer.start();
    await until(() => source.watchedFrom.length >= 2);
    expect(source.watchedFrom).toEqual(['10', '30']);
    expect(informer.stats.expired).toBe(1);
    expect(log.slice(3).sort()).toEqual(['add d@21', 'delete c', 'update b@20']);
    expect(
      informer
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['a', 'b', 'd']);
    await informer.stop();
  });

  it('keeps retrying a failing list until it succeeds, and stop() ends the loop', async () => {
    const source = new ScriptedSource();
    const { informer } = recordingInformer(source);
    informer.start();
    await until(() => source.listCalls >= 3);
    expect(informer.hasSynced()).toBe(false);
    source.lists.push({ items: [cm('a', '1')], resourceVersion: '5' });
    await expect(informer.waitForSync()).resolves.toBe(true);
    expect(informer.get('ns', 'a')?.metadata?.resourceVersion).toBe('1');
    await informer.stop();
    const watches = source.watchedFrom.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(source.watchedFrom.length).toBe(watches);
  });

  it('replays the cache to handlers added late and survives a handler that throws', async () => {
    const source = new ScriptedSource();
    source.lists.push({ items: [cm('a', '1')], resourceVersion: '10' });
    source.steps.push({ events: [{ type: 'ADDED', object: cm('b', '11') }], end: 'hang' });
    const { informer, log } = recordingInformer(source);
    informer.addHandlers({
      onAdd: () => {
        throw new Error('bad handler');
      },
    });
    informer.start();
    await until(() => log.length >= 2);
    const late: string[] = [];
    informer.addHandlers({ onAdd: (o) => late.push(o.metadata!.name!) });
    expect(late.sort()).toEqual(['a', 'b']);
    await informer.stop();
  });

  it('caches objects through its transform, listed and watched alike', async () => {
    const withFields = (o: KubernetesObject): KubernetesObject => ({
      ...o,
      metadata: { ...o.metadata, managedFields: [{ manager: 'kubectl' }] },
    });
    const source = new ScriptedSource();
    source.lists.push({ items: [withFields(cm('a', '1'))], resourceVersion: '10' });
    source.steps.push({ events: [{ type: 'ADDED', object: withFields(cm('b', '11')) }], end: 'hang' });
    const { informer } = recordingInformer(source, { transform: stripManagedFields });
    informer.start();
    await until(() => informer.list().length === 2);
    for (const object of informer.list()) {
      expect(object.metadata?.managedFields).toBeUndefined();
      expect(object.metadata?.resourceVersion).toBeDefined();
    }
    await informer.stop();
  });
});
