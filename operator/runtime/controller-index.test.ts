import type { KubernetesObject } from './client-node';
import { Controller, watching } from './controller';
import { noopEventRecorder } from './events';
import { groupVersionKind } from './gvk';
import { Informer, type ListWatchClient } from './informer';
import type { KubeClient } from './kube-client';
import { createLogger } from './logger';
import { createMetricsRegistry, runtimeMetrics } from './metrics';
import type { Caches, Request } from './reconciler';

// A controller's indexes come from its kinds' `indexers`, and map functions
// read them through the caches they are handed: the mapping from a Secret to
// the ConfigMaps naming it exists as soon as the caches have listed, with no
// reconcile before it.

type Named = KubernetesObject & { data?: { secret?: string } };
const CONFIG_MAP = groupVersionKind<Named>('', 'v1', 'ConfigMap', 'configmaps');
const SECRET = groupVersionKind('', 'v1', 'Secret', 'secrets');
const SECRET_INDEX = 'data.secret';

const object = (kind: string, namespace: string, name: string, data: Record<string, string> = {}): Named => ({
  apiVersion: 'v1',
  kind,
  metadata: { namespace, name, resourceVersion: '1' },
  data,
});

/** Lists `items` of each kind once, then watches quietly until stopped. */
function listing(byKind: Record<string, Named[]>): ListWatchClient {
  return {
    list: async <T extends KubernetesObject>(_apiVersion: string, kind: string) => ({
      items: (byKind[kind] ?? []) as unknown as T[],
      resourceVersion: '1',
    }),
    watch: (_a, _k, options) =>
      new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve(), { once: true })),
  };
}

async function until(predicate: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('Controller indexes', () => {
  it('registers indexers on the informers, hands map functions the caches, and types ctx.cache(kind)', async () => {
    const logger = createLogger({ level: 'silent' });
    const source = listing({
      ConfigMap: [
        object('ConfigMap', 'shop', 'a', { secret: 'db' }),
        object('ConfigMap', 'shop', 'b', { secret: 'other' }),
        object('ConfigMap', 'web', 'c', { secret: 'db' }),
      ],
      Secret: [object('Secret', 'shop', 'db')],
    });
    const informers: Informer[] = [];
    const reconciled: string[] = [];
    const seen: Record<string, string[]> = {};
    let handed: Caches | undefined;
    const secretToConfigMaps = (secret: KubernetesObject, caches: Caches): Request[] => {
      handed = caches;
      return caches
        .cache(CONFIG_MAP)
        .byIndex(SECRET_INDEX, `${secret.metadata?.namespace}/${secret.metadata?.name}`)
        .map((cm) => ({ namespace: cm.metadata?.namespace ?? '', name: cm.metadata?.name ?? '' }));
    };
    const controller = new Controller(
      {
        name: 'indexed',
        primary: {
          ...CONFIG_MAP,
          indexers: {
            [SECRET_INDEX]: (cm: Named) => (cm.data?.secret ? [`${cm.metadata?.namespace}/${cm.data.secret}`] : []),
          },
        },
        watches: [watching(SECRET, { map: secretToConfigMaps })],
        reconciler: {
          reconcile: async (req, ctx) => {
            reconciled.push(`${req.namespace}/${req.name}`);
            // Typed: data.secret reads without a cast.
            seen[`${req.namespace}/${req.name}`] = ctx
              .cache(CONFIG_MAP)
              .list(req.namespace)
              .map((cm) => cm.data?.secret ?? '');
            expect(ctx.cache(CONFIG_MAP)).toBe(ctx.primary);
            expect(() => ctx.cache(groupVersionKind('apps', 'v1', 'Deployment', 'deployments'))).toThrow(
              /does not watch Deployment/,
            );
          },
        },
      },
      {
        client: {} as KubeClient,
        logger,
        recorder: noopEventRecorder,
        metrics: runtimeMetrics(createMetricsRegistry({ defaultMetrics: false })),
        informerFor: (kind) => {
          const informer = new Informer({ client: source, apiVersion: kind.apiVersion, kind: kind.kind, logger });
          informers.push(informer);
          return informer;
        },
      },
    );
    for (const informer of informers) informer.start();
    await controller.start();
    // Every ConfigMap is a primary (3 adds); the Secret's add is mapped through the index (shop/a once more, if cached by then).
    await until(() => controller.idle() && reconciled.length >= 3 && handed !== undefined);
    expect(new Set(reconciled)).toEqual(new Set(['shop/a', 'shop/b', 'web/c']));
    const primary = informers.find((i) => i.resource.startsWith('configmap'))!;
    expect(primary.byIndex(SECRET_INDEX, 'shop/db').map((cm) => cm.metadata?.name)).toEqual(['a']);
    expect(seen['shop/a']).toEqual(['db', 'other']);
    // The caches map functions get are the controller's own: the Secret maps to the one ConfigMap in its namespace naming it.
    expect(secretToConfigMaps(object('Secret', 'shop', 'db'), handed!)).toEqual([{ namespace: 'shop', name: 'a' }]);
    expect(secretToConfigMaps(object('Secret', 'web', 'db'), handed!)).toEqual([{ namespace: 'web', name: 'c' }]);
    await controller.stop(1000);
    await Promise.all(informers.map((i) => i.stop()));
  });
});
