import type { Dispatcher } from 'undici';
import { type Outcome, type RetryPolicy, dispatch } from './client';
import type { RenderedRequest } from './mix';
import { type ExecutionSegment, type Segment, shareOf, vusAt } from './schedule';
import type { ScenarioStats } from './stats';

// The closed model: virtual users that send, wait for the answer, think, and
// send again, each over its own long-lived keep-alive connection — how
// browsers and service clients behave. Latency counts from the actual send, so
// a stalled server simply receives fewer requests: the behaviour a closed
// model shows and an open model exposes.

export interface ClosedRun {
  /** The connection of virtual user `id`: long-lived, kept alive between its iterations. */
  dispatcherFor: (id: number) => Dispatcher;
  next: () => RenderedRequest;
  startVUs: number;
  stages: readonly Segment[];
  thinkTimeMs: number;
  retry: RetryPolicy;
  stats: ScenarioStats;
  segment: ExecutionSegment;
  durationMs: number;
  startAt: number;
  signal?: AbortSignal;
  now?: () => number;
}

const CONTROL_INTERVAL_MS = 100;

/** Sleeps, or less when the signal aborts first (a scenario's start may be far off; Ctrl-C must not wait for it). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export async function runClosed(run: ClosedRun): Promise<void> {
  const now = run.now ?? (() => performance.now());
  const { stats } = run;
  const endAt = run.startAt + run.durationMs;
  let wanted = 0;
  const users: Array<Promise<void>> = [];

  // A user is a chain of callbacks, one request after another, with one promise for its whole life rather than one
  // per request: the generator's own CPU per request is what its throughput per core is made of. The next request
  // leaves from the callback of the last; whatever throws in between fails the user's promise, and so the run,
  // instead of vanishing into undici's callback.
  const user = (id: number): Promise<void> =>
    new Promise((finished, failed) => {
      const dispatcher = run.dispatcherFor(id);
      // A user has one request outstanding at most: what it sent and when live here, not in a closure per request.
      // One clock reading serves both as the end of an answer and as the send time of the next request.
      let request: RenderedRequest;
      let sentAt = 0;
      const iterate = (at = now()): void => {
        try {
          // A user beyond the current target stops after its iteration (k6's ramp-down); it may start again later.
          if (!(id < wanted && at < endAt && !run.signal?.aborted)) return finished();
          request = run.next();
          sentAt = at;
          stats.sent++;
          dispatch(dispatcher, request, run.retry, answered);
        } catch (err) {
          failed(asError(err));
        }
      };
      const answered = (outcome: Outcome): void => {
        const at = now();
        try {
          const route = stats.route(request.route);
          const micros = (at - sentAt) * 1000;
          route.record(micros, outcome.error);
          stats.onComplete?.(request, micros, outcome.status, outcome.error);
          if (outcome.attempts !== undefined) route.retries += outcome.attempts - 1;
        } catch (err) {
          return failed(asError(err));
        }
        if (run.thinkTimeMs > 0) setTimeout(iterate, Math.min(run.thinkTimeMs, Math.max(0, endAt - at)));
        else iterate(at);
      };
      iterate();
    });

  // The first user that fails stops the others and fails the run, after every user has ended.
  let failure: Error | undefined;
  const running = new Set<number>();
  const start = (id: number): void => {
    running.add(id);
    users.push(
      user(id)
        .catch((err: unknown) => {
          failure ??= asError(err);
          wanted = 0;
        })
        .finally(() => running.delete(id)),
    );
  };

  const wait = run.startAt - now();
  if (wait > 0) await sleep(wait, run.signal);
  while (now() < endAt && !run.signal?.aborted && !failure) {
    wanted = shareOf(vusAt(run.startVUs, run.stages, now() - run.startAt), run.segment);
    for (let id = 0; id < wanted; id++) if (!running.has(id)) start(id);
    await sleep(Math.min(CONTROL_INTERVAL_MS, Math.max(1, endAt - now())), run.signal);
  }
  wanted = 0;
  await Promise.all(users);
  if (failure) throw failure;
  stats.elapsedMs = Math.max(run.durationMs, now() - run.startAt);
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));
