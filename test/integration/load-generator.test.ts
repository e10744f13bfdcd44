import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { LoadScenarioInput } from '../../operator/api/load-scenario';
import { LoadScenarioSchema } from '../../operator/api/load-scenario';
import { type ScenarioReport, reportScenario } from '../../operator/load/report';
import { runLoad } from '../../operator/load/run';
import { type WorkerResult, WorkerResultSchema, mergeResults } from '../../operator/load/stats';
import { type LoadServer, startLoadServer } from '../support/load-server';

jest.setTimeout(60_000);

// The generator against real HTTP servers on loopback whose latency the test
// controls: what an open model shows that a closed one hides, how close the
// achieved rate is to the requested one, and that workers add up to one.

const BIN = resolve(__dirname, '../../bin/understudy.js');
const run = promisify(execFile);

let server: LoadServer;
beforeEach(async () => (server = await startLoadServer()));
afterEach(() => server.close());

async function measure(scenario: LoadScenarioInput): Promise<ScenarioReport> {
  const result = await runLoad({
    scenarios: [LoadScenarioSchema.parse(scenario)],
    targets: { app: server.url },
    seed: 1,
  });
  return reportScenario(mergeResults([result])[0]!);
}

describe('a 1-second stall in the middle of a run', () => {
  it("shows in the open model's p99 and max, and only in the closed model's max", async () => {
    server.stall(1000, 1000);
    const open = await measure({
      name: 'open',
      executor: 'constant-arrival-rate',
      rate: 200,
      duration: '3s',
      requests: [{ path: '/' }],
    });
    server.stall(1000, 1000);
    const closed = await measure({
      name: 'closed',
      executor: 'constant-vus',
      vus: 4,
      duration: '3s',
      requests: [{ path: '/' }],
    });
    const [o] = open.routes;
    const [c] = closed.routes;
    process.stderr.write(
      `open: p50 ${o!.p50Ms} p99 ${o!.p99Ms} max ${o!.maxMs} (${o!.requests} requests); closed: p50 ${c!.p50Ms} p99 ${c!.p99Ms} max ${c!.maxMs} (${c!.requests} requests)\n`,
    );

    // Open: everything due during the stall waited for its end, measured from when it was due.
    expect(o!.requests).toBe(600);
    expect(o!.p99Ms).toBeGreaterThan(900);
    expect(o!.maxMs).toBeGreaterThan(950);
    expect(o!.maxMs).toBeLessThan(1500);
    expect(open.dropped).toBe(0);
    // Closed: the users waited too, but sent nothing meanwhile, so the stall is a handful of samples.
    expect(c!.maxMs).toBeGreaterThan(900);
    expect(c!.p99Ms).toBeLessThan(100);
  });
});

describe('the achieved rate', () => {
  it('is within 1% of the requested rate while the server keeps up', async () => {
    const report = await measure({
      name: 'steady',
      executor: 'constant-arrival-rate',
      rate: 500,
      duration: '4s',
      requests: [{ path: '/' }],
    });
    process.stderr.write(
      `requested ${report.requestedRate}/s, achieved ${report.achievedRate}/s, ${(report.onTimeShare! * 100).toFixed(2)}% within 1 ms\n`,
    );
    expect(report.requestedRate).toBe(500);
    expect(report.sent).toBe(2000);
    expect(report.dropped).toBe(0);
    expect(Math.abs(report.achievedRate - 500) / 500).toBeLessThan(0.01);
    // The server saw them at that rate too: its first and last arrival span the run.
    const span = (server.received.at(-1)!.at - server.received[0]!.at) / 1000;
    expect(Math.abs((server.received.length - 1) / span - 500) / 500).toBeLessThan(0.01);
  });

  it('drops and counts iterations beyond maxInFlight instead of delaying them', async () => {
    server.delay(() => 1500);
    const report = await measure({
      name: 'saturated',
      executor: 'constant-arrival-rate',
      rate: 100,
      duration: '1s',
      maxInFlight: 10,
      requests: [{ path: '/' }],
    });
    expect(report.sent).toBe(10);
    expect(report.dropped).toBe(90);
  });
});

