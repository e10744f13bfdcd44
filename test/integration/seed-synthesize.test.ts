import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { ProfileSchema } from '../../operator/seed/model';
import { detectPersonal, personalClassifier } from '../../operator/seed/pii';
import { PostgresDatabase } from '../../operator/seed/postgres/driver';
import { withDefaultFidelity } from '../../operator/seed/resolve';
import { runSeed } from '../../operator/seed/run';
import { orphanCount, query, rowCounts, shopDatabase } from '../support/shop-db';

jest.setTimeout(180_000);

const RULES = parse(readFileSync(join(__dirname, '../../examples/shop/db/rules.yaml'), 'utf8')).rules;
const ref = { name: 'unused', key: 'unused' };
// As resolveSeedRequest hands it to runSeed: a synthesis without spec.fidelity gets the default thresholds, enforced.
const spec = (over: Partial<DataSeedSpecInput> = {}) =>
  withDefaultFidelity(
    DataSeedSpecSchema.parse({
      baselineRef: { name: 'cli' },
      source: { synthesize: { profile: { fromBaseline: { database: 'production' } }, scale: { ratio: '0.5' } } },
      target: { urlSecretRef: ref },
      rules: RULES,
      ...over,
    }),
  );

/** Exact two-sample Kolmogorov–Smirnov distance between two lists of numbers. */
function ks(a: number[], b: number[]): number {
  const [x, y] = [[...a].sort((p, q) => p - q), [...b].sort((p, q) => p - q)];
  let i = 0;
  let j = 0;
  let worst = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    worst = Math.max(worst, Math.abs(i / x.length - j / y.length));
  }
  return worst;
}

const NUMERIC_OR_DATE = [
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'double precision',
  'real',
  'date',
  'timestamp with time zone',
  'timestamp without time zone',
];

