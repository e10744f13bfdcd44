import type { KubernetesObject } from './client-node';

export type StoreDelta<T> = { type: 'add'; object: T } | { type: 'update'; old: T; object: T } | { type: 'delete'; object: T };

/** `namespace/name`, or `name` for cluster-scoped objects: the key work queues and caches share. */
export function objectKey(obj: KubernetesObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`${obj.kind ?? 'object'} has no metadata.name`);
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

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

/**
 * The informer's cache. Every mutation returns what changed, so the informer
 * can tell its handlers exactly what a watch event or a relist did. Objects
 * are deep-frozen as they are stored: what get() and list() return must not be
 * changed (copy it first, e.g. with structuredClone).
 */
export class ObjectStore<T extends KubernetesObject> {
  private readonly objects = new Map<string, T>();

  get(namespace: string, name: string): T | undefined {
    return this.objects.get(namespace ? `${namespace}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.objects.get(key);
  }

  /** Objects in one namespace, or all of them. */
  list(namespace?: string): T[] {
    const all = [...this.objects.values()];
    return namespace === undefined ? all : all.filter((o) => (o.metadata?.namespace ?? '') === namespace);
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
    if (!old) return { type: 'add', object };
    if (old.metadata?.resourceVersion === object.metadata?.resourceVersion) return undefined;
    return { type: 'update', old, object };
  }

  /** Removes the object; the delta carries the state the server reported, or the last one known. */
  remove(object: T): StoreDelta<T> | undefined {
    const key = objectKey(object);
    const old = this.objects.get(key);
    if (!old) return undefined;
    this.objects.delete(key);
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
    for (const [key, object] of this.objects) {
      if (listed.has(key) || !inScope(object)) continue;
      this.objects.delete(key);
      deltas.push({ type: 'delete', object });
    }
    return deltas;
  }
}
