import type { KubernetesObject } from './client-node';
import { namespacedKey, objectKey } from './object-key';

export { objectKey, splitKey } from './object-key';

export type StoreDelta<T> =
  { type: 'add'; object: T } | { type: 'update'; old: T; object: T } | { type: 'delete'; object: T };

/**
 * What an object is filed under in one index (controller-runtime's
 * IndexField, client-go's IndexFunc): a DataSeed's `secret` index returns
 * `namespace/name` of every Secret it names. Pure and total: it sees the
 * frozen cached object and nothing else, so the index is the same after a
 * restart as before it. An empty list files the object nowhere.
 */
// Declared as a method so an IndexFunc<DataSeed> can sit among a controller's
// kinds typed as KubernetesObject (method parameters are bivariant); the
// informer only ever calls it with objects of its own kind.
export type IndexFunc<T> = { index(object: T): readonly string[] }['index'];

export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/** The built-in index every store keeps: `list(namespace)` reads it instead of scanning the kind. */
export const NAMESPACE_INDEX = 'metadata.namespace';

/**
 * Freezes a JSON-like value and everything in it. The cache hands out the
 * objects it holds, to every reconciler and handler: frozen, a reconciler that
 * changes one (to build the object it writes, say) fails at once with a
 * TypeError instead of silently changing what every other reader sees until
 * the next event. controller-runtime deep-copies on read for the same reason;
 * freezing once per event is cheaper than a copy per read.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  // Typed arrays cannot be frozen; none comes from JSON, but a transform could add one.
  if (ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
  return value;
}

const namespaceOf: IndexFunc<KubernetesObject> = (object) => [object.metadata?.namespace ?? ''];

/**
 * The informer's cache. Every mutation returns what changed, so the informer
 * can tell its handlers exactly what a watch event or a relist did. Objects
 * are deep-frozen as they are stored: what get(), list() and byIndex() return
 * must not be changed (copy it first, e.g. with structuredClone).
 *
 * Indexes are kept in step with every mutation, computed from the stored
 * objects alone (old values from the old object), so they need no reconcile
 * to fill them and hold after a restart as soon as the cache has listed.
 */
export class ObjectStore<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → indexed value → keys of the objects filed under it. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  /** `onIndexError`: an index function threw (a bug); the object is filed nowhere in that index. */
  constructor(
    indexers: Indexers<T> = {},
    private readonly onIndexError: (index: string, key: string, err: unknown) => void = () => {},
  ) {
    this.addIndexer(NAMESPACE_INDEX, namespaceOf);
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  /** Adds an index and files every object already stored in it. A name is registered once. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) throw new Error(`index ${name} is already registered on this cache`);
    this.indexers.set(name, fn);
    const index = new Map<string, Set<string>>();
    this.indices.set(name, index);
    for (const [key, object] of this.objects) this.file(index, name, fn, key, object);
  }

  hasIndexer(name: string): boolean {
    return this.indexers.has(name);
  }

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(namespacedKey(namespace, name));
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** Objects in one namespace ('' for cluster-scoped ones), or all of them. */
  list(namespace?: string): T[] {
    return namespace === undefined ? [...this.objects.values()] : this.byIndex(NAMESPACE_INDEX, namespace);
  }

  /** The objects an index files under `value`; throws for an index never registered (a typo must not read as "none"). */
  byIndex(name: string, value: string): T[] {
    const index = this.indices.get(name);
    if (!index) throw new Error(`no index named ${name} on this cache: register it with the kind's indexers`);
    const out: T[] = [];
    for (const key of index.get(value) ?? []) out.push(this.objects.get(key)!);
    return out;
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }

  get size(): number {
    return this.objects.size;
  }

  upsert(object: T): StoreDelta<T> | undefined {
    const key = objectKey(object);
    const old = this.objects.get(key);
    deepFreeze(object);
    this.objects.set(key, object);
    this.reindex(key, old, object);
    if (!old) return { type: 'add', object };
    if (old.metadata?.resourceVersion === object.metadata?.resourceVersion) return undefined;
    return { type: 'update', old, object };
  }

  /** Removes the object; the delta carries the state the server reported, or the last one known. */
  remove(object: T): StoreDelta<T> | undefined {
    const key = objectKey(object);
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.delete(key, old);
    return { type: 'delete', object };
  }

  /**
   * Makes the cache hold exactly `items` among the objects `inScope` selects
   * (the namespace a list covered), reporting adds, updates by resourceVersion,
   * and deletes for objects that vanished while the watch was down.
   */
  replace(items: T[], inScope: (object: T) => boolean): Array<StoreDelta<T>> {
    const deltas: Array<StoreDelta<T>> = [];
    const listed = new Set<string>();
    for (const item of items) {
      listed.add(objectKey(item));
      const delta = this.upsert(item);
      if (delta) deltas.push(delta);
    }
    for (const [key, object] of [...this.objects]) {
      if (listed.has(key) || !inScope(object)) continue;
      this.delete(key, object);
      deltas.push({ type: 'delete', object });
    }
    return deltas;
  }

  private delete(key: string, old: T): void {
    this.objects.delete(key);
    this.reindex(key, old, undefined);
  }

  private reindex(key: string, old: T | undefined, object: T | undefined): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name)!;
      if (old) this.unfile(index, name, fn, key, old);
      if (object) this.file(index, name, fn, key, object);
    }
  }

  private valuesOf(name: string, fn: IndexFunc<T>, key: string, object: T): readonly string[] {
    try {
      return fn(object);
    } catch (err) {
      this.onIndexError(name, key, err);
      return [];
    }
  }

  private file(index: Map<string, Set<string>>, name: string, fn: IndexFunc<T>, key: string, object: T): void {
    for (const value of this.valuesOf(name, fn, key, object)) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unfile(index: Map<string, Set<string>>, name: string, fn: IndexFunc<T>, key: string, object: T): void {
    for (const value of this.valuesOf(name, fn, key, object)) {
      const keys = index.get(value);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) index.delete(value);
    }
  }
}
