import type { WatchedKind } from './controller';
import type { Informer } from './informer';
import type { KubeClient } from './kube-client';
import type { Logger } from './logger';
import { errorMessage } from './error-message';

// Work the manager runs besides controllers: controller-runtime's Runnable
// (Start(ctx) runs until ctx is done) with its LeaderElectionRunnable
// (NeedLeaderElection). A periodic job that writes (an orphan sweep, a
// garbage collector) needs leadership, like a controller: two replicas must
// not both act on the same cache. One that only serves or reads may run in
// every replica.

export interface RunnableContext {
  /** Aborted when the runnable must stop: leadership lost, or the manager stopping. */
  signal: AbortSignal;
  client: KubeClient;
  logger: Logger;
  /** The manager's shared informer of a kind (started with the manager); wait for its sync before reading. */
  informerFor(kind: WatchedKind): Informer;
}

export interface Runnable {
  /** Unique per manager, for logs. */
  readonly name: string;
  /** true (the default): runs only while this replica leads; false: from start() in every replica. */
  readonly needLeaderElection?: boolean;
  /** Runs until `ctx.signal` aborts. A rejection is logged; the runnable is not restarted. */
  start(ctx: RunnableContext): Promise<void>;
}

export function needsLeaderElection(runnable: Runnable): boolean {
  return runnable.needLeaderElection ?? true;
}

/** The runnables of one manager: started and stopped by group (leader-only or not). */
export class Runnables {
  private readonly entries: Array<{ runnable: Runnable; running?: { abort: AbortController; done: Promise<void> } }> =
    [];

  constructor(private readonly context: Omit<RunnableContext, 'signal'>) {}

  add(runnable: Runnable): void {
    if (this.entries.some((e) => e.runnable.name === runnable.name))
      throw new Error(`a runnable named ${runnable.name} is already registered`);
    // Registering asks for the informers now, so the manager starts them with the others.
    this.entries.push({ runnable });
  }

  get size(): number {
    return this.entries.length;
  }

  /** Starts the runnables of one group that are not running. */
  start(leaderOnly: boolean): void {
    for (const entry of this.entries) {
      if (entry.running || needsLeaderElection(entry.runnable) !== leaderOnly) continue;
      const abort = new AbortController();
      const log = this.context.logger.child({ runnable: entry.runnable.name });
      const done = Promise.resolve()
        .then(() => entry.runnable.start({ ...this.context, logger: log, signal: abort.signal }))
        .catch((err: unknown) => log.error({ err: errorMessage(err) }, 'runnable failed'));
      entry.running = { abort, done };
    }
  }

  /** Tells the runnables of one group (or all) to stop, and waits for them at most `timeoutMs`. */
  async stop(leaderOnly: boolean | 'all', timeoutMs: number): Promise<void> {
    const stopping = this.entries.filter(
      (e) => e.running && (leaderOnly === 'all' || needsLeaderElection(e.runnable) === leaderOnly),
    );
    const done = stopping.map((e) => {
      const running = e.running!;
      e.running = undefined;
      running.abort.abort();
      return running.done;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(done), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }
}
