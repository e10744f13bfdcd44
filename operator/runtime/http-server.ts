import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  if (!match || port > 65535) throw new Error(`${field} must look like 127.0.0.1:8080, :8080 or 0 (disabled); got "${value}"`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

export async function serve(address: BindAddress, routes: Record<string, Handler>): Promise<RunningServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const handler = routes[path];
    if (!handler || req.method !== 'GET') {
      res.writeHead(404).end('not found\n');
      return;
    }
    Promise.resolve(handler(req, res)).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(`${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
