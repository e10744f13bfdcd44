import type { ServerResponse } from 'node:http';
import { Informer } from './informer';
import { KubeClient } from './kube-client';
import { createLogger } from './logger';
import { type LocalApiServer, answerStatus, startLocalApiServer } from './testing/local-apiserver';

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function listAnswer(res: ServerResponse): void {
  res
    .writeHead(200, { 'Content-Type': 'application/json' })
    .end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '10' }, items: [] }));
}

function informerOn(
  server: LocalApiServer,
  options: Partial<ConstructorParameters<typeof Informer>[0]> = {},
): Informer {
  return new Informer({
    client: new KubeClient(server.kubeConfig()),
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespaces: ['ns'],
    logger: createLogger({ level: 'silent' }),
    ...options,
  });
}

// A 410 storm from a real HTTP server on 127.0.0.1: every watch is refused
// as expired, so each one costs a full list. client-go backs off between them.
describe('Informer under a 410 Gone storm', () => {
  let server: LocalApiServer | undefined;
  afterEach(() => server?.close());

  it('backs off between relists when every watch answers 410 Gone', async () => {
    server = await startLocalApiServer((req, res, url) => {
      if (url.searchParams.get('watch') === 'true')
        return answerStatus(res, 410, 'Expired', 'too old resource version');
      listAnswer(res);
    });
    const informer = informerOn(server);
    informer.start();
    await delay(1500);
    await informer.stop();
    // 100 ms doubling: relists at about 0, 0.1, 0.3, 0.7 and 1.5 s at most; a hot loop makes hundreds.
    expect(informer.stats.lists).toBeGreaterThanOrEqual(2);
    expect(informer.stats.lists).toBeLessThanOrEqual(6);
    expect(informer.stats.expired).toBeGreaterThanOrEqual(1);
  }, 10_000);

  it('backs off just the same when the 410 comes as an ERROR event inside the stream', async () => {
    server = await startLocalApiServer((req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') return listAnswer(res);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' } })}\n`,
      );
    });
    const informer = informerOn(server);
    informer.start();
    await delay(1500);
    await informer.stop();
    expect(informer.stats.lists).toBeLessThanOrEqual(6);
  }, 10_000);

  it('starts again from the shortest delay once a watch has delivered an event', async () => {
    let watches = 0;
    const listedAt: number[] = [];
    server = await startLocalApiServer((req, res, url) => {
      if (url.searchParams.get('watch') !== 'true') {
        listedAt.push(Date.now());
        return listAnswer(res);
      }
      watches++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      // The fourth watch works for a moment (one event), then expires like the others.
      if (watches === 4)
        res.write(
          `${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a', namespace: 'ns', resourceVersion: '11' } } })}\n`,
        );
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } })}\n`,
      );
    });
    // No jitter: delays of 150, 300, 600 ms, then 150 ms again after the reset (1200 ms without it).
    const informer = informerOn(server, { goneBackoff: { initialMs: 150, maxMs: 10_000, random: () => 1 } });
    informer.start();
    const deadline = Date.now() + 8000;
    while (listedAt.length < 5 && Date.now() < deadline) await delay(10);
    await informer.stop();
    expect(listedAt.length).toBeGreaterThanOrEqual(5);
    const gaps = listedAt.slice(1, 5).map((at, i) => at - listedAt[i]!);
    expect(gaps[2]!).toBeGreaterThanOrEqual(550);
    expect(gaps[3]!).toBeLessThan(550);
  }, 15_000);
});
