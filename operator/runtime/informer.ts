import type { KubernetesObject } from './client-node';
import { type BackoffOptions, backoffDelay } from './backoff';
import { sleep } from './clock';
import type { KubeClient, WatchEvent } from './kube-client';
import { isGone } from './kube-errors';
import type { Logger } from './logger';
import type { InformerMetrics } from './metrics';
import { errorMessage } from './error-message';
import { type IndexFunc, type Indexers, ObjectStore, type StoreDelta } from './object-store';

export interface InformerHandlers<T> {
  onAdd?(object: T): void;
  onUpdate?(old: T, object: T): void;
  onDelete?(object: T): void;
}

/** The two calls an informer makes; a KubeClient in production. */
export type ListWatchClient = Pick<KubeClient, 'list' | 'watch'>;

export interface InformerOptions<T extends KubernetesObject = KubernetesObject> {
  client: ListWatchClient;
  apiVersion: string;
  kind: string;
  /** Watch only these namespaces (one list/watch each); all namespaces when absent. */
  namespaces?: string[];
  labelSelector?: string;
  /** For example `metadata.name=pr-7`, to follow one object. */
  fieldSelector?: string;
  logger: Logger;
  metrics?: InformerMetrics;
  /** Retry delays after an error; 800 ms doubling to 30 s by default, like client-go's reflector. */
  backoff?: BackoffOptions;
  /**
   * Delays before relisting after 410 Gone: 100 ms doubling to 30 s by default,
   * reset once a watch delivers an event. Without them a server (or proxy) that
   * answers every watch with 410 gets a full list in a hot loop.
   */
  goneBackoff?: BackoffOptions;
  /** Server-side timeout of one watch; 5 to 10 minutes at random by default, so informers do not reconnect in step. */
  watchTimeoutSeconds?: () => number;
  /**
   * Applied to every object before it is cached, like controller-runtime's
   * cache TransformFunc: drop what no reconciler reads to keep the cache small.
   */
  transform?: (object: T) => T;
  /** Indexes the cache keeps besides the namespace one; more can be added with addIndexers() before or after start. */
  indexers?: Indexers<T>;
}

/** Read access to an informer's cache, which is all a reconciler should see of it. Objects are frozen: copy before changing. */
export interface CacheReader<T> {
  get(namespace: string, name: string): T | undefined;
  /** One namespace ('' for cluster-scoped objects) through the namespace index, or everything. */
  list(namespace?: string): T[];
  hasSynced(): boolean;
}

/**
 * A cache reader that also answers index queries: the objects an index
 * function (registered with the kind's `indexers`) filed under a value, e.g.
 * `dataSeeds.byIndex('secret', 'shop/db')`. An index never registered throws.
 */
export interface IndexedCacheReader<T> extends CacheReader<T> {
  byIndex(index: string, value: string): T[];
}

/**
 * Lists, then watches from the list's resourceVersion with bookmarks, and
 * resumes from the last resourceVersion seen after a stream ends. 410 Gone
 * (as an HTTP status or an ERROR event) triggers a relist whose differences
 * are emitted as events; any other failure reopens the watch after a backoff.
 * The loop ends only when stop() is called.
 */
export class Informer<T extends KubernetesObject = KubernetesObject> implements IndexedCacheReader<T> {
  readonly resource: string;
  private readonly store: ObjectStore<T>;
  private readonly handlers: Array<InformerHandlers<T>> = [];
  private readonly scopes: string[];
  private readonly synced = new Set<string>();
  private readonly syncWaiters: Array<() => void> = [];
  private readonly controller = new AbortController();
  private readonly backoff: BackoffOptions;
  private readonly goneBackoff: BackoffOptions;
  private readonly watchTimeoutSeconds: () => number;
  private readonly log: Logger;
  private readonly registered = new Map<string, IndexFunc<T>>();
  private loops: Array<Promise<void>> = [];
  private started = false;
  /** Counts for tests and debugging: lists made, of which after 410 Gone, and watches opened. */
  readonly stats = { lists: 0, expired: 0, watches: 0, errors: 0 };

  constructor(private readonly options: InformerOptions<T>) {
    this.resource = `${options.kind.toLowerCase()}.${options.apiVersion}`;
    // '' stands for "all namespaces" (and for cluster-scoped kinds).
    this.scopes = options.namespaces && options.namespaces.length > 0 ? [...new Set(options.namespaces)] : [''];
    this.backoff = options.backoff ?? { initialMs: 800, maxMs: 30_000 };
    this.goneBackoff = options.goneBackoff ?? { initialMs: 100, maxMs: 30_000 };
    this.watchTimeoutSeconds = options.watchTimeoutSeconds ?? (() => 300 + Math.floor(Math.random() * 300));
    this.log = options.logger.child({ informer: this.resource, labelSelector: options.labelSelector });
    this.store = new ObjectStore<T>({}, (index, key, err) =>
      this.log.error({ err: errorMessage(err), index, key }, 'index function threw; object left out of the index'),
    );
    this.addIndexers(options.indexers ?? {});
  }

