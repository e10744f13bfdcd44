import fc from 'fast-check';
import { GOLDEN_NAME_MAX, GoldenSchema } from '../api/dataseed';
import { MAX_IDENTIFIER_BYTES, quoteIdent } from '../infrastructure/postgres/sql';
import { SeedError } from './errors';
import {
  createNext,
  databaseOfUrl,
  databaseUrl,
  dropNext,
  dropOld,
  goldenNameProblem,
  goldenNames,
  markNext,
  retryWaitsMs,
  swapPlan,
} from './golden';

describe('golden names', () => {
  it('derives _next and _old, both valid identifiers', () => {
    expect(goldenNames('golden_shop')).toEqual({
      live: 'golden_shop',
      next: 'golden_shop_next',
      old: 'golden_shop_old',
    });
    const longest = goldenNames('g'.repeat(GOLDEN_NAME_MAX));
    expect(Buffer.byteLength(longest.next)).toBe(MAX_IDENTIFIER_BYTES);
    expect(() => quoteIdent(longest.next)).not.toThrow();
  });

  it.each([
    ['', 'lower-case'],
    ['Golden', 'lower-case'],
    ['9golden', 'not starting with a digit'],
    ['golden"; DROP DATABASE postgres; --', 'lower-case'],
    ['gölden', 'lower-case'],
    ['g'.repeat(GOLDEN_NAME_MAX + 1), 'longer than 58'],
    ['template1', 'PostgreSQL itself needs'],
    ['postgres', 'PostgreSQL itself needs'],
  ])('refuses %j, naming spec.golden.database', (name, why) => {
    let error: unknown;
    try {
      goldenNames(name);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).reason).toBe('InvalidSpec');
    expect((error as SeedError).message).toContain('spec.golden.database');
    expect((error as SeedError).message).toContain(why);
  });

  it('accepts exactly what the API accepts, and every accepted name makes quotable suffixed names (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 70 }), fc.stringMatching(/^[a-z_][a-z0-9_]{0,60}$/)), (name) => {
        const accepted = goldenNameProblem(name) === undefined;
        expect(GoldenSchema.safeParse({ database: name }).success).toBe(accepted);
        if (!accepted) return;
        const names = goldenNames(name);
        for (const n of [names.next, names.old]) expect(Buffer.byteLength(n)).toBeLessThanOrEqual(MAX_IDENTIFIER_BYTES);
        // A name that needs no quoting appears verbatim inside its quotes: nothing of it is SQL.
        expect(createNext(names, 'schema')).toBe(`CREATE DATABASE "${name}_next" TEMPLATE "schema" STRATEGY FILE_COPY`);
      }),
    );
  });
});

describe('statements', () => {
  const names = goldenNames('golden_shop');

  it('forces only _next, never the golden or the old one', () => {
    expect(dropNext(names)).toBe('DROP DATABASE IF EXISTS "golden_shop_next" WITH (FORCE)');
    expect(dropOld(names)).toBe('DROP DATABASE IF EXISTS "golden_shop_old"');
    for (const step of swapPlan(names, true)) expect(step.sql).not.toContain('FORCE');
  });

  it("marks _next as this golden's refresh copy (the marker survives the renames)", () => {
    expect(markNext(names)).toBe(`COMMENT ON DATABASE "golden_shop_next" IS 'understudy:golden:golden_shop'`);
  });

  it('quotes a hostile schema database name from the target URL', () => {
    expect(createNext(names, 'sch"ema')).toBe(
      'CREATE DATABASE "golden_shop_next" TEMPLATE "sch""ema" STRATEGY FILE_COPY',
    );
  });
});

describe('swapPlan', () => {
  const names = goldenNames('golden_shop');

  it('on the first refresh marks _next a template and renames it to the golden', () => {
    expect(swapPlan(names, false).map((s) => [s.phase, s.sql])).toEqual([
      ['swap', 'ALTER DATABASE "golden_shop_next" IS_TEMPLATE true'],
      ['swap', 'ALTER DATABASE "golden_shop_next" RENAME TO "golden_shop"'],
    ]);
  });

  it('later: marks, two renames (the first undoable), then unmarks and drops the old golden', () => {
    const plan = swapPlan(names, true);
    expect(plan.map((s) => [s.phase, s.sql])).toEqual([
      ['swap', 'ALTER DATABASE "golden_shop_next" IS_TEMPLATE true'],
      ['swap', 'ALTER DATABASE "golden_shop" RENAME TO "golden_shop_old"'],
      ['swap', 'ALTER DATABASE "golden_shop_next" RENAME TO "golden_shop"'],
      ['cleanup', 'ALTER DATABASE "golden_shop_old" IS_TEMPLATE false'],
      ['cleanup', 'DROP DATABASE IF EXISTS "golden_shop_old"'],
    ]);
    expect(plan[1]!.undo).toBe('ALTER DATABASE "golden_shop_old" RENAME TO "golden_shop"');
    // The golden's name is free for as short as possible: nothing runs between the two renames.
    expect(plan.findIndex((s) => s.sql.endsWith('RENAME TO "golden_shop"'))).toBe(2);
  });
});

describe('retryWaitsMs', () => {
  it('doubles up to the cap, one wait fewer than attempts', () => {
    expect(retryWaitsMs(6, 100, 1_000)).toEqual([100, 200, 400, 800, 1_000]);
    expect(retryWaitsMs(1, 100, 1_000)).toEqual([]);
    expect(retryWaitsMs(0, 100, 1_000)).toEqual([]);
  });
});

describe('databaseUrl', () => {
  it('keeps server, role, password and parameters, and replaces only the database (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), (database) => {
        const base = 'postgresql://seed%40er:p%2Fw@db.example:5433/schema_db?sslmode=require';
        if (database === '.' || database === '..') {
          expect(() => databaseUrl(base, database)).toThrow('cannot be put in a URL');
          return;
        }
        const url = databaseUrl(base, database);
        expect(databaseOfUrl(url)).toBe(database);
        const parsed = new URL(url);
        expect([parsed.username, parsed.password, parsed.host, parsed.search]).toEqual([
          'seed%40er',
          'p%2Fw',
          'db.example:5433',
          '?sslmode=require',
        ]);
      }),
    );
    expect(databaseOfUrl('postgresql://u@h/')).toBeUndefined();
    // What fast-check once drew: a URL would have dropped the name and connected to the role's default database.
    expect(() => databaseUrl('postgresql://u@h/db', '.')).toThrow('cannot be put in a URL');
  });
});
