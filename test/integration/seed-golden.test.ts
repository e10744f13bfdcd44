import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { SeedError } from '../../operator/seed/errors';
import { databaseUrl } from '../../operator/seed/golden';
import { refreshGolden } from '../../operator/seed/postgres/golden-refresh';
import { withDefaultFidelity } from '../../operator/seed/resolve';
import { runSeed } from '../../operator/seed/run';
import { createDatabase } from '../setup/postgres';
import { query, shopDatabase, tableDigests, testServerUrl } from '../support/shop-db';

// spec.golden against the real server: a refresh swaps the golden while
// another role clones it in a loop as postgres-database does (CREATE
// DATABASE ... TEMPLATE golden STRATEGY FILE_COPY), and no clone fails for a
// reason the provider does not retry, nor sees anything but a whole golden;
// a seed that fails for any reason leaves the golden byte for byte as it was
// and no `_next` behind.

jest.setTimeout(300_000);

const RULES = parse(readFileSync(join(__dirname, '../../examples/shop/db/rules.yaml'), 'utf8')).rules;
const ref = { name: 'unused', key: 'unused' };
const ROWS = 30_000;
const ITEMS_GOLDEN = 'seed_golden_items';
const SHOP_GOLDEN = 'seed_golden_shop';
const CLONER = 'seed_golden_cloner';
const PLAIN = 'seed_golden_plain';
/** The provider's budget for one clone (operator/infrastructure/postgres/provider-impl.ts): 55006 20 times, 3D000 3 times, 500 ms apart. */
const PROVIDER_RETRIES: Record<string, number> = { '55006': 20, '3D000': 3 };
const PROVIDER_WAIT_MS = 500;

const sqlSpec = (golden: string) =>
  DataSeedSpecSchema.parse({
    source: { sql: { configMapRef: ref } },
    target: { urlSecretRef: ref },
    golden: { database: golden },
  });
const generationSql = (generation: number) =>
  `INSERT INTO items SELECT g, 'gen-${generation}' FROM generate_series(1, ${ROWS}) g`;
const synthSpec = (over: Partial<DataSeedSpecInput> = {}) =>
  withDefaultFidelity(
    DataSeedSpecSchema.parse({
      baselineRef: { name: 'cli' },
      source: { synthesize: { profile: { fromBaseline: { database: 'production' } }, scale: { ratio: '0.5' } } },
      target: { urlSecretRef: ref },
      rules: RULES,
      golden: { database: SHOP_GOLDEN },
      ...over,
    }),
  );

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const codeOf = (err: unknown) => (err as { code?: string }).code ?? 'none';

async function failure(p: Promise<unknown>): Promise<SeedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SeedError) return err;
    throw err;
  }
  throw new Error('the seed succeeded');
}

/** Row count and an md5 of every row of items, in one connection to `database`. */
async function itemsChecksum(server: string, database: string): Promise<string> {
  const [row] = await query<{ n: string; digest: string }>(
    databaseUrl(server, database),
    `SELECT count(*) AS n, md5(coalesce(string_agg(id || ':' || v, ',' ORDER BY id), '')) AS digest FROM items`,
  );
  return `${row!.n}:${row!.digest}`;
}

async function databasesLike(server: string, prefix: string): Promise<Array<{ datname: string; template: boolean }>> {
  return query(
    server,
    `SELECT datname, datistemplate AS template FROM pg_database WHERE left(datname, length($1)) = $1 ORDER BY datname`,
    [prefix],
  );
}

interface CloneResult {
  ok: boolean;
  /** Error codes met on the way, in order. */
  errors: string[];
  /** The one generation the clone holds, or a description of what was wrong with it. */
  holds?: string;
}

/**
 * Clones the golden as postgres-database does, until `stop`: as a role that
 * may clone only templates, retrying exactly what the provider retries.
 */
