import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { loadShop, SHOP_SCHEMA_SQL } from '../examples/shop/db/loader';
import { DataSeedSpecSchema } from '../operator/api/dataseed';
import { derivedName } from '../operator/infrastructure/postgres/sql';
import { RunnerLineSchema, type StackResult } from '../operator/infrastructure/request';
import { parseRules } from '../operator/seed/resolve';
import { runSeed } from '../operator/seed/run';
import { createDatabase, startPostgres, stopPostgres } from '../test/setup/postgres';

// Time to a ready preview database with production-like data, 1M and 10M rows
// of the shop schema: seeding each preview (a DataSeed synthesizing from
// production: runSeed, profiling and verification included) against cloning a
// golden database that such a seed filled once (the postgres-database program
// with `template`, through the real pulumi engine: `up` from the runner's
// start to its result, and the bare CREATE DATABASE ... TEMPLATE ... STRATEGY
// FILE_COPY inside it). Every number is measured in this run.
//
//   npm run build && bash test/cluster/build-pulumi.sh
//   npx tsx bench/clone.ts [--rows 1000000,10000000] [--port <free port>]
//   UNDERSTUDY_BENCH_PG_URL=postgresql://... npx tsx bench/clone.ts   # an existing server (superuser)

const ROWS_PER_USER = 16.7;
const RULES = parseRules(readFileSync(join(__dirname, '../examples/shop/db/rules.yaml'), 'utf8'), 'rules.yaml');
const RUNNER = join(__dirname, '../dist/operator/infrastructure/child.js');

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function sql<T extends Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const withDatabase = (url: string, database: string): string =>
  Object.assign(new URL(url), { pathname: `/${database}` }).toString();
const seconds = (startedNs: bigint): number => Number(process.hrtime.bigint() - startedNs) / 1e9;

async function totalRows(url: string): Promise<number> {
  const rows = await sql<{ n: string }>(url, `SELECT sum(n_live_tup)::bigint AS n FROM pg_stat_user_tables`);
  // n_live_tup lags; count exactly (outside every timing).
  const tables = await sql<{ t: string }>(
    url,
    `SELECT format('%I.%I', schemaname, relname) AS t FROM pg_stat_user_tables`,
  );
  let exact = 0;
  for (const { t } of tables) exact += Number((await sql<{ n: string }>(url, `SELECT count(*) AS n FROM ${t}`))[0]!.n);
  return exact || Number(rows[0]?.n ?? 0);
}

function runStack(request: Record<string, unknown>): Promise<StackResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUNNER], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const result = out
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => RunnerLineSchema.parse(JSON.parse(l)))
        .find((l) => l.type === 'result');
      if (!result || result.type !== 'result')
        return reject(new Error(`the runner gave no result: ${out.slice(-500)}`));
      resolve(result.result);
    });
    child.stdin.end(
      JSON.stringify({
        project: 'understudy-bench',
        program: 'postgres-database',
        passphrase: 'bench',
        env: {},
        ...request,
      }),
    );
  });
}

interface Row {
  rows: number;
  seedSeconds: number;
  cloneUpSeconds: number;
  cloneSqlSeconds: number;
  golden: number;
  clone: number;
}

