import { createServer, type Server, type Socket } from 'node:net';
import { parseResolvedParityCheck } from '../api/paritycheck';
import { PrometheusClient } from './behaviour/prometheus';
import { runParityCheck } from './check';
import { PostgresCatalogue } from './database/postgres';
import { exitCodeOf } from './report';

// A source that accepts the connection and never answers must end the check
// as Stalled (exit 2) within its timeout: never a hang, never a pass.

let server: Server;
let port = 0;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  sockets.forEach((s) => s.destroy());
  await new Promise((done) => server.close(done));
});

const condition = (result: Awaited<ReturnType<typeof runParityCheck>>, type: string) =>
  result.status.conditions?.find((c) => c.type === type);

describe('sources that never answer', () => {
  it('a silent Prometheus: behaviour Stalled within its timeout, exit 2', async () => {
    const spec = parseResolvedParityCheck({
      staging: { namespace: 'shop-pr-1' },
      production: { namespace: 'shop' },
      categories: {
        configuration: { enabled: false },
        behaviour: { queries: [{ name: 'p95', query: 'p95{namespace="{{namespace}}"}' }] },
      },
    });
    const started = Date.now();
    const result = await runParityCheck(
      spec,
      { metrics: new PrometheusClient(`http://127.0.0.1:${port}`, 300) },
      undefined,
      new Date(),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(condition(result, 'BehaviourDrifted')).toMatchObject({
      status: 'Unknown',
      reason: 'SourceUnavailable',
      message: expect.stringContaining('no answer within 300 ms'),
    });
    expect(exitCodeOf(result)).toBe(2);
  });

  it('a silent database: schema and data Stalled within the connection timeout, exit 2', async () => {
    const spec = parseResolvedParityCheck({
      staging: { namespace: 'shop-pr-1' },
      production: { namespace: 'shop' },
      categories: {
        configuration: { enabled: false },
        schema: { staging: { connectionSecretRef: { name: 's', key: 'url' } }, production: { database: 'p' } },
        data: {},
      },
    });
    const silent = (database: string) =>
      new PostgresCatalogue(`postgresql://u@127.0.0.1:${port}/${database}`, database, { timeoutMs: 300 });
    const databases = { staging: silent('staging'), production: silent('production') };
    try {
      const result = await runParityCheck(spec, { databases }, undefined, new Date());
      for (const type of ['SchemaDrifted', 'DataDrifted'])
        expect(condition(result, type)).toMatchObject({ status: 'Unknown', reason: 'SourceUnavailable' });
      expect(condition(result, 'Stalled')?.message).toMatch(/cannot connect to the (staging|production) database/);
      expect(exitCodeOf(result)).toBe(2);
    } finally {
      await Promise.all([databases.staging.close(), databases.production.close()]);
    }
  });
});
