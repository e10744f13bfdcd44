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

/** One keep-alive connection per virtual user (closed models): what a browser or a service's client holds. */
export function createClients(origin: string, options: PoolOptions): Client[] {
  return Array.from(
    { length: options.connections },
    () =>
      new Client(origin, {
        pipelining: 1,
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

/** Reads a response to its end and discards it; a class, so a request allocates one small object rather than five closures. */
class DiscardingHandler implements Dispatcher.DispatchHandler {
  private status: number | undefined;

  constructor(private readonly resolve: (outcome: Outcome) => void) {}

  onRequestStart(): void {}

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(): void {}

  onResponseEnd(): void {
    this.resolve({ status: this.status, error: this.status === undefined ? 'other' : classifyStatus(this.status) });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.resolve({ status: this.status, error: classifyError(error) });
  }
}

/** Sends one request and resolves when its response has been read to the end (or failed). Never rejects. */
export function sendOnce(dispatcher: Dispatcher, request: RenderedRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    const options: Dispatcher.DispatchOptions = { method: request.method, path: request.path };
    if (request.body !== undefined) options.body = request.body;
    for (const _ in request.headers) {
      options.headers = request.headers;
      break;
    }
    dispatcher.dispatch(options, new DiscardingHandler(resolve));
  });
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

/** Sends with retries as the policy says; `attempts` counts them all. Without retries, one promise and no wrapper. */
export function send(dispatcher: Dispatcher, request: RenderedRequest, policy: RetryPolicy): Promise<Outcome> {
  return policy.max > 0 ? sendWithRetries(dispatcher, request, policy) : sendOnce(dispatcher, request);
}

async function sendWithRetries(
  dispatcher: Dispatcher,
  request: RenderedRequest,
  policy: RetryPolicy,
): Promise<Outcome> {
  let outcome = await sendOnce(dispatcher, request);
  let attempts = 1;
  while (attempts <= policy.max && retryable(outcome, policy)) {
    await new Promise((r) => setTimeout(r, policy.backoffMs * 2 ** (attempts - 1)));
    outcome = await sendOnce(dispatcher, request);
    attempts++;
  }
  return { ...outcome, attempts };
}
