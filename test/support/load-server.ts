import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback HTTP server whose latency the test controls: a stall window
// (every request arriving in it, or still waiting when it starts, is answered
// at its end) and a per-request delay. It counts what it received so a test can
// check the mix and the timing against what the generator claims.

export interface LoadServer {
  url: string;
  /** performance.now() of each request's arrival, with its method and path. */
  received: Array<{ at: number; method: string; path: string }>;
  /** Stall from `startsAfterMs` after the first request for `forMs`. */
  stall(startsAfterMs: number, forMs: number): void;
  /** Delay each response by `delay(path)` milliseconds. */
  delay(fn: (path: string) => number): void;
  /** Answer with `status(path, attempt)` (attempt counts requests for the path, from 1). */
  status(fn: (path: string, attempt: number) => number): void;
  close(): Promise<void>;
}

export async function startLoadServer(): Promise<LoadServer> {
  const received: LoadServer['received'] = [];
  let stallPlan: { after: number; length: number } | undefined;
  let stallWindow: { from: number; until: number } | undefined;
  let delayOf: (path: string) => number = () => 0;
  let statusOf: (path: string, attempt: number) => number = () => 200;
  const attempts = new Map<string, number>();
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    const now = performance.now();
    received.push({ at: now, method: request.method ?? 'GET', path: request.url ?? '/' });
    if (stallPlan && !stallWindow)
      stallWindow = { from: now + stallPlan.after, until: now + stallPlan.after + stallPlan.length };
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '/';
      attempts.set(path, (attempts.get(path) ?? 0) + 1);
      response.statusCode = statusOf(path, attempts.get(path) ?? 1);
      const answer = (): void => void response.end('ok');
      const wait = delayOf(request.url ?? '/');
      const respond = (): void => {
        // A stall holds everything that would be answered inside the window until it ends.
        const t = performance.now();
        if (stallWindow && t + wait >= stallWindow.from && t < stallWindow.until)
          setTimeout(answer, Math.max(wait, stallWindow.until - t));
        else if (wait > 0) setTimeout(answer, wait);
        else answer();
      };
      respond();
    });
  };
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stall: (after, length) => {
      stallPlan = { after, length };
      stallWindow = undefined;
    },
    delay: (fn) => (delayOf = fn),
    status: (fn) => (statusOf = fn),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