  /**
   * Registers index functions on this (possibly shared) cache; objects
   * already cached are filed at once. Two controllers sharing an informer
   * must not register one name twice: use names that say what they index
   * (`spec.baselineRef.name`), as controller-runtime's field indexes do.
   */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) this.addIndexer(name, fn);
  }

  /** Like addIndexers for one index; the same function registered again under its name is a no-op. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.registered.get(name) === fn) return;
    this.store.addIndexer(name, fn);
    this.registered.set(name, fn);
  }

  byIndex(index: string, value: string): T[] {
    return this.store.byIndex(index, value);
  }

  /** Registers handlers; objects already cached are replayed to them as adds. */
  addHandlers(handlers: InformerHandlers<T>): void {
    this.handlers.push(handlers);
    for (const object of this.store.list()) this.call(() => handlers.onAdd?.(object));
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.loops = this.scopes.map((scope) => this.run(scope));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.loops);
    for (const resolve of this.syncWaiters.splice(0)) resolve();
  }

  isStopped(): boolean {
    return this.controller.signal.aborted;
  }

  hasSynced(): boolean {
    return this.synced.size === this.scopes.length;
  }

  /**
   * Resolves true once every namespace has been listed; false if the informer
   * stops, `signal` aborts or `timeoutMs` passes first. It leaves nothing
   * behind: a caller that waits again and again (with one long-lived signal)
   * does not pile up listeners on it.
   */
  async waitForSync(signal?: AbortSignal, timeoutMs?: number): Promise<boolean> {
    if (this.hasSynced()) return true;
    if (signal?.aborted || this.controller.signal.aborted) return false;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        const index = this.syncWaiters.indexOf(done);
        if (index >= 0) this.syncWaiters.splice(index, 1);
        resolve();
      };
      this.syncWaiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
      if (timeoutMs !== undefined) timer = setTimeout(done, timeoutMs);
    });
    return this.hasSynced();
  }

  get(namespace: string, name: string): T | undefined {
    return this.store.get(namespace, name);
  }

  list(namespace?: string): T[] {
    return this.store.list(namespace);
  }

  private async run(scope: string): Promise<void> {
    const signal = this.controller.signal;
    const log = scope ? this.log.child({ watchNamespace: scope }) : this.log;
    let resourceVersion: string | undefined;
    let failures = 0;
    let expirations = 0;
    while (!signal.aborted) {
      try {
        if (resourceVersion === undefined) {
          resourceVersion = await this.relist(scope, signal);
          failures = 0;
        }
        const openedAt = Date.now();
        const timeoutSeconds = this.watchTimeoutSeconds();
        let received = 0;
        this.stats.watches++;
        await this.options.client.watch(
          this.options.apiVersion,
          this.options.kind,
          {
            namespace: scope || undefined,
            labelSelector: this.options.labelSelector,
            fieldSelector: this.options.fieldSelector,
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds,
            // The server closes the stream after timeoutSeconds; silence well past that means a dead connection.
            idleTimeoutMs: (timeoutSeconds + 60) * 1000,
            signal,
          },
          (event) => {
            resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
            received++;
            failures = 0;
            expirations = 0;
            this.apply(event);
          },
        );
        if (signal.aborted) break;
        this.options.metrics?.watchRestarts.inc({ resource: this.resource, reason: 'closed' });
        // A stream that ends at once, again and again (a proxy closing it), must not become a hot loop.
        if (received === 0 && Date.now() - openedAt < 1000) await sleep(backoffDelay(failures++, this.backoff), signal);
      } catch (err) {
        if (signal.aborted) break;
        if (isGone(err)) {
          const delayMs = backoffDelay(expirations++, this.goneBackoff);
          log.info(
            { err: errorMessage(err), resourceVersion, relistInMs: Math.round(delayMs) },
            'watch expired (410 Gone), relisting',
          );
          this.stats.expired++;
          resourceVersion = undefined;
          await sleep(delayMs, signal);
          continue;
        }
        this.stats.errors++;
        const delayMs = backoffDelay(failures++, this.backoff);
        log.warn(
          { err: errorMessage(err), resourceVersion, retryInMs: Math.round(delayMs) },
          'list/watch failed, retrying',
        );
        this.options.metrics?.watchRestarts.inc({ resource: this.resource, reason: 'error' });
        await sleep(delayMs, signal);
      }
    }
  }

  /** Lists one scope, brings the cache in line and returns the resourceVersion to watch from. */
  private async relist(scope: string, signal: AbortSignal): Promise<string> {
    const list = await this.options.client.list<T>(this.options.apiVersion, this.options.kind, {
      // stop() abandons a list in flight instead of waiting up to the request timeout.
      signal,
      namespace: scope || undefined,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
    });
    this.stats.lists++;
    this.options.metrics?.relists.inc({
      resource: this.resource,
      reason: this.synced.has(scope) ? 'expired' : 'initial',
    });
    const items = this.options.transform ? list.items.map(this.options.transform) : list.items;
    const deltas = this.store.replace(items, (object) => scope === '' || object.metadata?.namespace === scope);
    for (const delta of deltas) this.emit(delta);
    if (!this.synced.has(scope)) {
      this.synced.add(scope);
      if (this.hasSynced()) for (const resolve of this.syncWaiters.splice(0)) resolve();
    }
    return list.resourceVersion;
  }

  private apply(event: WatchEvent): void {
    if (event.type === 'BOOKMARK') return;
    const received = { ...event.object, apiVersion: this.options.apiVersion, kind: this.options.kind } as T;
    const object = this.options.transform ? this.options.transform(received) : received;
    const delta = event.type === 'DELETED' ? this.store.remove(object) : this.store.upsert(object);
    if (delta) this.emit(delta);
  }

  private emit(delta: StoreDelta<T>): void {
    for (const handlers of this.handlers) {
      if (delta.type === 'add') this.call(() => handlers.onAdd?.(delta.object));
      else if (delta.type === 'update') this.call(() => handlers.onUpdate?.(delta.old, delta.object));
      else this.call(() => handlers.onDelete?.(delta.object));
    }
  }

  /** A throwing handler is a bug to log, not a reason to drop the watch and lose events. */
  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'informer event handler threw');
    }
  }
}

/**
 * Drops metadata.managedFields, which no reconciler reads and which is often
 * the largest part of a small object (controller-runtime's
 * cache.TransformStripManagedFields).
 */
export function stripManagedFields<T extends KubernetesObject>(object: T): T {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}
