import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { errorMessage } from './error-message';

export interface BindAddress {
  host: string;
  port: number;
}

/**
 * Parses controller-runtime style bind addresses: "127.0.0.1:8080", "[::1]:8080",
 * ":8080" (every interface, as in a Pod), or "0" to disable. Port 0 picks a free port.
 */
export function parseBindAddress(value: string, field: string): BindAddress | undefined {
  if (value === '0') return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new Error(`${field} must look like 127.0.0.1:8080, :8080 or 0 (disabled); got "${value}"`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** PEM certificate and key: the server speaks HTTPS (TLS 1.2 or later) instead of HTTP. */
  tls?: { cert: string; key: string };
  /** Runs before every routed request; an answer other than 200 is sent instead of the route's. */
  guard?: (req: IncomingMessage, path: string) => Promise<{ status: number; message: string }>;
}

export async function serve(
  address: BindAddress,
  routes: Record<string, Handler>,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handler = routes[path];
    if (!handler || req.method !== 'GET') {
      res.writeHead(404).end('not found\n');
      return;
    }
    const guard = options.guard;
    const run = guard
      ? guard(req, path).then((verdict) =>
          verdict.status === 200
            ? handler(req, res)
            : void res.writeHead(verdict.status, { 'Content-Type': 'text/plain' }).end(`${verdict.message}\n`),
        )
      : Promise.resolve(handler(req, res));
    run.catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(`${errorMessage(err)}\n`);
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, listener)
    : createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
