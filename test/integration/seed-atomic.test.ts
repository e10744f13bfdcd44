import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { SeedError } from '../../operator/seed/errors';
import { runSeed } from '../../operator/seed/run';
import { loadShop, orphanCount, query, rowCounts, shopDatabase, tableDigests, testServerUrl } from '../support/shop-db';

// Atomic seeds: whatever stops a seed — a leak, a lost connection at any
// moment, the runner killed — the target is either exactly as it was before
// or completely seeded and verified; never half-written, never leaked, and
// the process running the seed (the operator, for Inline seeds) survives.

jest.setTimeout(600_000);

const ROOT = join(__dirname, '../..');
const RULES_FILE = join(ROOT, 'examples/shop/db/rules.yaml');
const RULES = parse(readFileSync(RULES_FILE, 'utf8')).rules as NonNullable<DataSeedSpecInput['rules']>;
const KEY = 'atomic-key-0123456789abcdef01234';
const ref = { name: 'unused', key: 'unused' };
const anonymize = (over: Partial<DataSeedSpecInput> = {}) =>
  DataSeedSpecSchema.parse({
    baselineRef: { name: 'production' },
    source: { anonymize: { from: { database: 'production' }, key: { secretKeyRef: ref } } },
    target: { urlSecretRef: ref },
    rules: RULES,
    ...over,
  });

const dbName = (url: string) => new URL(url).pathname.slice(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Deterministic "random" kill points, so a failure can be replayed. */
function points(n: number, maxMs: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return Math.round((s / 2 ** 31) * maxMs);
  });
}

/** Ends every seed connection to the databases (as an admin or a failover would); how many it ended. */
async function terminateSeedConnections(databases: string[]): Promise<number> {
  const rows = await query<{ n: string }>(
    await shopDbAdminUrl(),
    `SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE datname = ANY($1) AND application_name LIKE 'understudy-seed%'`,
    [databases],
  );
  return Number(rows[0]?.n ?? 0);
}
let adminUrl: string;
const shopDbAdminUrl = async () => adminUrl;

