import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { faker } from '@faker-js/faker';
import type { Client } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { loadShop, SHOP_SCHEMA_SQL } from '../examples/shop/db/loader';
import { DataSeedSpecSchema } from '../operator/api/dataseed';
import { parseRules } from '../operator/seed/resolve';
import { runSeed } from '../operator/seed/run';
import { connect } from '../operator/seed/postgres/session';
import { readFileSync } from 'node:fs';

// One phase of the seed benchmark, in its own process so its peak RSS is its own.
// Prints one JSON line: {phase, rows, seconds, maxRssMiB, ...}.

const TABLES = [
  'categories',
  'tags',
  'users',
  'addresses',
  'products',
  'product_tags',
  'orders',
  'order_items',
  'payments',
  'reviews',
  'audit_log',
];
const RULES = parseRules(readFileSync(join(__dirname, '../examples/shop/db/rules.yaml'), 'utf8'), 'rules.yaml');
const KEY = Buffer.from('bench-masking-key-0123456789abcdef');
const ref = { name: 'bench', key: 'bench' };

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await connect(url, 'understudy-bench');
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const truncateAll = (url: string) => withClient(url, (c) => c.query(`TRUNCATE ${TABLES.join(', ')}`));

async function load(prod: string, target: string, users: number) {
  const started = process.hrtime.bigint();
  const counts = await loadShop(prod, { users });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await withClient(target, (c) => c.query(SHOP_SCHEMA_SQL));
  return { rows: Object.values(counts).reduce((a, b) => a + b, 0), seconds };
}

async function seed(kind: 'synthesize' | 'anonymize', prod: string, target: string) {
  await truncateAll(target);
  const spec = DataSeedSpecSchema.parse({
    source:
      kind === 'synthesize'
        ? { synthesize: { profile: { fromBaseline: { database: 'production' } } } }
        : { anonymize: { from: { database: 'production' }, key: { secretKeyRef: ref } } },
    target: { urlSecretRef: ref },
    rules: RULES,
    parallelism: Number(process.env.BENCH_PARALLELISM ?? 2),
  });
  const started = process.hrtime.bigint();
  const report = await runSeed({ spec, target, source: prod, key: KEY });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    rows: report.totals.rows,
    seconds,
    timings: report.timings,
    integrity: report.integrity,
    leaks: report.leaks?.length ?? 0,
    worstKS: report.fidelity?.worst.kolmogorovSmirnov,
  };
}

/** The ceiling: the same rows, pre-written as COPY text files, loaded with plain COPY FROM in one transaction. */
async function copyCeiling(target: string, dir: string, replica: boolean) {
  mkdirSync(dir, { recursive: true });
  await withClient(target, async (c) => {
    for (const t of TABLES)
      await pipeline(c.query(copyTo(`COPY ${t} TO STDOUT`)), createWriteStream(join(dir, `${t}.txt`)));
  });
  const rows = await withClient(target, async (c) =>
    TABLES.reduce(
      async (acc, t) => (await acc) + Number((await c.query(`SELECT count(*) AS n FROM ${t}`)).rows[0].n),
      Promise.resolve(0),
    ),
  );
  await truncateAll(target);
  const started = process.hrtime.bigint();
  await withClient(target, async (c) => {
    await c.query('BEGIN');
    if (replica) await c.query('SET LOCAL session_replication_role = replica');
    for (const t of TABLES)
      await pipeline(
        createReadStream(join(dir, `${t}.txt`), { highWaterMark: 1 << 20 }),
        c.query(copyFrom(`COPY ${t} FROM STDIN`)),
      );
    await c.query('COMMIT');
  });
  return { rows, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** The anchor: what most seed scripts do — faker values, multi-row INSERTs of 1 000 rows. */
async function fakerInserts(target: string, users: number) {
  await truncateAll(target);
  faker.seed(42);
  let rows = 0;
  const started = process.hrtime.bigint();
  await withClient(target, async (c) => {
    const insert = async (table: string, columns: string[], values: unknown[][]) => {
      for (let i = 0; i < values.length; i += 1000) {
        const batch = values.slice(i, i + 1000);
        const params: unknown[] = [];
        const tuples = batch.map(
          (row) =>
            `(${row
              .map((v) => {
                params.push(v);
                return `$${params.length}`;
              })
              .join(', ')})`,
        );
        await c.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
        rows += batch.length;
      }
    };
    await insert(
      'categories',
      ['id', 'parent_id', 'slug', 'name'],
      Array.from({ length: 40 }, (_, i) => [
        i + 1,
        i < 8 ? null : 1 + (i % 8),
        `cat-${i + 1}`,
        faker.commerce.department(),
      ]),
    );
    const userIds = Array.from({ length: users }, () => faker.string.uuid());
    await insert(
      'users',
      ['id', 'email', 'first_name', 'last_name', 'phone', 'date_of_birth', 'last_login_ip', 'created_at'],
      userIds.map((id, i) => [
        id,
        `${i}.${faker.internet.email()}`,
        faker.person.firstName(),
        faker.person.lastName(),
        faker.phone.number(),
        faker.date.birthdate(),
        faker.internet.ipv4(),
        faker.date.past({ years: 3 }),
      ]),
    );
    const products = Math.max(50, Math.round(users / 5));
    await insert(
      'products',
      ['id', 'category_id', 'sku', 'name', 'price', 'stock', 'tags', 'created_at'],
      Array.from({ length: products }, (_, i) => [
        i + 1,
        9 + (i % 32),
        `SKU-${i + 1}`,
        faker.commerce.productName(),
        faker.commerce.price(),
        faker.number.int(500),
        [faker.word.adjective()],
        faker.date.past({ years: 3 }),
      ]),
    );
    const orders = users * 3;
    await insert(
      'orders',
      ['id', 'user_id', 'status', 'total', 'placed_at', 'note'],
      Array.from({ length: orders }, (_, i) => [
        i + 1,
        faker.helpers.arrayElement(userIds),
        faker.helpers.arrayElement(['pending', 'paid', 'shipped', 'delivered']),
        faker.commerce.price(),
        faker.date.past({ years: 2 }),
        faker.datatype.boolean(0.1) ? faker.lorem.sentence() : null,
      ]),
    );
    await insert(
      'order_items',
      ['id', 'order_id', 'product_id', 'quantity', 'unit_price'],
      Array.from({ length: orders * 2 }, (_, i) => [
        i + 1,
        1 + (i >> 1),
        faker.number.int({ min: 1, max: products }),
        faker.number.int({ min: 1, max: 5 }),
        faker.commerce.price(),
      ]),
    );
  });
  return { rows, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function main(): Promise<void> {
  const [phase, prod, target, arg] = process.argv.slice(2);
  if (!phase || !prod || !target) throw new Error('usage: seed-worker <phase> <prod-url> <target-url> [arg]');
  const result =
    phase === 'load'
      ? await load(prod, target, Number(arg))
      : phase === 'synthesize' || phase === 'anonymize'
        ? await seed(phase, prod, target)
        : phase === 'copy'
          ? await copyCeiling(target, arg!, false)
          : phase === 'copy-replica'
            ? await copyCeiling(target, arg!, true)
            : phase === 'faker'
              ? await fakerInserts(target, Number(arg))
              : undefined;
  if (!result) throw new Error(`unknown phase ${phase}`);
  process.stdout.write(
    `${JSON.stringify({ phase, ...result, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
