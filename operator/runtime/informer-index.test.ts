import type { KubernetesObject } from './client-node';
import { Informer, type ListWatchClient } from './informer';
import type { WatchEvent } from './kube-client';
import { createLogger } from './logger';

// Indexes on a live informer follow watch events (add, update, delete) and
// can be added to a shared informer after it has synced.

type Labelled = KubernetesObject & { data?: { team?: string } };
const cm = (name: string, rv: string, team?: string): Labelled => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
  data: team ? { team } : {},
});
const byTeam = (o: Labelled): string[] => (o.data?.team ? [o.data.team] : []);

function source(items: Labelled[], events: WatchEvent[]): ListWatchClient {
  return {
    list: async <T extends KubernetesObject>() => ({ items: items as unknown as T[], resourceVersion: '1' }),
    watch: async (_a, _k, options, onEvent) => {
      for (const event of events.splice(0)) onEvent(event);
      await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true }));
    },
  };
}

const names = (objects: KubernetesObject[]) => objects.map((o) => o.metadata?.name).sort();

describe('Informer indexes', () => {
  it('follow watch events, and an index added after sync files what is cached', async () => {
    const events: WatchEvent[] = [
      { type: 'ADDED', object: cm('c', '2', 'red') },
      { type: 'MODIFIED', object: cm('a', '3', 'blue') },
      { type: 'DELETED', object: cm('b', '4', 'red') },
    ];
    const informer = new Informer<Labelled>({
      client: source([cm('a', '1', 'red'), cm('b', '1', 'red')], events),
      apiVersion: 'v1',
      kind: 'ConfigMap',
      logger: createLogger({ level: 'silent' }),
      indexers: { team: byTeam },
    });
    informer.start();
    expect(await informer.waitForSync(undefined, 2000)).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(names(informer.byIndex('team', 'red'))).toEqual(['c']);
    expect(names(informer.byIndex('team', 'blue'))).toEqual(['a']);
    informer.addIndexer('initial', (o) => [(o.metadata?.name ?? '').slice(0, 1)]);
    expect(names(informer.byIndex('initial', 'a'))).toEqual(['a']);
    expect(names(informer.list('ns'))).toEqual(['a', 'c']);
    await informer.stop();
  });

  it('takes the same index function twice (two controllers sharing it) and refuses another under the same name', () => {
    const informer = new Informer<Labelled>({
      client: source([], []),
      apiVersion: 'v1',
      kind: 'ConfigMap',
      logger: createLogger({ level: 'silent' }),
      indexers: { team: byTeam },
    });
    expect(() => informer.addIndexers({ team: byTeam })).not.toThrow();
    expect(() => informer.addIndexers({ team: (o) => byTeam(o) })).toThrow(/index team is already registered/);
  });
});