describe('closed-model clients', () => {
  it("retry as production's clients do: a 503 then a 200 counts one request, one retry, no error", async () => {
    server.status((_path, attempt) => (attempt === 1 ? 503 : 200));
    const report = await measure({
      name: 'retrying',
      executor: 'constant-vus',
      vus: 2,
      duration: '1s',
      thinkTime: '50ms',
      retries: { max: 2, on: ['5xx'], backoff: '10ms' },
      requests: [{ name: 'item', path: '/items/{{seq}}' }],
    });
    const [route] = report.routes;
    expect(route!.requests).toBeGreaterThan(5);
    expect(route!.retries).toBe(route!.requests);
    expect(route!.errorRate).toBe(0);
    expect(server.received).toHaveLength(route!.requests * 2);
    // Without retries the same server gives one 5xx per request.
    server.received.length = 0;
    const plain = await measure({
      name: 'plain',
      executor: 'constant-vus',
      vus: 1,
      duration: '500ms',
      thinkTime: '50ms',
      requests: [{ name: 'item', path: '/other/{{seq}}' }],
    });
    expect(plain.routes[0]).toMatchObject({
      errorRate: 1,
      retries: 0,
      errors: { http_5xx: plain.routes[0]!.requests },
    });
  });
});

describe('two workers', () => {
  it('split the rate, and their merged histograms give the one-worker percentiles', async () => {
    // Each request's delay comes from its sequence number, which the workers stripe between them,
    // so one worker and two see the same set of delays: 200, 400, ..., 2000 ms. Both configurations
    // run at the same time against twin servers, so they share whatever else the machine is doing.
    const twin = await startLoadServer();
    try {
      const delay = (path: string) => 200 * (1 + (Number(path.split('/')[2]) % 10));
      server.delay(delay);
      twin.delay(delay);
      const scenario = LoadScenarioSchema.parse({
        name: 'split',
        executor: 'constant-arrival-rate',
        rate: 200,
        duration: '3s',
        connections: 1000,
        requests: [{ name: 'item', path: '/items/{{seq}}' }],
      });
      const worker = (url: string, index: number, count: number): Promise<WorkerResult> =>
        runLoad({ scenarios: [scenario], targets: { app: url }, segment: { index, count }, seed: 1 });
      const [one, ...two] = await Promise.all([
        worker(server.url, 0, 1),
        worker(twin.url, 0, 2),
        worker(twin.url, 1, 2),
      ]);

      expect(two.map((w) => w.scenarios[0]!.sent)).toEqual([300, 300]);
      expect(twin.received.map((r) => r.path).sort()).toEqual(server.received.map((r) => r.path).sort());
      const single = reportScenario(mergeResults([one])[0]!).routes[0]!;
      const merged = reportScenario(mergeResults(two)[0]!);
      const both = merged.routes[0]!;
      process.stderr.write(
        `one worker: p50 ${single.p50Ms} p95 ${single.p95Ms} p99 ${single.p99Ms}; two merged: p50 ${both.p50Ms} p95 ${both.p95Ms} p99 ${both.p99Ms}\n`,
      );
      expect(merged.workers).toBe(2);
      expect(both.requests).toBe(single.requests);
      expect(merged.requestedRate).toBe(200);
      // The same delays on both sides; what differs is the machine's scheduling noise (tens of ms, more on a
      // loaded two-core machine), hence long delays and a 5% margin. Merging itself is exact: stats.test.ts.
      for (const figure of ['p50Ms', 'p95Ms', 'p99Ms'] as const)
        expect(Math.abs(both[figure] - single[figure]) / single[figure]).toBeLessThan(0.05);
    } finally {
      await twin.close();
    }
  });

  it('run as processes of the CLI (--worker i/N --save), merged by --merge', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'understudy-load-'));
    const file = join(dir, 'test.json');
    writeFileSync(
      file,
      JSON.stringify({
        targets: { app: server.url },
        scenarios: [
          {
            name: 'split',
            executor: 'constant-arrival-rate',
            rate: 50,
            duration: '1s',
            requests: [{ name: 'item', path: '/items/{{seq}}' }],
          },
        ],
        thresholds: [{ route: 'item', errorRate: '0' }],
      }),
    );
    const saves = [join(dir, 'a.json'), join(dir, 'b.json')];
    await Promise.all(
      saves.map((save, i) =>
        run(process.execPath, [BIN, 'load', '-f', file, '--worker', `${i}/2`, '--save', save, '--no-progress']),
      ),
    );
    const { stdout } = await run(process.execPath, [BIN, 'load', '--merge', ...saves, '-f', file, '-o', 'json']);
    const report = JSON.parse(stdout) as { passed: boolean; scenarios: ScenarioReport[] };
    expect(report.passed).toBe(true);
    expect(report.scenarios[0]).toMatchObject({ workers: 2, sent: 50, requestedRate: 50 });
    expect(new Set(server.received.map((r) => r.path)).size).toBe(50);
    const saved = saves.map((save) => WorkerResultSchema.parse(JSON.parse(readFileSync(save, 'utf8'))));
    expect(saved.map((w) => w.worker)).toEqual([
      { index: 0, count: 2 },
      { index: 1, count: 2 },
    ]);
  });
});
