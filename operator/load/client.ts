import { Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { ErrorClass } from './stats';
import type { RenderedRequest } from './mix';

// Requests go through undici's dispatcher with a handler that discards the body
// as it arrives: no stream, no promise per chunk, so the generator spends its
// time sending rather than on bookkeeping.

export interface Outcome {
  status: number | undefined;
  error: ErrorClass | undefined;
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

/** Sends one request and resolves when its response has been read to the end (or failed). Never rejects. */
export function sendOnce(dispatcher: Dispatcher, request: RenderedRequest): Promise<Outcome> {
  return new Promise((resolve) => {
    let status: number | undefined;
    const options: Dispatcher.DispatchOptions = { method: request.method as Dispatcher.HttpMethod, path: request.path, headers: request.headers };
    if (request.body !== undefined) options.body = request.body;
    dispatcher.dispatch(options, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode) {
        status = statusCode;
      },
      onResponseData() {},
      onResponseEnd() {
        resolve({ status, error: status === undefined ? 'other' : classifyStatus(status) });
      },
      onResponseError(_controller, error) {
        resolve({ status, error: classifyError(error) });
      },
    });
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

/** Sends with retries as the policy says; `attempts` counts them all. */
export async function send(dispatcher: Dispatcher, request: RenderedRequest, policy: RetryPolicy): Promise<Outcome & { attempts: number }> {
  let outcome = await sendOnce(dispatcher, request);
  let attempts = 1;
  while (attempts <= policy.max && retryable(outcome, policy)) {
    await new Promise((r) => setTimeout(r, policy.backoffMs * 2 ** (attempts - 1)));
    outcome = await sendOnce(dispatcher, request);
    attempts++;
  }
  return { ...outcome, attempts };
}
