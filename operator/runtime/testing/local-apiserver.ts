import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '../client-node';

export type LocalHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

export interface LocalApiServer {
  url: string;
  /** Every non-discovery request, as `METHOD path?query`. */
  requests: string[];
  kubeConfig(): KubeConfig;
  close(): Promise<void>;
}

const DISCOVERY = {
  kind: 'APIResourceList',
  groupVersion: 'v1',
  resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: ['get', 'list', 'watch'] }],
};
const COORDINATION = {
  kind: 'APIResourceList',
  groupVersion: 'coordination.k8s.io/v1',
  resources: [{ name: 'leases', kind: 'Lease', namespaced: true, verbs: ['get', 'create', 'update'] }],
};

/**
 * A real HTTP server on 127.0.0.1 that answers discovery for ConfigMaps and
 * Leases and hands every other request to `handle`: the transport faults the
 * runtime must survive (a server that accepts and never answers, a 410 storm)
 * over real sockets, without a control plane. A handler that never ends its
 * response is a silent server.
 */
export async function startLocalApiServer(handle: LocalHandler): Promise<LocalApiServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/api/v1')
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(DISCOVERY));
    if (url.pathname === '/apis/coordination.k8s.io/v1')
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(COORDINATION));
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    handle(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'local', server: url, skipTLSVerify: true }],
        users: [{ name: 'local' }],
        contexts: [{ name: 'local', cluster: 'local', user: 'local' }],
        currentContext: 'local',
      });
      return kc;
    },
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests would keep close() waiting for ever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Ends the response with a Kubernetes Status of this code. */
export function answerStatus(res: ServerResponse, code: number, reason: string, message = reason): void {
  res
    .writeHead(code, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }));
}
