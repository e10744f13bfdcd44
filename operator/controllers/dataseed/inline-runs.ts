import { SeedError } from '../../seed/errors';
import type { ProgressListener, SeedProgress } from '../../seed/progress';
import type { SeedReport } from '../../seed/run';

// Seeds run inside the operator (`runner: Inline`), outside the reconcile
// that starts them: a reconcile only starts a run, reports its progress and
// collects its outcome, so a long seed never holds a worker. At most `limit`
// run at once (each holds database connections and memory); others wait
// their turn. A key has at most one run; a newer generation's run starts only
// after the older one has stopped, so two seeds never write one target.

export type SeedTask = (signal: AbortSignal, onProgress: ProgressListener) => Promise<SeedReport>;

export type RunOutcome = { ok: true; report: SeedReport } | { ok: false; error: unknown };

export interface InlineRun {
  readonly generation: number;
  /** queued: waiting for a slot; running; finished: outcome set. */
  readonly phase: 'queued' | 'running' | 'finished';
  readonly startedAtMs: number | undefined;
  readonly progress: SeedProgress | undefined;
  readonly outcome: RunOutcome | undefined;
  /** Settles (never rejects) when the run has stopped. */
  readonly done: Promise<void>;
  abort(): void;
}

class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  /** A release function when a slot is free now, else undefined. */
  tryAcquire(): (() => void) | undefined {
    if (this.used >= this.limit || this.waiting.length > 0) return undefined;
    this.used++;
    return this.releaser();
  }

  /** Resolves with a release function once a slot is free, or undefined when the signal aborts first. */
  acquire(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    if (this.used < this.limit) {
      this.used++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve) => {
      const grant = (): void => {
        signal.removeEventListener('abort', giveUp);
        resolve(this.releaser());
      };
      const giveUp = (): void => {
        const at = this.waiting.indexOf(grant);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(undefined);
      };
      this.waiting.push(grant);
      signal.addEventListener('abort', giveUp, { once: true });
    });
  }

  get inUse(): number {
    return this.used;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `used` stays the same.
      if (next) next();
      else this.used--;
    };
  }
}

class Run implements InlineRun {
  phase: InlineRun['phase'] = 'queued';
  startedAtMs: number | undefined;
  progress: SeedProgress | undefined;
  outcome: RunOutcome | undefined;
  readonly done: Promise<void>;
  private readonly controller = new AbortController();

  /** `slot`: taken already (nothing to wait for), so the run is running from the start. */
  constructor(readonly generation: number, task: SeedTask, slots: Slots, after: Promise<void> | undefined, now: () => number, slot?: () => void) {
    if (slot) {
      this.phase = 'running';
      this.startedAtMs = now();
    }
    this.done = this.execute(task, slots, after, now, slot);
  }

  abort(): void {
    this.controller.abort();
  }

  private async execute(task: SeedTask, slots: Slots, after: Promise<void> | undefined, now: () => number, slot: (() => void) | undefined): Promise<void> {
    const signal = this.controller.signal;
    if (after) await after;
    const release = slot ?? (await slots.acquire(signal));
    try {
      if (!release) throw new SeedError('Cancelled', 'the seed was cancelled before it started');
      if (this.phase !== 'running') {
        this.phase = 'running';
        this.startedAtMs = now();
      }
      const report = await task(signal, (p) => (this.progress = p));
      this.outcome = { ok: true, report };
    } catch (error) {
      this.outcome = { ok: false, error };
    } finally {
      release?.();
      this.phase = 'finished';
    }
  }
}

export class InlineSeeds {
  private readonly runs = new Map<string, Run>();
  /** Cancelled runs still winding down: a new run of the key waits for them too. */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly slots: Slots;

  constructor(limit: number, private readonly now: () => number = Date.now) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`inline seed limit must be a positive integer; got ${limit}`);
    this.slots = new Slots(limit);
  }

  get(key: string): InlineRun | undefined {
    return this.runs.get(key);
  }

  /**
   * Starts a run for `key`; an older run of the key is aborted and the new
   * one waits for it to stop. `stop` (the operator's shutdown) aborts it too.
   */
  start(key: string, generation: number, task: SeedTask, stop?: AbortSignal): InlineRun {
    const previous = this.runs.get(key);
    previous?.abort();
    const stopping = this.stopping.get(key);
    const after = previous || stopping ? Promise.all([previous?.done, stopping]).then(() => undefined) : undefined;
    const run = new Run(generation, task, this.slots, after, this.now, after ? undefined : this.slots.tryAcquire());
    this.runs.set(key, run);
    if (stop) {
      const onStop = (): void => run.abort();
      if (stop.aborted) run.abort();
      else stop.addEventListener('abort', onStop, { once: true });
      void run.done.then(() => stop.removeEventListener('abort', onStop));
    }
    return run;
  }

  /** Forgets a finished run once its outcome is in the status. */
  forget(key: string, run: InlineRun): void {
    if (this.runs.get(key) === run) this.runs.delete(key);
  }

  /** Aborts and forgets the key's run (the DataSeed was deleted, or now runs as a Job). */
  cancel(key: string): void {
    const run = this.runs.get(key);
    if (!run) return;
    run.abort();
    this.runs.delete(key);
    this.stopping.set(key, run.done);
    void run.done.then(() => {
      if (this.stopping.get(key) === run.done) this.stopping.delete(key);
    });
  }

  /** Runs holding a slot now. */
  get running(): number {
    return this.slots.inUse;
  }

  get limit(): number {
    return this.slots.limit;
  }
}
