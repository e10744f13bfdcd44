import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { type RetryPolicy, dispatch } from './client';
import type { RenderedRequest } from './mix';
import type { ScenarioStats } from './stats';

// The open model: iterations start when the plan says, whatever the server
// does, and latency counts from that intended time (wrk2's fix for coordinated
// omission). A request that cannot start because `maxInFlight` are already
// outstanding is dropped and counted, never silently delayed.

export interface Arrival {
  /** Milliseconds after the scenario's start at which the request is due. */
  offsetMs: number;
  request: RenderedRequest;
}

export interface OpenRun {
  dispatcher: Dispatcher;
  arrivals: Iterator<Arrival>;
  maxInFlight: number;
  retry: RetryPolicy;
  stats: ScenarioStats;
  /** Planned length of the scenario, for the achieved rate. */
  durationMs: number;
  /** performance.now() at which offset 0 falls. */
  startAt: number;
  signal?: AbortSignal;
  now?: () => number;
}

/**
 * Sleeps by timer to within a few milliseconds (timers fire late by up to
 * ~1 ms, more on a busy machine), then polls turns of the event loop — which
 * still runs I/O — until due.
 */
function waitUntil(due: number, now: () => number, signal: AbortSignal | undefined): Promise<void> {
  // One promise per wait, polled by callbacks: a promise per turn of the loop would feed the GC thousands a second.
  // An abort ends the wait at once: a replay's next arrival may be hours away, and Ctrl-C must not wait for it.
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (): void => {
      clearTimeout(timer);
      resolve();
    };
    if (signal?.aborted) return resolve();
    signal?.addEventListener('abort', stop, { once: true });
    const poll = (): void => {
      const left = due - now();
      if (left <= 0 || signal?.aborted) {
        signal?.removeEventListener('abort', stop);
        resolve();
      } else if (left > 4) timer = setTimeout(poll, left - 3);
      else setImmediate(poll);
    };
    poll();
  });
}

/** Sends this worker's iterations on schedule; resolves once every response is in. */
export async function runOpen(run: OpenRun): Promise<void> {
  const now = run.now ?? (() => performance.now());
  const { stats } = run;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let lastIntended = 0;
  let lastSent = 0;
  let sentSinceYield = 0;

  // Whatever throws while a response is recorded (an observer) fails the run once sending stops, rather than being
  // swallowed by undici's callback and leaving the run waiting for a request that never completes.
  let failure: Error | undefined;
  const fire = (request: RenderedRequest, due: number): void => {
    inFlight++;
    const route = stats.route(request.route);
    dispatch(run.dispatcher, request, run.retry, (outcome) => {
      try {
        const micros = (now() - due) * 1000;
        route.record(micros, outcome.error);
        stats.onComplete?.(request, micros, outcome.status, outcome.error);
        if (outcome.attempts !== undefined) route.retries += outcome.attempts - 1;
      } catch (err) {
        failure ??= err instanceof Error ? err : new Error(String(err));
      }
      if (--inFlight === 0 && drained) drained();
    });
  };

  for (let next = run.arrivals.next(); !next.done; next = run.arrivals.next()) {
    if (run.signal?.aborted || failure) break;
    const due = run.startAt + next.value.offsetMs;
    if (due > now()) {
      await waitUntil(due, now, run.signal);
      sentSinceYield = 0;
      // Nothing leaves after an abort that came during the wait.
      if (run.signal?.aborted) break;
    } else if (++sentSinceYield >= 64) {
      // Behind schedule: still let responses in, or in-flight would only grow.
      await nextTurn();
      sentSinceYield = 0;
    }
    lastIntended = next.value.offsetMs;
    if (inFlight >= run.maxInFlight) {
      stats.dropped++;
      continue;
    }
    const sentAt = now();
    stats.sendLag.recordValue(Math.max(1, Math.round((sentAt - due) * 1000)));
    lastSent = sentAt - run.startAt;
    stats.sent++;
    fire(next.value.request, due);
  }
  // Sending fell behind by (lastSent - lastIntended): the rate achieved is over the stretched time.
  stats.elapsedMs = Math.max(run.durationMs, run.durationMs + (lastSent - lastIntended));
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  if (failure) throw failure;
}
