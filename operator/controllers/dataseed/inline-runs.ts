import { SeedError } from '../../seed/errors';
import type { ProgressListener, SeedProgress } from '../../seed/progress';
import type { SeedReport } from '../../seed/run';

// Seeds run inside the operator (`runner: Inline`), outside the reconcile
// that starts them: a reconcile only starts a run, reports its progress and
// collects its outcome, so a long seed never holds a worker. At most `limit`
// run at once (each holds database connections and memory); others wait
// their turn; at most `perNamespace` of them come from one namespace, so one
// tenant's seeds never hold every slot. A run past its deadline is cancelled
// (its transaction rolls back) and fails with DeadlineExceeded. A key has at most one run; a newer generation's run starts only
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

/** Slots for runs: at most `limit` in the process and `perNamespace` per namespace, granted first come first served among those allowed. */
class Slots {
  private used = 0;
  private readonly byNamespace = new Map<string, number>();
  private readonly waiting: Array<{ namespace: string; grant: () => void }> = [];

  constructor(
    readonly limit: number,
    readonly perNamespace: number,
  ) {}

  private fits(namespace: string): boolean {
    return this.used < this.limit && (this.byNamespace.get(namespace) ?? 0) < this.perNamespace;
  }

  private take(namespace: string): () => void {
    this.used++;
    this.byNamespace.set(namespace, (this.byNamespace.get(namespace) ?? 0) + 1);
    return this.releaser(namespace);
  }

  /** A release function when a slot is free now (and no earlier waiter could take it), else undefined. */
  tryAcquire(namespace: string): (() => void) | undefined {
    if (!this.fits(namespace) || this.waiting.some((w) => this.fits(w.namespace))) return undefined;
    return this.take(namespace);
  }

  /** Resolves with a release function once a slot is free, or undefined when the signal aborts first. */
  acquire(namespace: string, signal: AbortSignal): Promise<(() => void) | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    const now = this.tryAcquire(namespace);
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => {
      const entry = {
        namespace,
        grant: (): void => {
          signal.removeEventListener('abort', giveUp);
          resolve(this.take(namespace));
        },
      };
      const giveUp = (): void => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve(undefined);
      };
      this.waiting.push(entry);
      signal.addEventListener('abort', giveUp, { once: true });
    });
  }

  get inUse(): number {
    return this.used;
  }

  private releaser(namespace: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used--;
      const left = (this.byNamespace.get(namespace) ?? 1) - 1;
      if (left > 0) this.byNamespace.set(namespace, left);
      else this.byNamespace.delete(namespace);
      // The first waiter allowed to run now: a namespace at its own limit does not hold up the others.
      const at = this.waiting.findIndex((w) => this.fits(w.namespace));
      if (at >= 0) this.waiting.splice(at, 1)[0]!.grant();
    };
  }
}

/** The key's namespace: keys are namespace/name. */
function namespaceOf(key: string): string {
  const at = key.indexOf('/');
  return at < 0 ? '' : key.slice(0, at);
}

class Run implements InlineRun {
  phase: InlineRun['phase'] = 'queued';
  startedAtMs: number | undefined;
  progress: SeedProgress | undefined;
  outcome: RunOutcome | undefined;
  readonly done: Promise<void>;
  private readonly controller = new AbortController();
  private overdue = false;

  /** `slot`: taken already (nothing to wait for), so the run is running from the start. */
  constructor(
    readonly generation: number,
    task: SeedTask,
    private readonly slots: Slots,
    private readonly namespace: string,
    after: Promise<void> | undefined,
    private readonly now: () => number,
    private readonly deadlineMs: number | undefined,
    slot?: () => void,
  ) {
    if (slot) {
      this.phase = 'running';
      this.startedAtMs = now();
    }
    this.done = this.execute(task, after, slot);
  }

  abort(): void {
    this.controller.abort();
  }

  private async execute(
    task: SeedTask,
    after: Promise<void> | undefined,
    slot: (() => void) | undefined,
  ): Promise<void> {
    const signal = this.controller.signal;
    if (after) await after;
    const release = slot ?? (await this.slots.acquire(this.namespace, signal));
    // The deadline counts from the start of the run, not the wait for a slot.
    let timer: NodeJS.Timeout | undefined;
    try {
      if (!release) throw new SeedError('Cancelled', 'the seed was cancelled before it started');
      if (this.phase !== 'running') {
        this.phase = 'running';
        this.startedAtMs = this.now();
      }
      if (this.deadlineMs !== undefined) {
        timer = setTimeout(() => {
          this.overdue = true;
          this.controller.abort();
        }, this.deadlineMs);
        timer.unref();
      }
      const report = await task(signal, (p) => (this.progress = p));
      this.outcome = this.overdue ? { ok: false, error: overdueError(this.deadlineMs!) } : { ok: true, report };
    } catch (error) {
      this.outcome = { ok: false, error: this.overdue ? overdueError(this.deadlineMs!) : error };
    } finally {
      if (timer) clearTimeout(timer);
      release?.();
      this.phase = 'finished';
    }
  }
}

function overdueError(deadlineMs: number): SeedError {
  return new SeedError(
    'DeadlineExceeded',
    `the seed ran longer than its deadline of ${deadlineMs / 1000}s and was cancelled; nothing was committed, the target is as it was`,
  );
}

export interface InlineSeedsOptions {
  /** Runs at once per namespace, so one tenant cannot hold every slot. */
  perNamespace?: number;
  /** A run still going after this long is cancelled and fails with DeadlineExceeded. */
  deadlineMs?: number;
}

export class InlineSeeds {
  private readonly runs = new Map<string, Run>();
  /** Cancelled runs still winding down: a new run of the key waits for them too. */
  private readonly stopping = new Map<string, Promise<void>>();
  private readonly slots: Slots;

  private readonly deadlineMs: number | undefined;

  constructor(
    limit: number,
    private readonly now: () => number = Date.now,
    options: InlineSeedsOptions = {},
  ) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`inline seed limit must be a positive integer; got ${limit}`);
    const perNamespace = options.perNamespace ?? limit;
    if (!Number.isInteger(perNamespace) || perNamespace < 1)
      throw new Error(`inline seed limit per namespace must be a positive integer; got ${perNamespace}`);
    if (options.deadlineMs !== undefined && !(options.deadlineMs > 0))
      throw new Error(`inline seed deadline must be positive; got ${options.deadlineMs}ms`);
    this.slots = new Slots(limit, perNamespace);
    this.deadlineMs = options.deadlineMs;
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
    const namespace = namespaceOf(key);
    const run = new Run(
      generation,
      task,
      this.slots,
      namespace,
      after,
      this.now,
      this.deadlineMs,
      after ? undefined : this.slots.tryAcquire(namespace),
    );
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

  get perNamespace(): number {
    return this.slots.perNamespace;
  }
}