/** A copy of the database `template`, fresh: every kill point starts from the same "before". */
async function cloneDatabase(template: string, name: string): Promise<string> {
  await query(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await query(adminUrl, `CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

async function outcome(p: Promise<unknown>): Promise<'ok' | SeedError> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    if (err instanceof SeedError) return err;
    throw err;
  }
}

describe('atomic seeds', () => {
  let production: string;
  let target: string;
  let before: Record<string, string>;
  let complete: Record<string, string>;
  let seedMs: number;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    adminUrl = await testServerUrl();
    production = (await shopDatabase('seed_atomic_prod', 600)).url;
    // The "before" every kill point starts from: a staging database with data of its own.
    const baseline = (await shopDatabase('seed_atomic_before')).url;
    await loadShop(baseline, { users: 40, seed: 5 }, { createSchema: false });
    before = await tableDigests(baseline);
    target = await cloneDatabase('seed_atomic_before', 'seed_atomic_target');
    // A clean seed elsewhere gives the digest of "complete" and how long a seed takes.
    const reference = (await shopDatabase('seed_atomic_reference')).url;
    await runSeed({ spec: anonymize(), source: production, target: reference, key: Buffer.from(KEY) });
    // Timed warm (the first run pays for loading modules), so the kill points fall inside a seed.
    const started = Date.now();
    await runSeed({ spec: anonymize(), source: production, target: reference, key: Buffer.from(KEY) });
    seedMs = Date.now() - started;
    complete = await tableDigests(reference);
    expect(complete).not.toEqual(before);
    process.on('uncaughtException', onUncaught);
  });

  afterAll(() => {
    process.off('uncaughtException', onUncaught);
  });

  it('rolls back a seed whose leak scan finds a production value: the target is exactly as before', async () => {
    const rules = [
      ...RULES.filter((r) => !(r.table === 'reviews' && r.column === 'body')),
      { table: 'reviews', column: 'body', transform: 'template' as const, params: { template: 'a real review' } },
    ];
    const [original] = await query<{ id: string; body: string | null }>(
      production,
      'SELECT id::text, body FROM reviews ORDER BY id LIMIT 1',
    );
    await query(production, "UPDATE reviews SET body = 'a real review' WHERE id = $1", [original!.id]);
    try {
      for (const parallelism of [1, 3]) {
        const result = await outcome(
          runSeed({ spec: anonymize({ rules, parallelism }), source: production, target, key: Buffer.from(KEY) }),
        );
        expect(result).toBeInstanceOf(SeedError);
        expect((result as SeedError).reason).toBe('LeakDetected');
        expect((result as SeedError).message).toContain('public.reviews.body');
        expect((result as SeedError).targetTouched).toBe(false);
        expect(await tableDigests(target)).toEqual(before);
      }
    } finally {
      await query(production, 'UPDATE reviews SET body = $2 WHERE id = $1', [original!.id, original!.body]);
    }
  });

  it('with onFailure Empty, a leaking seed leaves the seeded tables empty and the failure marked; by default, exactly as before', async () => {
    const rules = [
      ...RULES.filter((r) => !(r.table === 'reviews' && r.column === 'body')),
      { table: 'reviews', column: 'body', transform: 'template' as const, params: { template: 'a real review' } },
    ];
    const [original] = await query<{ id: string; body: string | null }>(
      production,
      'SELECT id::text, body FROM reviews ORDER BY id LIMIT 1',
    );
    await query(production, "UPDATE reviews SET body = 'a real review' WHERE id = $1", [original!.id]);
    const emptyTarget = await cloneDatabase('seed_atomic_before', 'seed_atomic_empty');
    const emptiedRuns = () =>
      query<{ message: string }>(
        emptyTarget,
        "SELECT message FROM understudy.seed_runs WHERE status = 'Emptied'",
      ).catch(() => []);
    try {
      const rolledBack = await outcome(
        runSeed({
          spec: anonymize({ rules, parallelism: 1 }),
          source: production,
          target: emptyTarget,
          key: Buffer.from(KEY),
        }),
      );
      expect((rolledBack as SeedError).reason).toBe('LeakDetected');
      expect(await tableDigests(emptyTarget)).toEqual(before);
      expect(await emptiedRuns()).toEqual([]);

      for (const parallelism of [1, 3]) {
        const result = await outcome(
          runSeed({
            spec: anonymize({ rules, parallelism, onFailure: 'Empty' }),
            source: production,
            target: emptyTarget,
            key: Buffer.from(KEY),
          }),
        );
        expect(result).toBeInstanceOf(SeedError);
        expect((result as SeedError).reason).toBe('LeakDetected');
        expect((result as SeedError).message).toContain(
          'the seeded tables were emptied and the failure recorded in understudy.seed_runs',
        );
        const counts = await rowCounts(emptyTarget);
        expect(Object.keys(counts).length).toBeGreaterThan(3);
        expect(Object.entries(counts).filter(([, n]) => n !== 0)).toEqual([]);
      }
      const marked = await emptiedRuns();
      expect(marked).toHaveLength(2);
      expect(marked[0]!.message).toContain('public.reviews.body');
      expect(marked[0]!.message).not.toContain('a real review');
      const [run] = await query<{ status: string; message: string }>(
        emptyTarget,
        "SELECT status, message FROM understudy.seed_runs WHERE status = 'Failed' ORDER BY id DESC LIMIT 1",
      );
      expect(run!.message).toContain('onFailure: Empty');

      // Emptying and its record commit together or not at all: a record that cannot be written leaves the target as it was.
      const unmarkable = await cloneDatabase('seed_atomic_before', 'seed_atomic_unmarkable');
      await query(
        unmarkable,
        `CREATE SCHEMA understudy; CREATE TABLE understudy.seed_runs (id bigserial PRIMARY KEY, started_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz, status text NOT NULL CHECK (status <> 'Emptied'), description text NOT NULL, message text)`,
      );
      const refused = await outcome(
        runSeed({
          spec: anonymize({ rules, onFailure: 'Empty' }),
          source: production,
          target: unmarkable,
          key: Buffer.from(KEY),
        }),
      );
      expect((refused as SeedError).reason).toBe('LeakDetected');
      expect((refused as SeedError).message).toMatch(
        /emptying the tables failed \(.*seed_runs_status_check.*\), so the target is as it was/,
      );
      expect(await tableDigests(unmarkable)).toEqual(before);
    } finally {
      await query(production, 'UPDATE reviews SET body = $2 WHERE id = $1', [original!.id, original!.body]);
    }
    // A seed that succeeds with onFailure Empty is a seed like any other.
    expect(
      await outcome(
        runSeed({
          spec: anonymize({ onFailure: 'Empty' }),
          source: production,
          target: emptyTarget,
          key: Buffer.from(KEY),
        }),
      ),
    ).toBe('ok');
    expect(await tableDigests(emptyTarget)).toEqual(complete);
  });

  it('survives every seed connection being terminated while it writes (no listener-less client crashes the process)', async () => {
    const run = outcome(
      runSeed({ spec: anonymize({ parallelism: 2 }), source: production, target, key: Buffer.from(KEY) }),
    );
    // Wait until the writer is busy, then end every connection of the seed, idle ones included.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      // The seed's own connection (idle while it writes) and a writer.
      const [w] = await query<{ n: string }>(
        adminUrl,
        "SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name LIKE 'understudy-seed%' AND datname = $1",
        [dbName(target)],
      );
      if (Number(w?.n) >= 2) break;
      await sleep(5);
    }
    expect(await terminateSeedConnections([dbName(target), dbName(production)])).toBeGreaterThan(1);
    const result = await run;
    await sleep(200); // an 'error' event without a listener would surface here
    expect(uncaught).toEqual([]);
    expect(result).toBeInstanceOf(SeedError);
    expect((result as SeedError).reason).toBe('ConnectionFailed');
    expect((result as SeedError).message).toMatch(/^lost the connection to a database/);
    expect(await tableDigests(target)).toEqual(before);
  });

  it('leaves the target unchanged or complete when connections are terminated at 10 random points', async () => {
    const figures: string[] = [];
    const seen = new Set<string>();
    for (const [i, at] of points(10, Math.max(seedMs, 200), 42).entries()) {
      const url = await cloneDatabase('seed_atomic_before', 'seed_atomic_terminated');
      const run = outcome(
        runSeed({ spec: anonymize({ parallelism: 2 }), source: production, target: url, key: Buffer.from(KEY) }),
      );
      await sleep(at);
      // Alternate: the target's connections only, or both sides.
      const ended = await terminateSeedConnections(i % 2 === 0 ? [dbName(url)] : [dbName(url), dbName(production)]);
      const result = await run;
      const now = await tableDigests(url);
      const which = same(now, complete) ? 'complete' : same(now, before) ? 'unchanged' : 'PARTIAL';
      seen.add(which);
      figures.push(
        `${at}ms: ended ${ended}, ${result === 'ok' ? 'completed' : `${result.reason}: ${result.message.slice(0, 80)}`} -> ${which}`,
      );
      expect(which).not.toBe('PARTIAL');
      if (result === 'ok') expect(which).toBe('complete');
      else expect(result.targetTouched).toBe(false);
      if (which === 'complete') expect(await orphanCount(url)).toBe(0);
    }
    process.stdout.write(`terminate points (seed ${seedMs}ms):\n  ${figures.join('\n  ')}\n`);
    expect(uncaught).toEqual([]);
    // At least one kill landed mid-seed (else the test proved little); where a seed got to COMMIT first it must be complete.
    expect(seen.has('unchanged')).toBe(true);
  });

  it('leaves the target unchanged or complete when the CLI running the seed is SIGKILLed at 10 random points', async () => {
    // How long the CLI takes, start-up included: the kill points fall inside its run.
    const timed = await cloneDatabase('seed_atomic_before', 'seed_atomic_killed');
    const started = Date.now();
    expect(await new Promise((resolve) => cli(timed, production).on('exit', resolve))).toBe(0);
    const cliMs = Date.now() - started;
    const figures: string[] = [];
    const seen = new Set<string>();
    for (const at of points(10, cliMs * 0.8, 7).map((p) => Math.round(cliMs * 0.25 + p))) {
      const url = await cloneDatabase('seed_atomic_before', 'seed_atomic_killed');
      const child = cli(url, production);
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await sleep(at);
      child.kill('SIGKILL');
      const code = await exited;
      // The server notices the dead client's socket and rolls its transaction back.
      await waitForNoSeedConnections(dbName(url));
      const now = await tableDigests(url);
      const which = same(now, complete) ? 'complete' : same(now, before) ? 'unchanged' : 'PARTIAL';
      seen.add(which);
      figures.push(`${at}ms: ${code === null ? 'killed' : `exited ${code}`} -> ${which}`);
      expect(which).not.toBe('PARTIAL');
      if (code === 0) expect(which).toBe('complete');
      else if (code !== null) throw new Error(`the seed failed on its own: ${stderr}`);
      if (which === 'complete') expect(await orphanCount(url)).toBe(0);
    }
    process.stdout.write(`SIGKILL points (CLI run ${cliMs}ms):\n  ${figures.join('\n  ')}\n`);
    expect(seen.has('unchanged')).toBe(true);
  });

  it('closes the run marker a killed seed left Running when the next seed starts', async () => {
    const url = await cloneDatabase('seed_atomic_before', 'seed_atomic_marker');
    const child = cli(url, production);
    const exited = new Promise((resolve) => child.on('exit', resolve));
    // Killed while its marker says Running (and its transaction is open).
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('the seed never marked its run');
      const [t] = await query<{ t: string | null }>(url, "SELECT to_regclass('understudy.seed_runs')::text AS t");
      if (t?.t && (await query(url, "SELECT 1 FROM understudy.seed_runs WHERE status = 'Running'")).length > 0) break;
      await sleep(10);
    }
    child.kill('SIGKILL');
    await exited;
    await waitForNoSeedConnections(dbName(url));
    expect(await query(url, 'SELECT status FROM understudy.seed_runs')).toEqual([{ status: 'Running' }]);
    expect(await tableDigests(url)).toEqual(before);
    expect(
      await outcome(
        runSeed({ spec: anonymize({ parallelism: 2 }), source: production, target: url, key: Buffer.from(KEY) }),
      ),
    ).toBe('ok');
    const runs = await query<{ status: string; message: string }>(
      url,
      'SELECT status, message FROM understudy.seed_runs ORDER BY id',
    );
    expect(runs.map((r) => r.status)).toEqual(['Interrupted', 'Succeeded']);
    expect(runs[0]!.message).toContain('connection ended');
    expect(await tableDigests(url)).toEqual(complete);
  });
});

function cli(target: string, production: string) {
  return spawn(
    process.execPath,
    [
      join(ROOT, 'bin/understudy.js'),
      'seed',
      '--target',
      target,
      '--from',
      production,
      '--key-env',
      'ATOMIC_KEY',
      '--rules',
      RULES_FILE,
      '--parallelism',
      '2',
      '--no-progress',
      '--output',
      'json',
    ],
    { env: { ...process.env, ATOMIC_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

async function waitForNoSeedConnections(database: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const [row] = await query<{ n: string }>(
      adminUrl,
      "SELECT count(*)::text AS n FROM pg_stat_activity WHERE datname = $1 AND application_name LIKE 'understudy-seed%'",
      [database],
    );
    if (Number(row?.n) === 0) return;
    await sleep(50);
  }
  throw new Error(`seed connections to ${database} still open after 30s`);
}
