import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { SeedError } from '../../operator/seed/errors';
import { runSeed } from '../../operator/seed/run';
import { query, rowCounts, shopDatabase } from '../support/shop-db';

jest.setTimeout(120_000);

const ref = { name: 'unused', key: 'unused' };
const spec = (source: DataSeedSpecInput['source'], over: Partial<DataSeedSpecInput> = {}) =>
  DataSeedSpecSchema.parse({ source, target: { urlSecretRef: ref }, ...over });
const fixturesSource = { fixtures: { configMapRef: ref } };
const user = {
  id: '00000000-0000-4000-8000-000000000001',
  email: 'ada@example.com',
  first_name: 'Ada',
  last_name: 'Lovelace',
  preferences: { theme: 'dark' },
  created_at: '2025-01-01T00:00:00Z',
};

describe('sql and fixtures sources', () => {
  let target: string;
  beforeAll(async () => {
    target = (await shopDatabase('seed_plain_target')).url;
  });

  it('inserts fixtures in foreign-key order, whatever order the file lists them in', async () => {
    const fixtures = {
      orders: [{ id: 1, user_id: user.id, status: 'paid', total: '12.50', placed_at: '2025-02-01T10:00:00Z' }],
      users: [user],
      products: [
        {
          id: 1,
          category_id: 1,
          sku: 'SKU-1',
          name: 'Mug',
          price: '12.50',
          stock: 3,
          tags: ['kitchen', 'gift'],
          created_at: '2025-01-01T00:00:00Z',
        },
      ],
      categories: [{ id: 1, slug: 'home', name: 'Home' }],
    };
    const report = await runSeed({ spec: spec(fixturesSource), target, fixtures });
    expect(report.totals.rows).toBe(4);
    expect(await query(target, 'SELECT tags, preferences FROM products, users')).toEqual([
      { tags: ['kitchen', 'gift'], preferences: { theme: 'dark' } },
    ]);
    // Sequences move past the loaded keys, so the application's next insert works.
    await query(target, "INSERT INTO categories (slug, name) VALUES ('garden', 'Garden')");
  });

  it('catches a dangling foreign key with the set-based check, and rolls back', async () => {
    const before = await rowCounts(target);
    const fixtures = {
      orders: [
        {
          id: 2,
          user_id: '00000000-0000-4000-8000-00000000dead',
          status: 'paid',
          total: '1.00',
          placed_at: '2025-02-01T10:00:00Z',
        },
      ],
    };
    let error: unknown;
    try {
      await runSeed({ spec: spec(fixturesSource, { reset: 'Append' }), target, fixtures });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).reason).toBe('IntegrityFailed');
    expect((error as SeedError).message).toContain('public.orders: 1 rows reference rows that do not exist');
    expect(await rowCounts(target)).toEqual(before);
  });

  it('names unknown tables and columns in fixtures', async () => {
    await expect(
      runSeed({ spec: spec(fixturesSource), target, fixtures: { nope: [{}], users: [{ ...user, shoe_size: 42 }] } }),
    ).rejects.toThrow('fixtures: table nope does not exist; fixtures: column users.shoe_size does not exist');
  });

  it('runs a SQL file in one transaction', async () => {
    await runSeed({
      spec: spec({ sql: { configMapRef: ref } }),
      target,
      sql: "INSERT INTO tags (name) VALUES ('one'), ('two');",
    });
    expect((await rowCounts(target))['public.tags']).toBe(2);
    await expect(
      runSeed({
        spec: spec({ sql: { configMapRef: ref } }),
        target,
        sql: "INSERT INTO tags (name) VALUES ('three'); INSERT INTO nope VALUES (1);",
      }),
    ).rejects.toThrow('the SQL failed and was rolled back');
    expect((await rowCounts(target))['public.tags']).toBe(2);
  });
});
