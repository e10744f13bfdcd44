import { randomUUID } from 'node:crypto';
import type { KubernetesObject } from './client-node';
import type { EventRecorder } from './events';
import { errorMessage } from './error-message';
import type { GroupVersionKind, KindReference } from './gvk';
import type { CacheReader, IndexedCacheReader, Informer } from './informer';
import type { KubeClient } from './kube-client';
import { isConflict } from './kube-errors';
import type { Logger } from './logger';
import type { ControllerMetrics, WorkqueueMetrics } from './metrics';
import { objectKey, splitKey } from './object-key';
import type { Indexers } from './object-store';
import { type MapFunction, mapUpdate, ownerMapper } from './owner-mapping';
import type { RateLimiter } from './rate-limiter';
import {
  type Caches,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  TerminalError,
  requestKey,
} from './reconciler';
import { WorkQueue } from './workqueue';

export interface WatchedKind<T extends KubernetesObject = KubernetesObject> {
  apiVersion: string;
  kind: string;
  labelSelector?: string;
  /** 'manager': only the manager's namespaces (default); 'all': every namespace, e.g. an environment's target namespaces. */
  scope?: 'manager' | 'all';
  /**
   * Indexes on this kind's cache (controller-runtime's IndexField), read with
   * `ctx.cache(kind).byIndex(name, value)` and from map functions. They are
   * computed from cached objects only, so they hold after a restart as soon
   * as the cache has synced; the informer may be shared, so name them by what
   * they index. A primary kind's indexers also apply to its primaryAlso watches.
   *
   *     primary: { ...Kinds.DataSeed, indexers: { 'spec.baselineRef.name': (seed) => [seed.spec?.baselineRef?.name ?? ''] } },
   *     watches: [{ ...Kinds.Baseline, scope: 'all', map: (baseline, caches) =>
   *       caches.cache(Kinds.DataSeed).byIndex('spec.baselineRef.name', baseline.metadata?.name ?? '').map(requestOf) }],
   */
  indexers?: Indexers<T>;
}

export interface OwnedKind<T extends KubernetesObject = KubernetesObject> extends WatchedKind<T> {
  /** Defaults to the owner reference of the primary kind, else the environment labels. */
  map?: MapFunction;
}

export interface WatchesKind<T extends KubernetesObject = KubernetesObject> extends WatchedKind<T> {
  map: MapFunction;
}

/**
 * A watch of a typed kind whose map function and indexers see that kind's
 * objects: `watching(Kinds.ConfigMap, { scope: 'all', map: (configMap, caches) => … })`.
 */
export function watching<T extends KubernetesObject>(
  kind: GroupVersionKind<T>,
  options: Omit<WatchedKind<T>, 'apiVersion' | 'kind'> & { map: (object: T, caches: Caches) => Request[] },
): WatchesKind {
  return { ...options, apiVersion: kind.apiVersion, kind: kind.kind, map: options.map };
}

export interface ControllerOptions {
  /** Lower-case, unique per manager; the `controller` label of the metrics. */
  name: string;
  /** The reconciled kind; scope 'all' for cluster-scoped kinds such as Baseline. */
  primary: WatchedKind;
  /**
   * More informers of the primary kind whose objects are reconciled as
   * primaries too: objects of the kind outside the manager's namespaces that
   * still belong to it, such as an environment's children in its target namespace.
   */
  primaryAlso?: WatchedKind[];
  owns?: OwnedKind[];
  watches?: WatchesKind[];
  reconciler: Reconciler;
  maxConcurrentReconciles?: number;
  rateLimiter?: RateLimiter;
  /** Decides whether an update of a primary object is worth a reconcile; all updates by default. */
  primaryUpdatePredicate?: (old: KubernetesObject, updated: KubernetesObject) => boolean;
}

export interface ControllerDeps {
  client: KubeClient;
  logger: Logger;
  recorder: EventRecorder;
  metrics: { controller: ControllerMetrics; workqueue: WorkqueueMetrics };
  informerFor(kind: WatchedKind): Informer;
}

const CACHE_SYNC_WARNING_MS = 120_000;

/** Reconcile only when the spec (generation), labels, annotations, finalizers or deletion changed. */
export function generationOrMetadataChanged(old: KubernetesObject, updated: KubernetesObject): boolean {
  const a = old.metadata ?? {};
  const b = updated.metadata ?? {};
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.labels ?? {}) !== JSON.stringify(b.labels ?? {}) ||
    JSON.stringify(a.annotations ?? {}) !== JSON.stringify(b.annotations ?? {}) ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? [])
  );
}

/**
 * One reconcile loop: informer events become keys in a work queue, and N
 * workers call the reconciler, one key at a time per key, turning its result
 * or error into forget / addAfter / addRateLimited as controller-runtime does.
 */