describe('synthesize from a populated production', () => {
  let production: string;
  let prodCounts: Record<string, number>;
  let target: string;

  beforeAll(async () => {
    const prod = await shopDatabase('seed_synth_prod', 4000);
    production = prod.url;
    prodCounts = prod.counts;
    target = (await shopDatabase('seed_synth_target')).url;
    await runSeed({ spec: spec(), target, source: production });
  });

  it('writes every table at the requested scale, within 1%', async () => {
    const counts = await rowCounts(target);
    for (const [table, n] of Object.entries(prodCounts)) {
      expect({ table, deviation: Math.abs(counts[table]! - n * 0.5) <= Math.max(1, n * 0.5 * 0.01) }).toEqual({
        table,
        deviation: true,
      });
    }
  });

  it('leaves no foreign-key orphans and no duplicate keys', async () => {
    expect(await orphanCount(target)).toBe(0);
    const dupes = await query<{ n: string }>(
      target,
      `SELECT (SELECT count(*) - count(DISTINCT email) FROM users) + (SELECT count(*) - count(DISTINCT sku) FROM products)
      + (SELECT count(*) - count(DISTINCT (user_id, product_id)) FROM reviews) + (SELECT count(*) - count(DISTINCT (product_id, tag_id)) FROM product_tags) AS n`,
    );
    expect(Number(dupes[0]!.n)).toBe(0);
  });

  it('matches null fractions within one percentage point and numeric and date distributions within KS 0.1', async () => {
    const columns = await query<{ table_name: string; column_name: string; data_type: string }>(
      production,
      `
      SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    );
    const keys = new Set(
      (
        await query<{ k: string }>(
          production,
          `
      SELECT c.conrelid::regclass::text || '.' || a.attname AS k FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
      WHERE c.contype IN ('p', 'f') AND c.connamespace = 'public'::regnamespace`,
        )
      ).map((r) => r.k),
    );
    const checked: string[] = [];
    for (const c of columns) {
      const col = `"${c.column_name}"`;
      const nulls = async (url: string) =>
        Number(
          (await query<{ f: string }>(url, `SELECT avg((${col} IS NULL)::int)::float8 AS f FROM ${c.table_name}`))[0]!
            .f,
        );
      expect({
        column: `${c.table_name}.${c.column_name}`,
        within: Math.abs((await nulls(production)) - (await nulls(target))) <= 0.01,
      }).toEqual({ column: `${c.table_name}.${c.column_name}`, within: true });
      // Keys are labels (fan-out covers them) and personal columns are never profiled, so neither has a distribution to match.
      const personal = detectPersonal({ name: c.column_name, baseType: 'text' });
      if (!NUMERIC_OR_DATE.includes(c.data_type) || keys.has(`${c.table_name}.${c.column_name}`) || personal) continue;
      const expr = c.data_type.startsWith('timestamp') || c.data_type === 'date' ? `extract(epoch FROM ${col})` : col;
      const values = async (url: string) =>
        (
          await query<{ v: string }>(url, `SELECT ${expr}::float8 AS v FROM ${c.table_name} WHERE ${col} IS NOT NULL`)
        ).map((r) => Number(r.v));
      const distance = ks(await values(production), await values(target));
      expect({ column: `${c.table_name}.${c.column_name}`, ks: distance <= 0.1 }).toEqual({
        column: `${c.table_name}.${c.column_name}`,
        ks: true,
      });
      checked.push(c.column_name);
    }
    expect(checked).toEqual(
      expect.arrayContaining(['price', 'total', 'quantity', 'placed_at', 'rating', 'loyalty_points', 'created_at']),
    );
  });

  it('never writes a production value into a personal column', async () => {
    const prodEmails = new Set(
      (await query<{ email: string }>(production, 'SELECT email FROM users')).map((r) => r.email),
    );
    const fake = await query<{ email: string; first_name: string }>(target, 'SELECT email, first_name FROM users');
    expect(fake.filter((r) => prodEmails.has(r.email))).toEqual([]);
    expect(fake.every((r) => /@[a-z.]*example(\.[a-z]+)?$/.test(r.email))).toBe(true);
  });

  it("fills a JSON column masked by a json rule with documents holding the rule's paths, faked", async () => {
    // audit_log.payload: rule json with $.ip (ipv4) and $.email (email); nothing of production's documents is read.
    const rows = await query<{ payload: Record<string, unknown> }>(target, 'SELECT payload FROM audit_log LIMIT 200');
    expect(rows.length).toBeGreaterThan(0);
    for (const { payload } of rows) {
      expect(payload.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
      expect(payload.ip).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
    }
    const productionEmails = new Set(
      (await query<{ e: string }>(production, "SELECT payload->>'email' AS e FROM audit_log")).map((r) => r.e),
    );
    expect(rows.filter(({ payload }) => productionEmails.has(payload.email as string))).toEqual([]);
  });

  it('synthesizes from a stored profile as well, with the same counts and a fidelity report', async () => {
    const db = await PostgresDatabase.open(production);
    const schema = await db.introspect(['public']);
    const stored = JSON.stringify(await db.profile(schema, { analyze: true, personal: personalClassifier(RULES) }));
    await db.close();
    const profile = ProfileSchema.parse(JSON.parse(stored));
    expect(JSON.stringify(profile.tables['public.users']!.columns.email)).not.toMatch(/mostCommon|histogram/);
    // Production's emails (also inside audit_log.payload) contain '@': not one may reach the profile.
    expect(stored).not.toContain('@');
    expect(profile.tables['public.products']!.columns.price!.histogram!.length).toBeGreaterThan(10);
    const second = (await shopDatabase('seed_synth_target2')).url;
    const report = await runSeed({
      spec: spec({
        parallelism: 3,
        source: { synthesize: { profile: { configMapRef: ref }, scale: { rows: { users: 500 } } } },
      }),
      target: second,
      profile,
    });
    const counts = await rowCounts(second);
    expect(counts['public.users']).toBe(500);
    expect(counts['public.orders']).toBe(prodCounts['public.orders']);
    expect(report.fidelity?.foreignKeyOrphans).toBe(0);
    expect(report.fidelity?.worst.kolmogorovSmirnov).toBeLessThanOrEqual(0.1);
    expect(report.piiCoverage).toEqual({
      covered: report.piiCoverage!.total,
      total: 65,
      personal: report.piiCoverage!.personal,
    });
  });
});
