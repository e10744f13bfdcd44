import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { KeyedHash } from '../../operator/seed/keyed';
import { scanForLeaks } from '../../operator/seed/leak-scan';
import type { ColumnInfo } from '../../operator/seed/model';
import { PostgresDatabase } from '../../operator/seed/postgres/driver';
import { planRules } from '../../operator/seed/rules';
import { runSeed } from '../../operator/seed/run';
import { compileTransform } from '../../operator/seed/transform/compile';
import { orphanCount, query, rowCounts, shopDatabase, tableDigests } from '../support/shop-db';

jest.setTimeout(180_000);

const RULES = parse(readFileSync(join(__dirname, '../../examples/shop/db/rules.yaml'), 'utf8')).rules;
const KEY_A = Buffer.from('key-A-0123456789abcdef0123456789');
const KEY_B = Buffer.from('key-B-0123456789abcdef0123456789');
const ref = { name: 'unused', key: 'unused' };
type Subset = NonNullable<NonNullable<DataSeedSpecInput['source']['anonymize']>['subset']>;
const spec = (subset: Subset) =>
  DataSeedSpecSchema.parse({
    baselineRef: { name: 'production' },
    source: { anonymize: { from: { database: 'production' }, key: { secretKeyRef: ref }, subset } },
    target: { urlSecretRef: ref },
    rules: RULES,
  });

const uuidColumn: ColumnInfo = {
  name: 'id',
  type: 'uuid',
  baseType: 'uuid',
  isArray: false,
  notNull: true,
  hasDefault: true,
  generated: false,
};
const maskedId = (key: Buffer) => {
  const t = compileTransform({ transform: 'uuid' }, { keyed: new KeyedHash(key), column: uuidColumn, unique: true });
  return (id: string) => t(id, () => null)!;
};

