import { Client } from 'pg';
import { MAX_VALUES, queryValues } from '../../operator/controllers/loadtest/values-source';
import { createDatabase } from '../setup/postgres';
import { uniqueName } from '../support/kube';

// spec.valuesFrom's query against a real PostgreSQL: read-only whatever the
// query says, and at most MAX_VALUES rows ever leave the database (the
// operator does not hold a whole table in memory to keep its first rows).

describe('values from the seeded database', () => {
  let url: string;
  const count = async (table: string): Promise<number> => {
    const db = new Client({ connectionString: url });
    await db.connect();
    try {
      return Number((await db.query(`select count(*) as n from ${table}`)).rows[0].n);
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    url = await createDatabase(process.env.UNDERSTUDY_TEST_PG_URL!, uniqueName('lt_query').replace(/-/g, '_'));
    const db = new Client({ connectionString: url });
    await db.connect();
    await db.query(
      'create table users (id bigint primary key); insert into users select g from generate_series(1, 20) g',
    );
    await db.end();
  });

  it('reads the first column as text', async () => {
    expect(await queryValues(url, 'select id, id * 2 from users order by id limit 3')).toEqual(['1', '2', '3']);
    expect(await queryValues(url, 'select id from users order by id limit 2; -- the first two')).toEqual(['1', '2']);
  });

  it('refuses a query that ends the read-only transaction to write (commit; delete …), and writes nothing', async () => {
    await expect(queryValues(url, 'select id from users; commit; delete from users')).rejects.toThrow(
      /^must be one SELECT \(or VALUES\) statement, read in a read-only transaction: cannot insert multiple commands/,
    );
    await expect(queryValues(url, 'select 1; commit; create table stolen (x int)')).rejects.toThrow();
    expect(await count('users')).toBe(20);
    await expect(count('stolen')).rejects.toThrow(/does not exist/);
  });

  it('refuses values longer than spec.values allows, naming the row', async () => {
    await expect(queryValues(url, "select 'ok' union all select repeat('x', 5000)")).rejects.toThrow(
      'row 2 holds a value of 5000 characters, above 1024',
    );
  });

  it('refuses a plain write', async () => {
    await expect(queryValues(url, 'delete from users returning id')).rejects.toThrow();
    expect(await count('users')).toBe(20);
  });

  it(`fetches at most ${MAX_VALUES} rows: the database stops there rather than sending every row`, async () => {
    // Row MAX_VALUES + 2 divides by zero: reading every row (and slicing afterwards) fails, fetching MAX_VALUES does not.
    const values = await queryValues(
      url,
      `select case when g > ${MAX_VALUES + 1} then 1 / (g - g) else g end from generate_series(1, ${MAX_VALUES * 3}) g`,
    );
    expect(values).toHaveLength(MAX_VALUES);
    expect(values[MAX_VALUES - 1]).toBe(String(MAX_VALUES));
  });
});