export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly primary: IndexedCacheReader<KubernetesObject>;
  private readonly caches = new Map<string, IndexedCacheReader<KubernetesObject>>();
  /** What map functions get: the same caches a reconcile reads. */
  private readonly mapCaches: Caches;
  private readonly informers: Informer[] = [];
  private readonly concurrency: number;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private workers: Array<Promise<void>> = [];
  private started = false;

  constructor(
    private readonly options: ControllerOptions,
    private readonly deps: ControllerDeps,
  ) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(options.name))
      throw new Error(`controller name must be lower-case letters, digits and dashes; got "${options.name}"`);
    this.name = options.name;
    this.concurrency = options.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1)
      throw new Error(`maxConcurrentReconciles must be a positive integer; got ${this.concurrency}`);
    this.log = deps.logger.child({ controller: this.name });
    this.queue = new WorkQueue({ name: this.name, rateLimiter: options.rateLimiter, metrics: deps.metrics.workqueue });
    deps.metrics.controller.maxConcurrentReconciles.set({ controller: this.name }, this.concurrency);
    deps.metrics.controller.activeWorkers.set({ controller: this.name }, 0);

    this.mapCaches = { cache: <T extends KubernetesObject>(kind: KindReference<T>) => this.cacheReader(kind) };
    const predicate = options.primaryUpdatePredicate ?? (() => true);
    const primaryIndexers = options.primary.indexers;
    const primaries = [
      this.register(options.primary),
      ...(options.primaryAlso ?? []).map((kind) =>
        this.register({ ...kind, indexers: { ...primaryIndexers, ...kind.indexers } }, false),
      ),
    ];
    for (const informer of primaries) {
      informer.addHandlers({
        onAdd: (o) => this.queue.add(objectKey(o)),
        onUpdate: (old, o) => {
          if (predicate(old, o)) this.queue.add(objectKey(o));
        },
        onDelete: (o) => this.queue.add(objectKey(o)),
      });
    }
    this.primary = primaries.length === 1 ? primaries[0]! : unionCache(primaries);
    this.caches.set(cacheKey(options.primary), this.primary);
    for (const owned of options.owns ?? [])
      this.watchMapped(owned, owned.map ?? ownerMapper(options.primary.apiVersion, options.primary.kind));
    for (const watched of options.watches ?? []) this.watchMapped(watched, watched.map);
  }

  /** Nothing queued and nothing in flight (keys waiting on a delay do not count). */
  idle(): boolean {
    return this.queue.len() === 0 && this.queue.inFlight() === 0;
  }

  /** Every informer this controller reads, for the manager to start and wait on. */
  allInformers(): Informer[] {
    return [...this.informers];
  }

  /** Waits for the caches, then runs the workers until stop(). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const informer of this.informers) {
      // A cache that takes this long is worth a warning (RBAC, a missing CRD); it may still sync, so keep waiting.
      while (!(await informer.waitForSync(this.abort.signal, CACHE_SYNC_WARNING_MS))) {
        if (this.abort.signal.aborted || informer.isStopped()) return;
        this.log.warn(
          { informer: informer.resource, waitedMs: CACHE_SYNC_WARNING_MS },
          'cache has not synced yet; still waiting',
        );
      }
    }
    this.log.info({ workers: this.concurrency }, 'starting workers');
    this.workers = Array.from({ length: this.concurrency }, () => this.work());
  }

  /**
   * Cancels, then waits, as controller-runtime does: the reconcile signal
   * aborts at once, so cooperative reconciles return early, and the workers
   * stop taking keys; then it waits (bounded) for reconciles in flight.
   * Waiting first would tell them to stop only once the timeout had passed,
   * leaving no time for what comes after (releasing the lease). True when all
   * finished in time.
   */
  async stop(timeoutMs: number): Promise<boolean> {
    this.abort.abort();
    const drained = await this.queue.shutDownWithDrain(timeoutMs);
    if (drained) await Promise.all(this.workers);
    else this.log.warn({ timeoutMs, inFlight: this.queue.inFlight() }, 'reconciles still running at shutdown');
    return drained;
  }

  private register(kind: WatchedKind, readable = true): Informer {
    const informer = this.deps.informerFor(kind);
    if (kind.indexers) informer.addIndexers(kind.indexers);
    if (!this.informers.includes(informer)) this.informers.push(informer);
    if (readable) this.caches.set(cacheKey(kind), informer);
    return informer;
  }

  private watchMapped(kind: WatchedKind, map: MapFunction): void {
    const enqueue = (requests: Request[]): void => {
      for (const req of requests) this.queue.add(requestKey(req));
    };
    this.register(kind).addHandlers({
      onAdd: (o) => enqueue(map(o, this.mapCaches)),
      onUpdate: (old, o) => enqueue(mapUpdate(map, old, o, this.mapCaches)),
      onDelete: (o) => enqueue(map(o, this.mapCaches)),
    });
  }

  private cacheReader<T extends KubernetesObject>(kind: KindReference<T>): IndexedCacheReader<T> {
    const cache = this.caches.get(cacheKey(kind));
    if (!cache)
      throw new Error(
        `controller ${this.name} does not watch ${kind.kind} (${kind.apiVersion}): add it to owns or watches`,
      );
    // The kind's table entry promises T for its objects; the cache holds exactly that kind.
    return cache as unknown as IndexedCacheReader<T>;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.reconcileKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const req = splitKey(key);
    const log = this.log.child({ namespace: req.namespace, name: req.name, reconcileID: randomUUID() });
    const metrics = this.deps.metrics.controller;
    const ctx: ReconcileContext = {
      log,
      client: this.deps.client,
      recorder: this.deps.recorder,
      signal: this.abort.signal,
      primary: this.primary,
      cache: <T extends KubernetesObject>(kind: KindReference<T>) => this.cacheReader(kind),
    };
    metrics.activeWorkers.inc({ controller: this.name });
    const endTimer = metrics.reconcileTime.startTimer({ controller: this.name });
    try {
      const result: Result = (await this.options.reconciler.reconcile(req, ctx)) ?? {};
      if (result.requeueAfterMs !== undefined && result.requeueAfterMs > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, result.requeueAfterMs);
        metrics.reconcileTotal.inc({ controller: this.name, result: 'requeue_after' });
      } else if (result.requeue) {
        this.queue.addRateLimited(key);
        metrics.reconcileTotal.inc({ controller: this.name, result: 'requeue' });
      } else {
        this.queue.forget(key);
        metrics.reconcileTotal.inc({ controller: this.name, result: 'success' });
      }
    } catch (err) {
      if (isConflict(err) && !this.abort.signal.aborted) {
        // A write from a stale read (a guarded status write, an update): read again, soon, as controller-runtime's
        // callers do on IsConflict. Not an error worth an alert: another writer simply went first.
        this.queue.addRateLimited(key);
        metrics.reconcileTotal.inc({ controller: this.name, result: 'requeue' });
        log.info({ err: errorMessage(err) }, 'conflict: the object changed since it was read; requeued');
        return;
      }
      metrics.reconcileTotal.inc({ controller: this.name, result: 'error' });
      metrics.reconcileErrors.inc({ controller: this.name });
      const message = errorMessage(err);
      if (err instanceof TerminalError) {
        metrics.terminalReconcileErrors.inc({ controller: this.name });
        this.queue.forget(key);
        log.error({ err: message }, 'reconciler failed with a terminal error; not requeued');
      } else if (this.abort.signal.aborted) {
        // Most likely the reconcile giving up because it was told to stop; the next leader picks the key up.
        log.info({ err: message }, 'reconcile ended by shutdown');
      } else {
        this.queue.addRateLimited(key);
        log.error({ err: message, retries: this.queue.numRequeues(key) }, 'reconciler error; requeued with backoff');
      }
    } finally {
      endTimer();
      metrics.activeWorkers.dec({ controller: this.name });
    }
  }
}

