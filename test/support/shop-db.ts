import { Client } from 'pg';
import { loadShop, SHOP_SCHEMA_SQL, type ShopCounts } from '../../examples/shop/db/loader';
import { createDatabase, startPostgres } from '../setup/postgres';

export { loadShop, SHOP_SCHEMA_SQL };
export type { ShopCounts };

/**
 * The PostgreSQL server of the integration run (UNDERSTUDY_TEST_PG_URL, from the
 * global setup); when a test file runs on its own without it, a private server.
 */
export async function testServerUrl(): Promise<string> {
  const url = process.env.UNDERSTUDY_TEST_PG_URL;
  if (url) return url;
  const server = await startPostgres({
    dataDir: '/tmp/understudy-seed-tests/data',
    port: Number(process.env.UNDERSTUDY_SEED_TEST_PG_PORT ?? 55518),
  });
  process.env.UNDERSTUDY_TEST_PG_URL = server.url;
  return server.url;
}

export async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'");
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A fresh database with the shop's schema, loaded with `users` users' worth of production data when asked. */
export async function shopDatabase(name: string, users?: number): Promise<{ url: string; counts: ShopCounts }> {
  const url = await createDatabase(await testServerUrl(), name);
  if (users === undefined) {
    await query(url, SHOP_SCHEMA_SQL);
    return { url, counts: {} };
  }
  return { url, counts: await loadShop(url, { users }) };
}

export const SHOP_TABLES = [
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

/** An md5 of every table's rows in a canonical order: equal digests mean byte-identical tables. */
export async function tableDigests(url: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of SHOP_TABLES) {
    const [row] = await query<{ digest: string; n: string }>(
      url,
      `SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS digest, count(*) AS n FROM public.${table} t`,
    );
    out[table] = `${row!.n}:${row!.digest}`;
  }
  return out;
}

export async function rowCounts(url: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of SHOP_TABLES)
    out[`public.${table}`] = Number(
      (await query<{ n: string }>(url, `SELECT count(*) AS n FROM public.${table}`))[0]!.n,
    );
  return out;
}

/** Rows whose foreign key points at nothing, over every foreign key of the schema, counted by the database. */
export async function orphanCount(url: string): Promise<number> {
  const fks = await query<{ child: string; parent: string; cols: string[]; refs: string[] }>(
    url,
    `
    SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
      (SELECT array_agg(attname::text ORDER BY k.o) FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n) AS cols,
      (SELECT array_agg(attname::text ORDER BY k.o) FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n) AS refs
    FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
  );
  let orphans = 0;
  for (const fk of fks) {
    const notNull = fk.cols.map((c) => `x.${c} IS NOT NULL`).join(' AND ');
    const match = fk.cols.map((c, i) => `p.${fk.refs[i]} = x.${c}`).join(' AND ');
    orphans += Number(
      (
        await query<{ n: string }>(
          url,
          `SELECT count(*) AS n FROM ${fk.child} x WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${fk.parent} p WHERE ${match})`,
        )
      )[0]!.n,
    );
  }
  return orphans;
}
