import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { NO_RETRY } from './client';
import type { RenderedRequest } from './mix';
import { type Arrival, runOpen } from './open';
import { ScenarioStats } from './stats';

// The open model's completion callback against a real server on loopback:
// every arrival is sent, answered and counted, and a failure while recording
// fails the run instead of leaving it waiting for a request that never ends.

const request: RenderedRequest = { route: 'GET /', method: 'GET', path: '/', headers: {}, body: undefined };

let server: Server;
let pool: Pool;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 4 });
});
afterAll(async () => {
  await pool.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function* every(ms: number, count: number): Generator<Arrival> {
  for (let k = 0; k < count; k++) yield { offsetMs: k * ms, request };
}

const open = (stats: ScenarioStats, dispatcher = pool) =>
  runOpen({
    dispatcher,
    arrivals: every(2, 100),
    maxInFlight: 100,
    retry: NO_RETRY,
    stats,
    durationMs: 200,
    startAt: performance.now(),
  });

test('every arrival is sent, answered and recorded once', async () => {
  const stats = new ScenarioStats('s', 'constant-arrival-rate', 'open', 500);
  await open(stats);
  expect(stats.sent).toBe(100);
  expect(stats.routes.get('GET /')?.latency.totalCount).toBe(100);
  expect(stats.routes.get('GET /')?.errors).toEqual({});
});

test('requests a closed pool refuses are counted as errors and the run ends', async () => {
  const closed = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  await closed.close();
  const stats = new ScenarioStats('s', 'constant-arrival-rate', 'open', 500);
  await open(stats, closed);
  expect(stats.routes.get('GET /')?.errors.other).toBe(100);
});

test('an observer that throws fails the run', async () => {
  const stats = new ScenarioStats('s', 'constant-arrival-rate', 'open', 500);
  stats.onComplete = () => {
    throw new Error('observer broke');
  };
  await expect(open(stats)).rejects.toThrow('observer broke');
});

test('an abort ends a wait for a far-off arrival at once, and nothing is sent after it', async () => {
  const stats = new ScenarioStats('s', 'constant-arrival-rate', 'open', 1);
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 50);
  await runOpen({
    dispatcher: pool,
    arrivals: [{ offsetMs: 3_600_000, request }][Symbol.iterator](),
    maxInFlight: 10,
    retry: NO_RETRY,
    stats,
    durationMs: 3_600_000,
    startAt: performance.now(),
    signal: controller.signal,
  });
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(stats.sent).toBe(0);
});
