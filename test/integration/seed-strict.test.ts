import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { SeedError } from '../../operator/seed/errors';
import { runSeed } from '../../operator/seed/run';
import { loadShop, query, shopDatabase, tableDigests } from '../support/shop-db';

jest.setTimeout(180_000);

const RULES = parse(readFileSync(join(__dirname, '../../examples/shop/db/rules.yaml'), 'utf8')).rules;
const KEY = Buffer.from('strict-key-0123456789abcdef0123');
const ref = { name: 'unused', key: 'unused' };
const anonymize = (over: Partial<DataSeedSpecInput> = {}) =>
  DataSeedSpecSchema.parse({
    baselineRef: { name: 'production' },
    source: { anonymize: { from: { database: 'production' }, key: { secretKeyRef: ref } } },
    target: { urlSecretRef: ref },
    rules: RULES,
    ...over,
  });
const synthesize = () =>
  DataSeedSpecSchema.parse({
    baselineRef: { name: 'production' },
    source: { synthesize: { profile: { fromBaseline: { database: 'production' } } } },
    target: { urlSecretRef: ref },
    rules: RULES,
  });

async function failure(p: Promise<unknown>): Promise<SeedError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SeedError) return err;
    throw err;
  }
  throw new Error('the seed succeeded but should have failed');
}

describe('safety before writing', () => {
  let production: string;
  let target: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    production = (await shopDatabase('seed_strict_prod', 300)).url;
    // Production gains a personal column nobody wrote a rule for; staging runs the same migration.
    await query(
      production,
      "ALTER TABLE users ADD COLUMN ssn text; UPDATE users SET ssn = lpad((random() * 999999999)::int::text, 9, '0')",
    );
    target = (await shopDatabase('seed_strict_target')).url;
    await loadShop(target, { users: 50, seed: 9 }, { createSchema: false });
    await query(target, 'ALTER TABLE users ADD COLUMN ssn text');
    before = await tableDigests(target);
  });

  it('fails an anonymize naming the column without a rule, and leaves the target as it was', async () => {
    const err = await failure(runSeed({ spec: anonymize(), source: production, target, key: KEY }));
    expect(err.reason).toBe('UncoveredColumns');
    expect(err.message).toContain('public.users.ssn');
    expect(err.message).toContain('suggested transform: digits');
    expect(await tableDigests(target)).toEqual(before);
  });

  it('fails a synthesize the same way', async () => {
    const err = await failure(runSeed({ spec: synthesize(), source: production, target }));
    expect(err.reason).toBe('UncoveredColumns');
    expect(err.message).toMatch(/1 column\(s\) have no rule: public\.users\.ssn/);
    expect(await tableDigests(target)).toEqual(before);
  });

  it('checks rules against CHECK constraints on a sample before writing', async () => {
    const bad = [
      ...RULES,
      { table: 'users', column: 'ssn', transform: 'digits' },
      { table: 'products', column: 'price', transform: 'constant', params: { value: '-1' } },
    ];
    const err = await failure(runSeed({ spec: anonymize({ rules: bad }), source: production, target, key: KEY }));
    expect(err.reason).toBe('RuleConflict');
    expect(err.message).toContain('products_price_check');
    expect(await tableDigests(target)).toEqual(before);
  });

  it('rolls everything back when a write fails halfway (one transaction)', async () => {
    await query(
      target,
      `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'payments are frozen'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION refuse()`,
    );
    try {
      const rules = [...RULES, { table: 'users', column: 'ssn', transform: 'digits' }];
      const err = await failure(
        runSeed({
          spec: anonymize({ rules, parallelism: 1, foreignKeyChecks: 'PerRow' }),
          source: production,
          target,
          key: KEY,
        }),
      );
      expect(err.reason).toBe('WriteFailed');
      expect(err.message).toContain('public.payments');
      expect(err.message).toContain('payments are frozen');
      expect(await tableDigests(target)).toEqual(before);
    } finally {
      await query(target, 'DROP TRIGGER refuse ON payments; DROP FUNCTION refuse()');
    }
  });

  it('rolls back a failed seed with parallelism > 1 too, and marks the failure in the target', async () => {
    await query(
      target,
      `CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'payments are frozen'; END $$;
      CREATE TRIGGER refuse BEFORE INSERT ON payments FOR EACH ROW EXECUTE FUNCTION refuse()`,
    );
    try {
      const rules = [...RULES, { table: 'users', column: 'ssn', transform: 'digits' }];
      const err = await failure(
        runSeed({
          spec: anonymize({ rules, parallelism: 3, foreignKeyChecks: 'PerRow' }),
          source: production,
          target,
          key: KEY,
        }),
      );
      expect(err.targetTouched).toBe(false);
      expect(await tableDigests(target)).toEqual(before);
      const [run] = await query<{ status: string; message: string }>(
        target,
        'SELECT status, message FROM understudy.seed_runs ORDER BY id DESC LIMIT 1',
      );
      expect(run).toMatchObject({ status: 'Failed' });
      expect(run!.message).toContain('payments are frozen');
      expect(run!.message).toContain('rolled back');
    } finally {
      await query(target, 'DROP TRIGGER refuse ON payments; DROP FUNCTION refuse()');
    }
  });
});
