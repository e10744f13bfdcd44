import { type Clock, systemClock } from './clock';
import type { WorkqueueMetrics } from './metrics';
import { type RateLimiter, defaultControllerRateLimiter } from './rate-limiter';

export interface WorkQueueOptions {
  /** The `name` label of the queue's metrics; usually the controller's name. */
  name: string;
  rateLimiter?: RateLimiter;
  metrics?: WorkqueueMetrics;
  clock?: Clock;
}

interface Waiting {
  at: number;
  timer: NodeJS.Timeout;
}

/**
 * client-go's rate-limited delaying work queue. `dirty` holds keys that need
 * processing; `processing` holds keys a worker has taken. A key is queued at
 * most once, and a key added while in flight is queued again only when its
 * worker calls done(), so one key is never processed twice at the same time.
 */
export class WorkQueue {
  readonly name: string;
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Map<string, number>();
  private readonly addedAt = new Map<string, number>();
  private readonly waiting = new Map<string, Waiting>();
  private readonly getters: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: WorkqueueMetrics | undefined;
  private readonly clock: Clock;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions) {
    this.name = options.name;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter();
    this.metrics = options.metrics;
    this.clock = options.clock ?? systemClock;
    this.metrics?.inFlight.set(this.name, {
      unfinishedWorkSeconds: () => this.unfinishedWorkSeconds(),
      longestRunningProcessorSeconds: () => this.longestRunningProcessorSeconds(),
    });
    this.metrics?.depth.set({ name: this.name }, 0);
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics?.adds.inc({ name: this.name });
    this.dirty.add(key);
    if (!this.addedAt.has(key)) this.addedAt.set(key, this.clock());
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Adds the key once `delayMs` has passed; an earlier pending time for the same key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = this.clock() + delayMs;
    const pending = this.waiting.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, delayMs);
    // A pending retry must not keep a finished process alive.
    timer.unref();
    this.waiting.set(key, { at, timer });
  }

  /** Adds the key after the rate limiter's delay: the per-item backoff or the overall bucket, whichever is longer. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.retries.inc({ name: this.name });
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key to process, or undefined once the queue is shut down. Call done(key) when finished. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    this.metrics?.workDuration.observe({ name: this.name }, (this.clock() - startedAt) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
    if (this.processing.size === 0) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /** Stops handing out keys: pending get() calls resolve undefined, queued and delayed keys are dropped. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) clearTimeout(timer);
    this.waiting.clear();
    this.queue.length = 0;
    this.metrics?.depth.set({ name: this.name }, 0);
    for (const resolve of this.getters.splice(0)) resolve(undefined);
    this.metrics?.inFlight.delete(this.name);
  }

  /** Shuts down, then waits until every key in flight is done or the timeout passes; true when drained. */
  async shutDownWithDrain(timeoutMs: number): Promise<boolean> {
    this.shutDown();
    if (this.processing.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<boolean>((resolve) => this.drainWaiters.push(() => resolve(true)));
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([drained, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Keys waiting to be handed out (not those in flight or delayed). */
  len(): number {
    return this.queue.length;
  }

  inFlight(): number {
    return this.processing.size;
  }

  private enqueue(key: string): void {
    const getter = this.getters.shift();
    if (getter) {
      getter(this.take(key));
      return;
    }
    this.queue.push(key);
    this.metrics?.depth.set({ name: this.name }, this.queue.length);
  }

  private take(key: string): string {
    const now = this.clock();
    this.metrics?.depth.set({ name: this.name }, this.queue.length);
    const addedAt = this.addedAt.get(key);
    if (addedAt !== undefined) this.metrics?.queueDuration.observe({ name: this.name }, (now - addedAt) / 1000);
    this.addedAt.delete(key);
    this.dirty.delete(key);
    this.processing.set(key, now);
    return key;
  }

  private unfinishedWorkSeconds(): number {
    const now = this.clock();
    let total = 0;
    for (const startedAt of this.processing.values()) total += now - startedAt;
    return total / 1000;
  }

  private longestRunningProcessorSeconds(): number {
    const now = this.clock();
    let longest = 0;
    for (const startedAt of this.processing.values()) longest = Math.max(longest, now - startedAt);
    return longest / 1000;
  }
}