async function cloneLoop(server: string, golden: string, stop: () => boolean): Promise<CloneResult[]> {
  const url = new URL(server);
  url.username = CLONER;
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  const results: CloneResult[] = [];
  try {
    for (let i = 0; !stop(); i++) {
      const clone = `${golden}_clone_${i % 4}`;
      await client.query(`DROP DATABASE IF EXISTS "${clone}"`);
      const result: CloneResult = { ok: false, errors: [] };
      results.push(result);
      for (;;) {
        try {
          await client.query(`CREATE DATABASE "${clone}" TEMPLATE "${golden}" STRATEGY FILE_COPY`);
          result.ok = true;
          break;
        } catch (err) {
          const code = codeOf(err);
          result.errors.push(code);
          const budget = PROVIDER_RETRIES[code] ?? 0;
          if (result.errors.filter((c) => c === code).length > budget) break;
          await sleep(PROVIDER_WAIT_MS);
        }
      }
      if (!result.ok) continue;
      // Read as the server's superuser: the clone's tables keep the golden's owner.
      const rows = await query<{ v: string; n: string }>(
        databaseUrl(server, clone),
        'SELECT v, count(*) AS n FROM items GROUP BY v',
      );
      result.holds = rows.length === 1 && Number(rows[0]!.n) === ROWS ? rows[0]!.v : `mixed: ${JSON.stringify(rows)}`;
    }
  } finally {
    for (let i = 0; i < 4; i++) await client.query(`DROP DATABASE IF EXISTS "${golden}_clone_${i}"`).catch(() => 0);
    await client.end();
  }
  return results;
}