function cacheKey(kind: { apiVersion: string; kind: string }): string {
  return `${kind.apiVersion}|${kind.kind}`;
}

/** One reader over several caches of a kind whose watches do not overlap in namespaces. */
export function unionCache<T extends KubernetesObject>(caches: readonly IndexedCacheReader<T>[]): IndexedCacheReader<T>;
export function unionCache<T extends KubernetesObject>(caches: readonly CacheReader<T>[]): CacheReader<T>;
export function unionCache<T extends KubernetesObject>(caches: readonly CacheReader<T>[]): IndexedCacheReader<T> {
  const merged = (read: (cache: CacheReader<T>) => T[]): T[] => {
    const byKey = new Map<string, T>();
    for (const cache of caches)
      for (const item of read(cache)) if (!byKey.has(objectKey(item))) byKey.set(objectKey(item), item);
    return [...byKey.values()];
  };
  return {
    get: (namespace, name) => {
      for (const cache of caches) {
        const found = cache.get(namespace, name);
        if (found !== undefined) return found;
      }
      return undefined;
    },
    list: (namespace) => merged((cache) => cache.list(namespace)),
    byIndex: (index, value) =>
      merged((cache) => {
        if (!('byIndex' in cache)) throw new Error(`index ${index}: this cache has no indexes`);
        return (cache as IndexedCacheReader<T>).byIndex(index, value);
      }),
    hasSynced: () => caches.every((c) => c.hasSynced()),
  };
}
