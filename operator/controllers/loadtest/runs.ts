import type { Progress } from '../../load/run';
import type { WorkerResult } from '../../load/stats';

// Load tests running inside the operator (runner Inline), by LoadTest key. A
// reconcile starts one and comes back to report its progress and, once it is
// done, its result; a new generation or a deleted LoadTest cancels it.

export interface InlineLoadRun {
  generation: number;
  startedAt: Date;
  progress: Progress | undefined;
  done: boolean;
  results: WorkerResult[] | undefined;
  error: unknown;
  abort: AbortController;
}

export class InlineLoadRuns {
  private readonly runs = new Map<string, InlineLoadRun>();

  /** At most `limit` inline tests send at once: each one is the operator's own CPU and sockets. */
  constructor(readonly limit = 2) {}

  /** Whether another run may start now. */
  hasRoom(): boolean {
    let active = 0;
    for (const run of this.runs.values()) if (!run.done) active++;
    return active < this.limit;
  }

  get(key: string): InlineLoadRun | undefined {
    return this.runs.get(key);
  }

  start(
    key: string,
    generation: number,
    work: (signal: AbortSignal, onProgress: (p: Progress) => void) => Promise<WorkerResult[]>,
    now = new Date(),
  ): InlineLoadRun {
    this.cancel(key);
    const run: InlineLoadRun = {
      generation,
      startedAt: now,
      progress: undefined,
      done: false,
      results: undefined,
      error: undefined,
      abort: new AbortController(),
    };
    this.runs.set(key, run);
    work(run.abort.signal, (p) => (run.progress = p))
      .then((results) => (run.results = results))
      .catch((err: unknown) => (run.error = err))
      .finally(() => (run.done = true));
    return run;
  }

  cancel(key: string): void {
    const run = this.runs.get(key);
    if (!run) return;
    run.abort.abort();
    this.runs.delete(key);
  }

  forget(key: string, run: InlineLoadRun): void {
    if (this.runs.get(key) === run) this.runs.delete(key);
  }

  cancelAll(): void {
    for (const key of [...this.runs.keys()]) this.cancel(key);
  }
}
