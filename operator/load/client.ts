import { Client, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { ErrorClass } from './stats';
import type { RenderedRequest } from './mix';

// Requests go through undici's dispatcher with a handler that discards the body
// as it arrives: no stream, no promise per chunk, so the generator spends its
// time sending rather than on bookkeeping.

export interface Outcome {
  status: number | undefined;
  error: ErrorClass | undefined;
  /** Attempts made, retries included (absent: one). */
  attempts?: number;
}

export interface PoolOptions {
  connections: number;
  timeoutMs: number;
  /** How long an idle keep-alive connection is kept. */
  keepAliveMs?: number;
}

export function createPool(origin: string, options: PoolOptions): Pool {
  return new Pool(origin, {
    connections: options.connections,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveMs ?? 30_000,
    keepAliveMaxTimeout: Math.max(options.keepAliveMs ?? 30_000, 60_000),
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connectTimeout: Math.min(options.timeoutMs, 10_000),
  });
}

/**
 * One keep-alive connection per virtual user (closed models): what a browser or a service's client holds. A user
 * never has more than one request outstanding, so nothing is ever pipelined; a pipelining limit of 2 only lets undici
 * write the user's next request as soon as the last response ends, where a limit of 1 makes it wait a turn of the
 * event loop first (measured: about a tenth of the generator's CPU per request).
 */
export function createClients(origin: string, options: PoolOptions): Client[] {
  return Array.from(
    { length: options.connections },
    () =>
      new Client(origin, {
        pipelining: 2,
        keepAliveTimeout: options.keepAliveMs ?? 30_000,
        keepAliveMaxTimeout: Math.max(options.keepAliveMs ?? 30_000, 60_000),
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
        connectTimeout: Math.min(options.timeoutMs, 10_000),
      }),
  );
}

export function classifyError(err: unknown): ErrorClass {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connect';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'reset';
    default:
      return 'other';
  }
}

export function classifyStatus(status: number): ErrorClass | undefined {
  if (status >= 500) return 'http_5xx';
  if (status >= 400) return 'http_4xx';
  return undefined;
}

/**
 * Reads a response to its end and discards it; a class, so a request allocates one small object rather than five
 * closures. A complete response is handed over at once, so the caller's next request can leave from inside undici's
 * callback, as undici's own clients do for keep-alive reuse. A failure is handed over on a later turn of the event
 * loop: undici reports a request it refuses (a header value it rejects, a closed client) synchronously inside dispatch,
 * and fails queued requests in a loop that must not see new ones arrive, so a caller that sends again from its callback
 * would recurse, spin without letting timers and I/O run, or break undici's queue.
 */
class DiscardingHandler implements Dispatcher.DispatchHandler {
  private status: number | undefined;
  private settled = false;
  /** True while undici's dispatch call is on the stack. */
  dispatching = true;

  constructor(private readonly done: (outcome: Outcome) => void) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    const outcome = { status: this.status, error: this.status === undefined ? 'other' : classifyStatus(this.status) };
    if (this.dispatching) this.fail(outcome);
    else if (!this.settled) {
      this.settled = true;
      this.done(outcome);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.fail({ status: this.status, error: classifyError(error) });
  }

  fail(outcome: Outcome): void {
    if (this.settled) return;
    this.settled = true;
    setImmediate(this.done, outcome);
  }
}

/**
 * Sends one request and calls `done` once its response has been read to the end (or failed); never throws.
 * A callback rather than a promise: the closed model chains its next request from here, and a promise per request
 * (with the microtask that resolves it) was a measurable share of the generator's own CPU.
 */
export function dispatchOnce(dispatcher: Dispatcher, request: RenderedRequest, done: (outcome: Outcome) => void): void {
  const options: Dispatcher.DispatchOptions = { method: request.method, path: request.path };
  if (request.body !== undefined) options.body = request.body;
  for (const _ in request.headers) {
    options.headers = request.headers;
    break;
  }
  const handler = new DiscardingHandler(done);
  try {
    dispatcher.dispatch(options, handler);
  } catch (err) {
    handler.fail({ status: undefined, error: classifyError(err) });
  }
  handler.dispatching = false;
}

export interface RetryPolicy {
  max: number;
  on: ReadonlySet<string>;
  backoffMs: number;
}

export const NO_RETRY: RetryPolicy = { max: 0, on: new Set(), backoffMs: 0 };

function retryable(outcome: Outcome, policy: RetryPolicy): boolean {
  if (outcome.error === undefined) return false;
  if (outcome.status === 429) return policy.on.has('429');
  if (outcome.error === 'http_5xx') return policy.on.has('5xx');
  return policy.on.has(outcome.error);
}

/** Sends with retries as the policy says (`attempts` counts them all) and calls `done` with the last outcome. */
export function dispatch(
  dispatcher: Dispatcher,
  request: RenderedRequest,
  policy: RetryPolicy,
  done: (outcome: Outcome) => void,
): void {
  if (policy.max === 0) return dispatchOnce(dispatcher, request, done);
  let attempts = 1;
  const answered = (outcome: Outcome): void => {
    if (attempts > policy.max || !retryable(outcome, policy)) return done({ ...outcome, attempts });
    setTimeout(() => dispatchOnce(dispatcher, request, answered), policy.backoffMs * 2 ** (attempts - 1));
    attempts++;
  };
  dispatchOnce(dispatcher, request, answered);
}