async function benchAt(server: string, rows: number, backendUrl: string): Promise<Row> {
  const users = Math.round(rows / ROWS_PER_USER);
  const prod = await createDatabase(server, `bench_clone_prod_${rows}`);
  const golden = `bench_clone_golden_${rows}`;
  const goldenUrl = await createDatabase(server, golden);
  let t = process.hrtime.bigint();
  await loadShop(prod, { users });
  process.stderr.write(`[${rows}] production loaded in ${seconds(t).toFixed(1)} s\n`);

  // Seeding a preview: an empty database with the schema, filled by a DataSeed (synthesize from production).
  // The golden is filled exactly this way, once; every preview seeded instead would pay this each time.
  await sql(goldenUrl, SHOP_SCHEMA_SQL);
  const spec = DataSeedSpecSchema.parse({
    baselineRef: { name: 'bench' },
    source: { synthesize: { profile: { fromBaseline: { database: 'production' } } } },
    target: { urlSecretRef: { name: 'b', key: 'b' } },
    rules: RULES,
  });
  t = process.hrtime.bigint();
  const report = await runSeed({ spec, target: goldenUrl, source: prod });
  const seedSeconds = seconds(t);
  process.stderr.write(
    `[${rows}] seed (runSeed synthesize into an empty preview database): ${report.totals.rows.toLocaleString('en-US')} rows in ${seedSeconds.toFixed(1)} s\n`,
  );
  await sql(server, `CHECKPOINT`);

  // Cloning: the preview database through the engine, as the infrastructure controller runs it.
  const stack = `bench.clone.${rows}`;
  t = process.hrtime.bigint();
  const up = await runStack({
    action: 'up',
    stack,
    backendUrl,
    config: { template: golden },
    secretConfig: { serverUrl: server },
  });
  const cloneUpSeconds = seconds(t);
  if (!up.ok) throw new Error(`clone up failed: ${up.message}`);
  const split = up.timings
    ? `: ${(up.timings.prepareMs / 1000).toFixed(1)} s before up (version, stack select, config), ${(up.timings.operationMs / 1000).toFixed(1)} s in up`
    : '';
  process.stderr.write(
    `[${rows}] clone through pulumi up: ${cloneUpSeconds.toFixed(1)} s (runner process start to result; in the runner ${(up.durationMs / 1000).toFixed(1)} s${split})\n`,
  );
  const cloneUrl = String(up.outputs.url?.value);

  // The statement alone, for the engine's share.
  const bare = `bench_clone_bare_${rows}`;
  await sql(server, `DROP DATABASE IF EXISTS ${bare}`);
  t = process.hrtime.bigint();
  await sql(server, `CREATE DATABASE ${bare} TEMPLATE ${golden} STRATEGY FILE_COPY`);
  const cloneSqlSeconds = seconds(t);

  const goldenRows = await totalRows(goldenUrl);
  const cloneRows = await totalRows(withDatabase(cloneUrl, derivedName(stack)));
  const down = await runStack({
    action: 'destroy',
    stack,
    backendUrl,
    config: { template: golden },
    secretConfig: { serverUrl: server },
    removeStack: true,
  });
  if (!down.ok) throw new Error(`destroy failed: ${down.message}`);
  for (const db of [bare, golden, `bench_clone_prod_${rows}`])
    await sql(server, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  return { rows, seedSeconds, cloneUpSeconds, cloneSqlSeconds, golden: goldenRows, clone: cloneRows };
}

async function main(): Promise<void> {
  const sizes = flag('--rows', '1000000,10000000').split(',').map(Number);
  const external = process.env.UNDERSTUDY_BENCH_PG_URL;
  const dataDir = '/tmp/understudy-bench-clone-pg/data';
  // Its own server on a free port: a fixed port may be another server's, which startPostgres would then use.
  const pg = external
    ? undefined
    : await startPostgres({ dataDir, port: Number(flag('--port', String(await freePort()))) });
  const server = external ?? pg!.url;
  const backendDir = mkdtempSync(join(tmpdir(), 'understudy-bench-clone-state-'));
  const results: Row[] = [];
  try {
    for (const rows of sizes) results.push(await benchAt(server, rows, pathToFileURL(backendDir).toString()));
  } finally {
    if (pg) {
      stopPostgres(dataDir);
      rmSync('/tmp/understudy-bench-clone-pg', { recursive: true, force: true });
    }
    rmSync(backendDir, { recursive: true, force: true });
  }
  const pad = (s: string, n: number) => s.padStart(n);
  console.log(
    `\n${pad('rows', 12)} ${pad('seed (s)', 10)} ${pad('clone up (s)', 13)} ${pad('CREATE…TEMPLATE (s)', 20)} ${pad('seed/clone', 11)} ${pad('rows golden = clone', 20)}`,
  );
  for (const r of results) {
    console.log(
      `${pad(r.rows.toLocaleString('en-US'), 12)} ${pad(r.seedSeconds.toFixed(1), 10)} ${pad(r.cloneUpSeconds.toFixed(1), 13)} ${pad(r.cloneSqlSeconds.toFixed(2), 20)} ${pad(`${(r.seedSeconds / r.cloneUpSeconds).toFixed(1)}×`, 11)} ${pad(`${r.golden === r.clone ? 'yes' : 'NO'} (${r.clone.toLocaleString('en-US')})`, 20)}`,
    );
  }
  const at10 = results.find((r) => r.rows >= 10_000_000);
  if (at10) {
    const ok = at10.cloneUpSeconds < 10 && at10.seedSeconds / at10.cloneUpSeconds >= 10;
    console.log(
      `\ntarget at 10M rows (clone under 10 s and at least 10× faster than seeding): ${ok ? 'met' : 'NOT met'}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