describe('anonymize a 10% subset of production', () => {
  let production: string;
  const targets: Record<string, string> = {};

  beforeAll(async () => {
    production = (await shopDatabase('seed_anon_prod', 2000)).url;
    for (const name of ['a1', 'a2', 'aw', 'bw']) targets[name] = (await shopDatabase(`seed_anon_${name}`)).url;
    const fraction: Subset = { roots: [{ table: 'users', fraction: '0.1' }] };
    // Every user whose loyalty points end in 7 (a column copied unchanged): the same rows whatever the key, to compare
    // keys row by row.
    const byWhere: Subset = { roots: [{ table: 'users', where: 'loyalty_points % 10 = 7' }] };
    await runSeed({ spec: spec(fraction), source: production, target: targets.a1!, key: KEY_A });
    await runSeed({ spec: spec(fraction), source: production, target: targets.a2!, key: KEY_A });
    await runSeed({ spec: spec(byWhere), source: production, target: targets.aw!, key: KEY_A });
    await runSeed({ spec: spec(byWhere), source: production, target: targets.bw!, key: KEY_B });
  });

  it('keeps about a tenth of the users and leaves no orphans', async () => {
    const users = (await rowCounts(targets.a1!))['public.users']!;
    expect(users).toBeGreaterThan(2000 * 0.06);
    expect(users).toBeLessThan(2000 * 0.14);
    expect(await orphanCount(targets.a1!)).toBe(0);
  });

  it('keeps exactly the orders of each kept user', async () => {
    const mask = maskedId(KEY_A);
    const source = new Map(
      (
        await query<{ id: string; n: string }>(
          production,
          'SELECT u.id, count(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id',
        )
      ).map((r) => [mask(r.id), Number(r.n)]),
    );
    const kept = await query<{ id: string; n: string }>(
      targets.a1!,
      'SELECT u.id, count(o.id) AS n FROM users u LEFT JOIN orders o ON o.user_id = u.id GROUP BY u.id',
    );
    expect(kept.length).toBeGreaterThan(0);
    for (const row of kept)
      expect({ user: row.id, orders: Number(row.n) }).toEqual({ user: row.id, orders: source.get(row.id) });
    const total = Number((await query<{ n: string }>(targets.a1!, 'SELECT count(*) AS n FROM orders'))[0]!.n);
    expect(total).toBe(kept.reduce((s, r) => s + Number(r.n), 0));
  });

  it('is byte-identical for two runs with one key', async () => {
    const [a, b] = [await tableDigests(targets.a1!), await tableDigests(targets.a2!)];
    expect(b).toEqual(a);
    expect(a.users).not.toMatch(/^0:/);
  });

  it('differs everywhere masked under a second key', async () => {
    const [maskA, maskB] = [maskedId(KEY_A), maskedId(KEY_B)];
    const users = (await query<{ id: string }>(production, 'SELECT id FROM users WHERE loyalty_points % 10 = 7')).map(
      (r) => r.id,
    );
    const row = async (url: string, id: string) =>
      (
        await query<Record<string, string | null>>(
          url,
          'SELECT email, first_name, last_name, phone, date_of_birth::text AS dob, last_login_ip::text AS ip FROM users WHERE id = $1',
          [id],
        )
      )[0]!;
    let same = 0;
    let compared = 0;
    for (const id of users) {
      const [a, b] = [await row(targets.aw!, maskA(id)), await row(targets.bw!, maskB(id))];
      expect(maskA(id)).not.toBe(maskB(id));
      for (const column of ['email', 'phone', 'ip']) {
        if (a[column] === null) continue;
        expect({ column, differs: a[column] !== b[column] }).toEqual({ column, differs: true });
      }
      // Names come from word lists and dates move by one of 360 shifts, so a few coincide by chance; nearly all must differ.
      for (const column of ['first_name', 'last_name', 'dob']) {
        if (a[column] === null) continue;
        compared += 1;
        if (a[column] === b[column]) same += 1;
      }
    }
    // About a tenth of 2,000; each was found above under both keys, so the condition chose the same rows.
    expect(users.length).toBeGreaterThan(100);
    expect(same / compared).toBeLessThan(0.05);
    const cards = async (url: string) =>
      await query<{ id: string; card: string }>(
        url,
        'SELECT order_id::text AS id, card_number AS card FROM payments WHERE card_number IS NOT NULL ORDER BY order_id',
      );
    const [ca, cb] = [await cards(targets.aw!), await cards(targets.bw!)];
    expect(ca.map((r) => r.id)).toEqual(cb.map((r) => r.id));
    expect(ca.filter((r, i) => r.card === cb[i]!.card)).toEqual([]);
  });

  it('finds no production value in masked columns, and does find one planted there', async () => {
    const prodEmails = new Set(
      (await query<{ email: string }>(production, 'SELECT email FROM users')).map((r) => r.email),
    );
    const emails = (await query<{ email: string }>(targets.a1!, 'SELECT email FROM users')).map((r) => r.email);
    expect(emails.filter((e) => prodEmails.has(e))).toEqual([]);
    const payloads = await query<{ email: string }>(targets.a1!, "SELECT payload->>'email' AS email FROM audit_log");
    expect(payloads.filter((p) => prodEmails.has(p.email))).toEqual([]);

    const [source, target] = [await PostgresDatabase.open(production), await PostgresDatabase.open(targets.a2!)];
    try {
      const schema = await target.introspect(['public']);
      const plan = planRules(schema, RULES, { mode: 'Strict', source: 'anonymize' });
      expect(await scanForLeaks(source, target, schema, plan.columns, 100_000)).toEqual([]);
      await query(targets.a2!, 'UPDATE users SET email = $1 WHERE id = (SELECT id FROM users LIMIT 1)', [
        [...prodEmails][0],
      ]);
      expect(await scanForLeaks(source, target, schema, plan.columns, 100_000)).toEqual([
        { column: 'public.users.email', values: 1 },
      ]);
    } finally {
      await source.close();
      await target.close();
    }
  });
});

describe('a subset condition written as an attack', () => {
  it.each([
    ['reads another table', 'id IN (SELECT user_id FROM orders WHERE total > 100)', 'a subquery'],
    ['breaks out of its parentheses', 'true) UNION (SELECT 1', 'must be one condition'],
    ['calls a function with effects', 'pg_sleep(30) IS NULL', 'function pg_sleep is not allowed'],
    ['filters on a masked column', "email LIKE 'a%'", 'column email cannot be filtered on'],
  ])('that %s is refused, naming the field, before production is opened or anything written', async (_, where, why) => {
    const production = (await shopDatabase('seed_anon_attack_prod', 50)).url;
    const target = (await shopDatabase('seed_anon_attack_target')).url;
    const opened: string[] = [];
    const attempt = runSeed(
      { spec: spec({ roots: [{ table: 'users', where }] }), source: production, target, key: KEY_A },
      { openDatabase: (url) => (opened.push(url), PostgresDatabase.open(url)) },
    );
    await expect(attempt).rejects.toMatchObject({ reason: 'InvalidSpec' });
    await expect(attempt).rejects.toThrow(`spec.source.anonymize.subset.roots[0].where: `);
    await expect(attempt).rejects.toThrow(why);
    expect(opened).not.toContain(production);
    expect(Object.values(await rowCounts(target)).every((n) => n === 0)).toBe(true);
  });
});
