import { Informer } from './informer';
import { KubeClient } from './kube-client';
import { KubeApiError } from './kube-errors';
import { createLogger } from './logger';
import { type LocalApiServer, startLocalApiServer } from './testing/local-apiserver';

// These run against a real HTTP server on 127.0.0.1 that accepts the
// connection and never sends response headers.
describe('KubeClient against a silent server', () => {
  let server: LocalApiServer;
  beforeEach(async () => {
    server = await startLocalApiServer(() => {
      /* never answers */
    });
  });
  afterEach(() => server.close());

  it('gives up on a watch whose response headers do not arrive in time', async () => {
    const client = new KubeClient(server.kubeConfig(), { watchHeadersTimeoutMs: 60_000 });
    const startedAt = Date.now();
    const outcome = await client
      .watch('v1', 'ConfigMap', { namespace: 'ns', headersTimeoutMs: 300 }, () => undefined)
      .then(
        () => 'resolved',
        (err: unknown) => err,
      );
    expect(outcome).toBeInstanceOf(KubeApiError);
    expect((outcome as KubeApiError).reason).toBe('HeadersTimeout');
    expect(Date.now() - startedAt).toBeLessThan(3000);
    expect(server.requests.some((r) => r.startsWith('GET /api/v1/namespaces/ns/configmaps?watch=true'))).toBe(true);
  }, 10_000);

  it('uses the client-wide watch headers timeout by default', async () => {
    const client = new KubeClient(server.kubeConfig(), { watchHeadersTimeoutMs: 300 });
    await expect(client.watch('v1', 'ConfigMap', {}, () => undefined)).rejects.toMatchObject({
      reason: 'HeadersTimeout',
    });
  }, 10_000);

  it('abandons a request when its signal aborts', async () => {
    const client = new KubeClient(server.kubeConfig(), { requestTimeoutMs: 60_000 });
    const abort = new AbortController();
    const startedAt = Date.now();
    const pending = client.get(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: 'a' },
      { signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 200);
    await expect(pending).rejects.toBeInstanceOf(KubeApiError);
    expect(Date.now() - startedAt).toBeLessThan(3000);
  }, 10_000);

  it('lets Informer.stop() return at once while a relist hangs', async () => {
    const client = new KubeClient(server.kubeConfig(), { requestTimeoutMs: 60_000 });
    const informer = new Informer({
      client,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespaces: ['ns'],
      logger: createLogger({ level: 'silent' }),
    });
    informer.start();
    const deadline = Date.now() + 5000;
    while (!server.requests.some((r) => r.startsWith('GET /api/v1/namespaces/ns/configmaps?'))) {
      if (Date.now() > deadline) throw new Error('the informer never listed');
      await new Promise((r) => setTimeout(r, 10));
    }
    const stoppingAt = Date.now();
    await informer.stop();
    expect(Date.now() - stoppingAt).toBeLessThan(1000);
    expect(informer.hasSynced()).toBe(false);
  }, 10_000);
});
