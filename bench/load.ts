// Benchmark: the load generator against autocannon, in the same run.
//
// 1. Requests per second per core: a plain HTTP server in its own process
//    on loopback; autocannon and `understudy load`'s closed model (the same
//    number of keep-alive connections, each sending as soon as the previous
//    answer arrives) take turns; requests per CPU-second of this process.
//    Target: at least autocannon's. A third contender, undici alone (the
//    same clients sending from an empty handler, nothing recorded), is the
//    floor the choice of client sets: the gap between it and
//    `understudy load` is the generator's own cost.
// 2. Schedule accuracy at 5,000 requests/s: the open model against the same
//    server; share of requests sent within 1 ms of their intended time.
//    Target: 99%.
//
//   npx tsx bench/load.ts
//   BENCH_SECONDS=10 BENCH_CONNECTIONS=20 npx tsx bench/load.ts

import { type ChildProcess, spawn } from 'node:child_process';
import type { Dispatcher } from 'undici';
import { LoadScenarioSchema } from '../operator/api/load-scenario';
import { createClients } from '../operator/load/client';
import { reportScenario } from '../operator/load/report';
import { runLoad } from '../operator/load/run';
import { mergeResults } from '../operator/load/stats';

// autocannon has no types of its own; only what is used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  pipelining: number;
}) => Promise<{ requests: { total: number }; errors: number; non2xx: number }>;

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RATE = Number(process.env.BENCH_RATE ?? 5000);

const SERVER = `
  const http = require('node:http');
  const server = http.createServer({ keepAliveTimeout: 60000 }, (req, res) => { req.resume(); res.end('ok'); });
  server.listen(0, '127.0.0.1', () => process.send(server.address().port));
`;

function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (port) => resolve({ url: `http://127.0.0.1:${Number(port)}`, child }));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

interface Measured {
  requests: number;
  cpuSeconds: number;
  wallSeconds: number;
}

async function measure(run: () => Promise<number>): Promise<Measured> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const requests = await run();
  const used = process.cpuUsage(cpu);
  return { requests, cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: (performance.now() - started) / 1000 };
}

async function runAutocannon(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
  return result.requests.total;
}

async function runOurs(url: string, seconds: number): Promise<number> {
  const scenario = LoadScenarioSchema.parse({
    name: 'closed',
    executor: 'constant-vus',
    vus: CONNECTIONS,
    duration: `${seconds}s`,
    requests: [{ path: '/' }],
  });
  const result = await runLoad({ scenarios: [scenario], targets: { app: url }, seed: 1 });
  return result.scenarios[0]?.sent ?? 0;
}

/** undici alone: the generator's clients, each sending again from the callback of its last answer, recording nothing. */
async function runUndici(url: string, seconds: number): Promise<number> {
  const clients = createClients(url, { connections: CONNECTIONS, timeoutMs: 10_000 });
  const endAt = performance.now() + seconds * 1000;
  let sent = 0;
  let failed: Error | undefined;
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((done) => {
          const again = (): void => {
            if (performance.now() >= endAt || failed) return done();
            sent++;
            client.dispatch({ method: 'GET', path: '/' }, handler);
          };
          const handler: Dispatcher.DispatchHandler = {
            onRequestStart: () => {},
            onResponseStart: () => {},
            onResponseData: () => {},
            onResponseEnd: again,
            onResponseError: (_controller, error) => {
              failed = error;
              setImmediate(done);
            },
          };
          again();
        }),
    ),
  );
  await Promise.all(clients.map((client) => client.close()));
  // A floor that counted failures as requests would flatter it: any failure voids the measurement.
  if (failed) throw new Error(`undici alone: ${failed.message}`);
  return sent;
}

const perCore = (m: Measured): number => m.requests / m.cpuSeconds;
const perSecond = (m: Measured): number => m.requests / m.wallSeconds;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function main(): Promise<void> {
  const { url, child } = await startServer();
  try {
    // Warm both up (JIT, connections) before anything is counted.
    await runAutocannon(url, 1);
    await runOurs(url, 1);
    await runUndici(url, 1);
    const theirs: Measured[] = [];
    const ours: Measured[] = [];
    const floor: Measured[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      theirs.push(await measure(() => runAutocannon(url, SECONDS)));
      ours.push(await measure(() => runOurs(url, SECONDS)));
      floor.push(await measure(() => runUndici(url, SECONDS)));
    }
    const a = median(theirs.map(perCore));
    const o = median(ours.map(perCore));
    const u = median(floor.map(perCore));
    console.log(`throughput, ${CONNECTIONS} keep-alive connections, ${SECONDS} s x ${ROUNDS} rounds (median):`);
    console.log(
      `  autocannon 9.0.0:   ${fmt(a)} requests per CPU-second (${fmt(median(theirs.map(perSecond)))} requests/s)`,
    );
    console.log(
      `  understudy load:    ${fmt(o)} requests per CPU-second (${fmt(median(ours.map(perSecond)))} requests/s)`,
    );
    console.log(
      `  undici alone:       ${fmt(u)} requests per CPU-second (${fmt(median(floor.map(perSecond)))} requests/s)`,
    );
    console.log(`  ratio to autocannon: ${(o / a).toFixed(2)} (target >= 1.00: ${o >= a ? 'met' : 'missed'})`);
    console.log(
      `  undici alone to autocannon: ${(u / a).toFixed(2)}; understudy load to undici alone: ${(o / u).toFixed(2)}`,
    );

    const open = LoadScenarioSchema.parse({
      name: 'accuracy',
      executor: 'constant-arrival-rate',
      rate: RATE,
      duration: `${SECONDS}s`,
      connections: 64,
      maxInFlight: 10_000,
      requests: [{ path: '/' }],
    });
    const result = await runLoad({ scenarios: [open], targets: { app: url }, seed: 1 });
    const report = reportScenario(mergeResults([result])[0]!);
    const onTime = (report.onTimeShare ?? 0) * 100;
    console.log(`schedule accuracy, open model at ${fmt(RATE)} requests/s for ${SECONDS} s:`);
    console.log(
      `  ${report.sent} sent of ${report.planned} planned, ${report.dropped} dropped, achieved ${fmt(report.achievedRate)}/s`,
    );
    console.log(
      `  ${onTime.toFixed(2)}% sent within 1 ms of the intended time; send lag p99 ${report.sendLagP99Ms} ms; latency p99 ${report.routes[0]?.p99Ms} ms (target >= 99%: ${onTime >= 99 ? 'met' : 'missed'})`,
    );
  } finally {
    child.kill();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