describe('golden database refresh (spec.golden)', () => {
  let server: string;
  let itemsSchema: string;
  let production: string;
  let shopSchema: string;

  beforeAll(async () => {
    server = await testServerUrl();
    for (const prefix of [ITEMS_GOLDEN, SHOP_GOLDEN])
      for (const db of await databasesLike(server, prefix)) {
        if (db.template) await query(server, `ALTER DATABASE "${db.datname}" IS_TEMPLATE false`);
        await query(server, `DROP DATABASE IF EXISTS "${db.datname}" WITH (FORCE)`);
      }
    await query(
      server,
      `DO $$ BEGIN
         IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${CLONER}') THEN CREATE ROLE ${CLONER} LOGIN CREATEDB; END IF;
         IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PLAIN}') THEN CREATE ROLE ${PLAIN} LOGIN; END IF;
       END $$`,
    );
    // The schema databases: where migrations run; each refresh copies one.
    itemsSchema = await createDatabase(server, 'seed_goldschema_items');
    await query(itemsSchema, 'CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL)');
    production = (await shopDatabase('seed_goldprod_shop', 150)).url;
    shopSchema = (await shopDatabase('seed_goldschema_shop')).url;
  });

  it('swaps the golden while another role clones it in a loop: every clone whole, no failure the provider does not retry', async () => {
    const first = await runSeed({ spec: sqlSpec(ITEMS_GOLDEN), target: itemsSchema, sql: generationSql(1) });
    expect(first.golden?.database).toBe(ITEMS_GOLDEN);
    expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([{ datname: ITEMS_GOLDEN, template: true }]);

    let stopped = false;
    const clones = cloneLoop(server, ITEMS_GOLDEN, () => stopped);
    await sleep(300);
    const refreshes = [];
    for (const generation of [2, 3, 4, 5]) {
      const report = await runSeed({
        spec: sqlSpec(ITEMS_GOLDEN),
        target: itemsSchema,
        sql: generationSql(generation),
      });
      refreshes.push(report.golden);
      await sleep(150);
    }
    await sleep(300);
    stopped = true;
    const results = await clones;

    const failed = results.filter((r) => !r.ok);
    expect(failed).toEqual([]);
    const codes = new Set(results.flatMap((r) => r.errors));
    for (const code of codes) expect(['55006', '3D000']).toContain(code);
    // Every clone is one whole golden, and they follow the refreshes in order.
    const held = results.map((r) => r.holds!);
    for (const h of held) expect(h).toMatch(/^gen-[1-5]$/);
    expect([...held].sort()).toEqual(held);
    expect(results.length).toBeGreaterThanOrEqual(5);
    expect(new Set(held).size).toBeGreaterThanOrEqual(2);
    process.stdout.write(
      `golden refresh under a clone loop: ${results.length} clones, generations seen ${[...new Set(held)].join(' ')}, transient errors ${JSON.stringify(results.flatMap((r) => r.errors))}\n`,
    );

    for (const r of refreshes) expect(r).toMatchObject({ database: ITEMS_GOLDEN });
    expect(refreshes.every((r) => r?.leftOver === undefined)).toBe(true);
    expect(await itemsChecksum(server, ITEMS_GOLDEN)).toBe(await expectedChecksum(5));
    expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([{ datname: ITEMS_GOLDEN, template: true }]);
    // The schema database is only ever copied, never written.
    expect(await query(itemsSchema, 'SELECT count(*)::int AS n FROM items')).toEqual([{ n: 0 }]);
  });

  async function expectedChecksum(generation: number): Promise<string> {
    const [row] = await query<{ n: string; digest: string }>(
      server,
      `SELECT count(*) AS n, md5(string_agg(g || ':gen-${generation}', ',' ORDER BY g)) AS digest FROM generate_series(1, ${ROWS}) g`,
    );
    return `${row!.n}:${row!.digest}`;
  }

  it('a seed that fails its SQL leaves the golden byte for byte as it was, and no _next', async () => {
    const before = await itemsChecksum(server, ITEMS_GOLDEN);
    const err = await failure(
      runSeed({
        spec: sqlSpec(ITEMS_GOLDEN),
        target: itemsSchema,
        sql: `${generationSql(9)}; SELECT 1 / 0`,
      }),
    );
    expect(err.reason).toBe('WriteFailed');
    expect(await itemsChecksum(server, ITEMS_GOLDEN)).toBe(before);
    expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([{ datname: ITEMS_GOLDEN, template: true }]);
  });

  it('a synthesis below its enforced fidelity thresholds leaves the golden as it was; one that passes replaces it', async () => {
    // Reported, not enforced: a small production may miss a default threshold, and this one must succeed.
    const good = await runSeed({
      spec: synthSpec({ source: synthSource(1), fidelity: { enforce: false } }),
      target: shopSchema,
      source: production,
    });
    expect(good.fidelity).toBeDefined();
    expect(good.golden?.database).toBe(SHOP_GOLDEN);
    const goldenUrl = databaseUrl(server, SHOP_GOLDEN);
    const before = await tableDigests(goldenUrl);
    expect(Object.values(before).some((d) => !d.startsWith('0:'))).toBe(true);

    const impossible = synthSpec({
      source: synthSource(2),
      fidelity: { maxKolmogorovSmirnov: '0', maxTotalVariation: '0', enforce: true },
    });
    const err = await failure(runSeed({ spec: impossible, target: shopSchema, source: production }));
    expect(err.reason).toBe('FidelityFailed');
    expect(await tableDigests(goldenUrl)).toEqual(before);
    expect(await databasesLike(server, SHOP_GOLDEN)).toEqual([{ datname: SHOP_GOLDEN, template: true }]);
  });

  const synthSource = (seed: number): DataSeedSpecInput['source'] => ({
    synthesize: { profile: { fromBaseline: { database: 'production' } }, scale: { ratio: '0.5' }, seed },
  });

  it('a role without CREATEDB gets GoldenNotPermitted naming spec.golden.database, and nothing is written', async () => {
    const before = await itemsChecksum(server, ITEMS_GOLDEN);
    const plain = new URL(itemsSchema);
    plain.username = PLAIN;
    const err = await failure(
      runSeed({ spec: sqlSpec(ITEMS_GOLDEN), target: plain.toString(), sql: generationSql(7) }),
    );
    expect(err.reason).toBe('GoldenNotPermitted');
    expect(err.message).toContain('spec.golden.database');
    expect(err.message).toContain(`"${PLAIN}" lacks CREATEDB`);
    expect(err.message).toContain('nothing was written');
    expect(await itemsChecksum(server, ITEMS_GOLDEN)).toBe(before);
    expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([{ datname: ITEMS_GOLDEN, template: true }]);
  });

  it("drops a marked _next an interrupted refresh left behind, and refuses to drop an _old that is not a refresh's", async () => {
    const next = `${ITEMS_GOLDEN}_next`;
    await query(server, `CREATE DATABASE "${next}" TEMPLATE "seed_goldschema_items"`);
    await query(server, `COMMENT ON DATABASE "${next}" IS 'understudy:golden:${ITEMS_GOLDEN}'`);
    await query(server, `ALTER DATABASE "${next}" IS_TEMPLATE true`);
    await runSeed({ spec: sqlSpec(ITEMS_GOLDEN), target: itemsSchema, sql: generationSql(6) });
    expect(await itemsChecksum(server, ITEMS_GOLDEN)).toBe(await expectedChecksum(6));
    expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([{ datname: ITEMS_GOLDEN, template: true }]);

    const old = `${ITEMS_GOLDEN}_old`;
    await query(server, `CREATE DATABASE "${old}"`);
    try {
      const err = await failure(runSeed({ spec: sqlSpec(ITEMS_GOLDEN), target: itemsSchema, sql: generationSql(7) }));
      expect(err.reason).toBe('GoldenNotPermitted');
      expect(err.message).toContain(`${old} exists and was not made by a refresh of ${ITEMS_GOLDEN}`);
      expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([
        { datname: ITEMS_GOLDEN, template: true },
        { datname: old, template: false },
      ]);
      expect(await itemsChecksum(server, ITEMS_GOLDEN)).toBe(await expectedChecksum(6));
    } finally {
      await query(server, `DROP DATABASE "${old}"`);
    }
  });

  it('a second refresh of the same golden while one is filling _next backs off (GoldenBusy) instead of ending it', async () => {
    const slow = runSeed({
      spec: sqlSpec(ITEMS_GOLDEN),
      target: itemsSchema,
      sql: `${generationSql(10)}; SELECT pg_sleep(2)`,
    });
    await sleep(500);
    const err = await failure(runSeed({ spec: sqlSpec(ITEMS_GOLDEN), target: itemsSchema, sql: generationSql(11) }));
    expect(err.reason).toBe('GoldenBusy');
    expect(err.message).toContain(`another refresh of ${ITEMS_GOLDEN} is filling`);
    expect((await slow).golden?.database).toBe(ITEMS_GOLDEN);
    expect(await itemsChecksum(server, ITEMS_GOLDEN)).toBe(await expectedChecksum(10));
    expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([{ datname: ITEMS_GOLDEN, template: true }]);
  });

  it('a session left open on the golden makes the swap fail GoldenBusy after its retries: the golden stays, _next goes', async () => {
    const before = await itemsChecksum(server, ITEMS_GOLDEN);
    const squatter = new Client({ connectionString: databaseUrl(server, ITEMS_GOLDEN) });
    await squatter.connect();
    let err: SeedError;
    try {
      const spec = sqlSpec(ITEMS_GOLDEN);
      const plainSpec = { ...spec, golden: undefined };
      err = await failure(
        refreshGolden(
          { spec, target: itemsSchema, sql: generationSql(8) },
          {},
          (request, opts) => runSeed({ ...request, spec: plainSpec }, opts),
          { inUseAttempts: 1 },
        ),
      );
    } finally {
      await squatter.end();
    }
    expect(err.reason).toBe('GoldenBusy');
    expect(err.message).toContain('the golden is as it was');
    expect(await itemsChecksum(server, ITEMS_GOLDEN)).toBe(before);
    expect(await databasesLike(server, ITEMS_GOLDEN)).toEqual([{ datname: ITEMS_GOLDEN, template: true }]);
  });
});
