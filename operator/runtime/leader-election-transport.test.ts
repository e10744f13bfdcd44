import type { ServerResponse } from 'node:http';
import { KubeClient } from './kube-client';
import { LeaderElector } from './leader-election';
import { createLogger } from './logger';
import { type LocalApiServer, answerStatus, startLocalApiServer } from './testing/local-apiserver';

const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/ns/leases';

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// A real HTTP server on 127.0.0.1 keeps the Lease; renews can be made to hang.
describe('LeaderElector over a real connection', () => {
  let server: LocalApiServer;
  let lease:
    | { metadata: { name: string; namespace: string; resourceVersion: string }; spec: { holderIdentity?: string } }
    | undefined;
  let hangRenews = false;
  const hanging: ServerResponse[] = [];
  let abandoned = 0;

  beforeEach(async () => {
    lease = undefined;
    hangRenews = false;
    hanging.length = 0;
    abandoned = 0;
    server = await startLocalApiServer((req, res, url) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const json = (code: number, value: unknown): void =>
          void res.writeHead(code, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
        if (req.method === 'GET' && url.pathname === `${LEASE_PATH}/l`)
          return lease ? json(200, lease) : answerStatus(res, 404, 'NotFound');
        if (req.method === 'POST' && url.pathname === LEASE_PATH) {
          lease = { ...JSON.parse(body), metadata: { name: 'l', namespace: 'ns', resourceVersion: '1' } };
          return json(201, lease);
        }
        if (req.method === 'PUT' && url.pathname === `${LEASE_PATH}/l`) {
          const sent = JSON.parse(body) as NonNullable<typeof lease>;
          if (hangRenews && sent.spec.holderIdentity) {
            hanging.push(res);
            res.on('close', () => abandoned++);
            return;
          }
          lease = {
            ...sent,
            metadata: { ...sent.metadata, resourceVersion: String(Number(lease?.metadata.resourceVersion ?? 0) + 1) },
          };
          return json(200, lease);
        }
        answerStatus(res, 404, 'NotFound');
      });
    });
  });
  afterEach(() => server.close());

  it('abandons a hanging renew when stopped, then releases the lease at once', async () => {
    let lost = 0;
    const elector = new LeaderElector({
      namespace: 'ns',
      name: 'l',
      identity: 'me',
      leaseDurationMs: 6000,
      renewDeadlineMs: 4000,
      retryPeriodMs: 100,
      client: new KubeClient(server.kubeConfig(), { requestTimeoutMs: 30_000 }),
      logger: createLogger({ level: 'silent' }),
      onStartedLeading: () => undefined,
      onStoppedLeading: () => lost++,
    });
    elector.start();
    await until(() => elector.isLeader());
    hangRenews = true;
    await until(() => hanging.length > 0);

    const stoppingAt = Date.now();
    await elector.stop();
    expect(Date.now() - stoppingAt).toBeLessThan(1000);
    await until(() => abandoned === hanging.length);
    expect(lease?.spec.holderIdentity).toBe('');
    expect(lost).toBe(0);
  }, 15_000);

  it("waits out the holder's lease duration from the record, not its own", async () => {
    // Another replica holds the lease with a 1 s duration and stops renewing it.
    lease = {
      metadata: { name: 'l', namespace: 'ns', resourceVersion: '7' },
      spec: { holderIdentity: 'other', leaseDurationSeconds: 1 } as { holderIdentity: string },
    };
    const elector = new LeaderElector({
      namespace: 'ns',
      name: 'l',
      identity: 'me',
      leaseDurationMs: 20_000,
      renewDeadlineMs: 15_000,
      retryPeriodMs: 100,
      client: new KubeClient(server.kubeConfig()),
      logger: createLogger({ level: 'silent' }),
      onStartedLeading: () => undefined,
      onStoppedLeading: () => undefined,
    });
    const startedAt = Date.now();
    elector.start();
    try {
      await until(() => elector.isLeader(), 8000);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
      expect(lease?.spec.holderIdentity).toBe('me');
    } finally {
      await elector.stop();
    }
  }, 15_000);
});
