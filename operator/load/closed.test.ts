import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'undici';
import { NO_RETRY } from './client';
import { runClosed } from './closed';
import type { RenderedRequest } from './mix';
import { WHOLE } from './schedule';
import { ScenarioStats } from './stats';

// The closed model's callback chain against a real server on loopback: each
// user's next request leaves from the callback of its last, so what can go
// wrong there (a request undici refuses at once, an observer that throws, a
// server that is gone) must neither hang, recurse nor vanish.

const request: RenderedRequest = { route: 'GET /', method: 'GET', path: '/', headers: {}, body: undefined };

let server: Server;
let origin: string;
let received = 0;
const clients: Client[] = [];

beforeAll(async () => {
  server = createServer({ keepAliveTimeout: 10_000 }, (req, res) => {
    received++;
    req.resume();
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.destroy()));
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => (received = 0));

function client(url = origin): Client {
  const c = new Client(url, { pipelining: 1, headersTimeout: 2_000, bodyTimeout: 2_000, connectTimeout: 2_000 });
  clients.push(c);
  return c;
}

function closed(overrides: Partial<Parameters<typeof runClosed>[0]> & { stats: ScenarioStats }) {
  return runClosed({
    dispatcherFor: () => client(),
    next: () => request,
    startVUs: 2,
    stages: [{ durationMs: 600, target: 2 }],
    thinkTimeMs: 0,
    retry: NO_RETRY,
    segment: WHOLE,
    durationMs: 600,
    startAt: performance.now(),
    ...overrides,
  });
}

const newStats = (): ScenarioStats => new ScenarioStats('s', 'constant-vus', 'closed', undefined);

test('every request is answered and counted: sent = recorded = received by the server', async () => {
  const stats = newStats();
  await closed({ stats });
  const route = stats.routes.get('GET /');
  expect(stats.sent).toBeGreaterThan(5);
  expect(route?.requests).toBe(stats.sent);
  expect(route?.latency.totalCount).toBe(stats.sent);
  expect(received).toBe(stats.sent);
  expect(route?.errors).toEqual({});
});

test('think time spaces one user: about duration / think time iterations, not as many as the server takes', async () => {
  const stats = newStats();
  await closed({ stats, startVUs: 1, stages: [{ durationMs: 600, target: 1 }], thinkTimeMs: 100 });
  // At most one per think time (a loaded machine's timers fire late, never early), and at least the first.
  expect(stats.sent).toBeGreaterThanOrEqual(1);
  expect(stats.sent).toBeLessThanOrEqual(7);
});

test('a request undici refuses at once is an error on a later turn: the run ends on time, timers still fire', async () => {
  const stats = newStats();
  const refused = client();
  await refused.destroy();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 20);
  const started = performance.now();
  try {
    await closed({ stats, dispatcherFor: () => refused });
  } finally {
    clearInterval(timer);
  }
  const elapsed = performance.now() - started;
  expect(elapsed).toBeLessThan(10_000);
  expect(ticks).toBeGreaterThan(2);
  const route = stats.routes.get('GET /');
  expect(stats.sent).toBeGreaterThan(0);
  expect(route?.requests).toBe(stats.sent);
  expect(route?.errors.other).toBe(stats.sent);
  expect(received).toBe(0);
});

test('a server that is gone gives connect errors, counted, and the run still ends', async () => {
  const gone = createServer();
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  const port = (gone.address() as AddressInfo).port;
  await new Promise((resolve) => gone.close(resolve));
  const stats = newStats();
  await closed({ stats, dispatcherFor: () => client(`http://127.0.0.1:${port}`) });
  const route = stats.routes.get('GET /');
  expect(stats.sent).toBeGreaterThan(0);
  expect(route?.errors.connect).toBe(stats.sent);
});

test('an observer that throws fails the run instead of leaving it waiting for a user that stopped', async () => {
  const stats = newStats();
  stats.onComplete = () => {
    throw new Error('observer broke');
  };
  await expect(closed({ stats })).rejects.toThrow('observer broke');
});

test('a server that closes each connection after its answer: the next request takes a new one, no error', async () => {
  let answered = 0;
  const closing = createServer((req, res) => {
    answered++;
    req.resume();
    res.setHeader('connection', 'close');
    res.end('bye');
  });
  await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(closing.address() as AddressInfo).port}`;
    const stats = newStats();
    await closed({ stats, dispatcherFor: () => client(url) });
    const route = stats.routes.get('GET /');
    expect(stats.sent).toBeGreaterThan(3);
    expect(route?.errors).toEqual({});
    expect(answered).toBe(stats.sent);
  } finally {
    closing.closeAllConnections();
    await new Promise((resolve) => closing.close(resolve));
  }
});

test('one user never has two requests at the server at once', async () => {
  let open = 0;
  let most = 0;
  const counting = createServer((req, res) => {
    open++;
    most = Math.max(most, open);
    req.resume();
    setTimeout(() => {
      open--;
      res.end('ok');
    }, 2);
  });
  await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(counting.address() as AddressInfo).port}`;
    const stats = newStats();
    const shared = client(url);
    await closed({ stats, startVUs: 1, stages: [{ durationMs: 400, target: 1 }], dispatcherFor: () => shared });
    expect(stats.sent).toBeGreaterThan(5);
    expect(most).toBe(1);
  } finally {
    counting.closeAllConnections();
    await new Promise((resolve) => counting.close(resolve));
  }
});

test('an abort before a far-off start ends the run at once, nothing sent', async () => {
  const stats = newStats();
  const controller = new AbortController();
  const started = performance.now();
  setTimeout(() => controller.abort(), 50);
  await closed({ stats, startAt: performance.now() + 3_600_000, durationMs: 1000, signal: controller.signal });
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(stats.sent).toBe(0);
});
