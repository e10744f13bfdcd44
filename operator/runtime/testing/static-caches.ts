import type { KubernetesObject } from '../client-node';
import type { GroupVersionKind, KindReference } from '../gvk';
import type { IndexedCacheReader } from '../informer';
import { type Indexers, ObjectStore } from '../object-store';
import type { Caches } from '../reconciler';

// Caches built from a list of objects, with the same ObjectStore (and so the
// same indexes) an informer keeps: what a controller sees right after a
// restart, once its caches have listed and before any reconcile ran. For unit
// tests of reconcile steps and map functions; integration tests use the real
// API server.

const keyOf = (kind: { apiVersion?: string; kind?: string }): string => `${kind.apiVersion ?? ''}|${kind.kind ?? ''}`;

export interface StaticCaches extends Caches {
  /** Adds or replaces an object, updating every index, as a watch event would. */
  upsert(object: KubernetesObject): void;
  remove(object: KubernetesObject): void;
}

/**
 * `indexers` are registered per kind, as the controller registers a
 * WatchedKind's. A kind with no object and no indexers has an empty cache,
 * as a watched kind with nothing in the cluster does.
 */
export function staticCaches(
  objects: readonly KubernetesObject[],
  indexers: ReadonlyArray<{ kind: GroupVersionKind; indexers: Indexers<KubernetesObject> }> = [],
): StaticCaches {
  const stores = new Map<string, ObjectStore<KubernetesObject>>();
  const storeOf = (kind: { apiVersion?: string; kind?: string }): ObjectStore<KubernetesObject> => {
    let store = stores.get(keyOf(kind));
    if (!store) {
      store = new ObjectStore<KubernetesObject>({}, (index, key, err) => {
        throw new Error(`index ${index} threw on ${key}: ${String(err)}`);
      });
      stores.set(keyOf(kind), store);
    }
    return store;
  };
  for (const entry of indexers)
    for (const [name, fn] of Object.entries(entry.indexers)) storeOf(entry.kind).addIndexer(name, fn);
  // Copies: the store freezes what it holds, and a test's fixtures should stay its own.
  for (const object of objects) storeOf(object).upsert(structuredClone(object));
  const cache = <T extends KubernetesObject>(kind: KindReference<T>): IndexedCacheReader<T> => {
    // The fixtures of a kind are what its reference promises, as in a real cache.
    const store = storeOf(kind) as unknown as ObjectStore<T>;
    return {
      get: (ns, name) => store.get(ns, name),
      list: (ns) => store.list(ns),
      byIndex: (index, value) => store.byIndex(index, value),
      hasSynced: () => true,
    };
  };
  return {
    cache,
    upsert: (object) => void storeOf(object).upsert(structuredClone(object)),
    remove: (object) => void storeOf(object).remove(object),
  };
}
