import fc from 'fast-check';
import { compareData } from './data-compare';
import type { DatabaseSchema, DatabaseStatistics, SchemaTypes, TableSchema, TableStatistics } from './model';
import { indexDefinitionWithoutName } from './postgres';
import { compareSchemas, requireSchemas } from './schema-compare';

function orders(): TableSchema {
  return {
    columns: new Map([
      ['id', { type: 'bigint', nullable: false, identity: 'd' }],
      ['customer_id', { type: 'bigint', nullable: false }],
      ['note', { type: 'text', nullable: true }],
      ['status', { type: 'text', nullable: false, default: "'new'::text" }],
    ]),
    indexes: [
      { name: 'orders_pkey', definition: 'UNIQUE ON public.orders USING btree (id)' },
      { name: 'orders_customer_idx', definition: 'ON public.orders USING btree (customer_id)' },
    ],
    constraints: [{ name: 'orders_pkey', type: 'p', definition: 'PRIMARY KEY (id)' }],
  };
}

const db = (...tables: Array<[string, TableSchema]>): DatabaseSchema => new Map(tables);

describe('schema comparison', () => {
  it('finds nothing between equal schemas', () => {
    expect(compareSchemas(db(['public.orders', orders()]), db(['public.orders', orders()]))).toEqual([]);
  });

  it('reports a dropped index with its name as a warning, a renamed one not at all', () => {
    const staging = orders();
    staging.indexes = staging.indexes.filter((i) => i.name !== 'orders_customer_idx');
    expect(compareSchemas(db(['public.orders', staging]), db(['public.orders', orders()]))).toEqual([
      expect.objectContaining({
        resource: 'Table/public.orders',
        path: 'indexes[orders_customer_idx]',
        severity: 'warning',
      }),
    ]);
    const renamed = orders();
    renamed.indexes[1] = { name: 'idx_orders_customer', definition: 'ON public.orders USING btree (customer_id)' };
    expect(compareSchemas(db(['public.orders', renamed]), db(['public.orders', orders()]))).toEqual([]);
  });

  it('reports columns, types, nullability and defaults', () => {
    const staging = orders();
    staging.columns.delete('note');
    staging.columns.set('customer_id', { type: 'integer', nullable: true });
    staging.columns.set('status', { type: 'text', nullable: false });
    const found = compareSchemas(db(['public.orders', staging]), db(['public.orders', orders()]));
    expect(found.map((f) => [f.path, f.severity])).toEqual([
      ['columns[customer_id].type', 'critical'],
      ['columns[customer_id].nullable', 'warning'],
      ['columns[note]', 'critical'],
      ['columns[status].default', 'warning'],
    ]);
  });

  it('reports missing tables, honours exclusions', () => {
    expect(compareSchemas(db(), db(['public.orders', orders()]))).toEqual([
      expect.objectContaining({ resource: 'Table/public.orders', path: '', severity: 'critical' }),
    ]);
    expect(compareSchemas(db(), db(['public.orders', orders()]), ['orders'])).toEqual([]);
  });

  it('strips index names', () => {
    expect(indexDefinitionWithoutName('CREATE UNIQUE INDEX orders_pkey ON public.orders USING btree (id)')).toBe(
      'UNIQUE ON public.orders USING btree (id)',
    );
    expect(indexDefinitionWithoutName('CREATE INDEX x ON public.t USING btree (a)')).toBe(
      'ON public.t USING btree (a)',
    );
  });
});

describe('data comparison', () => {
  const stats = (rows: number, nullFraction = 0.1, distinct = -1): DatabaseStatistics =>
    new Map([
      [
        'public.orders',
        {
          rows,
          columns: new Map([
            ['note', { nullFraction, distinct }],
            ['status', { nullFraction: 0, distinct: 4 }],
          ]),
        },
      ],
    ]);
  const options = { expectedRowRatio: 1, tolerances: { rowCount: 0.1, nullFraction: 0.05, distinct: 0.2 } };

  it('property: statistics compared with themselves give nothing', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: -1, max: 1000, noNaN: true }),
        (rows, nf, nd) => {
          const result = compareData(stats(rows, nf, nd), stats(rows, nf, nd), options);
          return result.differences.length === 0 && result.inconclusive.length === 0;
        },
      ),
    );
  });

  it('reports a halved row count against the expected ratio', () => {
    expect(compareData(stats(500), stats(1000), options).differences).toEqual([
      expect.objectContaining({ path: 'rows', staging: 500, production: 1000, severity: 'warning' }),
    ]);
    expect(compareData(stats(500), stats(1000), { ...options, expectedRowRatio: 0.5 }).differences).toEqual([]);
  });

  it('reports null fractions and distinct counts beyond tolerance', () => {
    const found = compareData(stats(1000, 0.5, -0.5), stats(1000, 0.1, -1), options).differences;
    expect(found.map((f) => [f.path, f.severity])).toEqual([
      ['columns[note].nullFraction', 'warning'],
      ['columns[note].distinct', 'info'],
    ]);
  });

  it('is inconclusive, not a pass, for tables never analysed', () => {
    const result = compareData(stats(-1), stats(1000), options);
    expect(result.differences).toEqual([]);
    expect(result.inconclusive).toEqual([
      expect.objectContaining({ resource: 'Table/public.orders', reason: expect.stringContaining('ANALYZE') }),
    ]);
  });

  const analysed = '2026-12-07T04:00:00.000Z';
  const table = (extra: Partial<TableStatistics>, rows = 1000): DatabaseStatistics => {
    const t: TableStatistics = {
      rows,
      lastAnalyzed: analysed,
      modifiedSinceAnalyze: 0,
      columns: new Map([['status', { nullFraction: 0, distinct: 4 }]]),
      ...extra,
    };
    return new Map([['public.orders', t]]);
  };

  it('finds a table halved without ANALYZE from its exact count, and says the statistics are stale', () => {
    // reltuples still says 1000: the estimate alone would find nothing.
    const staging = table({ exactRows: 500, modifiedSinceAnalyze: 500 });
    const result = compareData(staging, table({ exactRows: 1000 }), options);
    expect(result.differences).toEqual([
      expect.objectContaining({
        path: 'rows',
        staging: 500,
        production: 1000,
        message: expect.stringContaining('staging: count(*); production: count(*)'),
      }),
    ]);
    expect(result.inconclusive).toEqual([
      expect.objectContaining({
        path: 'columns',
        reason: expect.stringMatching(
          /staging statistics are stale: 500 rows modified since ANALYZE at 2026-12-07T04:00:00.000Z/,
        ),
      }),
    ]);
  });

  it('marks an estimate used for want of a count, and its staleness', () => {
    const staging = table({ countSkipped: 'count(*) took longer than 2 s', modifiedSinceAnalyze: 500 }, 1000);
    const result = compareData(staging, table({ exactRows: 2000 }, 2000), options);
    expect(result.differences).toHaveLength(1);
    expect(result.differences[0]!.message).toMatch(
      /staging: estimate from pg_class\.reltuples \(count\(\*\) took longer than 2 s\); production: count\(\*\); staging statistics are stale: 500 rows modified/,
    );
  });

  it('compares columns when statistics are fresh, and not when a side was never analysed', () => {
    expect(
      compareData(table({ exactRows: 1000, modifiedSinceAnalyze: 100 }), table({ exactRows: 1000 }), options),
    ).toEqual({ differences: [], inconclusive: [] });
    const never = compareData(
      table({ exactRows: 1000, lastAnalyzed: null, rows: -1 }),
      table({ exactRows: 1000 }),
      options,
    );
    expect(never.differences).toEqual([]);
    expect(never.inconclusive).toEqual([
      expect.objectContaining({ path: 'columns', reason: expect.stringContaining('staging was never analysed') }),
    ]);
  });

  it('compares columns of a table whose count agrees with its statistics, naming the modifications in findings', () => {
    const staging = table({
      exactRows: 1000,
      modifiedSinceAnalyze: 900,
      columns: new Map([['status', { nullFraction: 0.5, distinct: 4 }]]),
    });
    const result = compareData(staging, table({ exactRows: 1000 }), options);
    expect(result.inconclusive).toEqual([]);
    expect(result.differences).toEqual([
      expect.objectContaining({
        path: 'columns[status].nullFraction',
        message: expect.stringContaining('staging statistics are suspect: 900 rows modified since ANALYZE'),
      }),
    ]);
  });

  it('reports a table staging lacks, and refuses a listed table that is not there', () => {
    const none: DatabaseStatistics = new Map();
    expect(compareData(none, stats(1000), options).differences).toEqual([
      expect.objectContaining({
        resource: 'Table/public.orders',
        path: 'rows',
        production: 1000,
        severity: 'critical',
      }),
    ]);
    expect(() => compareData(stats(1000), stats(1000), { ...options, tables: ['orders', 'ordres'] })).toThrow(
      'spec.categories.data.tables[1]: no table "ordres" in the production database',
    );
    expect(() => compareData(none, stats(1000), { ...options, tables: ['orders'] })).toThrow(
      'spec.categories.data.tables[0]: no table "orders" in the staging database',
    );
  });

  it('names the credentials, not ANALYZE, when a side may not read a table (pg_stats hides its columns)', () => {
    const hidden: DatabaseStatistics = new Map([
      ['public.orders', { rows: 1000, exactRows: 1000, columns: new Map(), readable: false }],
    ]);
    const result = compareData(hidden, stats(1000), options);
    expect(result.inconclusive).toEqual([
      expect.objectContaining({
        path: 'columns',
        reason: expect.stringContaining('the staging credentials may not SELECT from it'),
      }),
    ]);
    const unanalysed = compareData(
      stats(1000),
      new Map([['public.orders', { rows: 1000, columns: new Map() }]]),
      options,
    );
    expect(unanalysed.inconclusive[0]!.reason).toMatch(/no column statistics in production: run ANALYZE/);
  });

  it('is inconclusive, not in parity, when no table exists on both sides', () => {
    expect(compareData(new Map(), new Map(), options)).toEqual({
      differences: [],
      inconclusive: [
        expect.objectContaining({ resource: 'Database', reason: expect.stringContaining('nothing to compare') }),
      ],
    });
  });
});

describe('compared schemas', () => {
  const types = (): SchemaTypes => ({ enums: new Map(), domains: new Map(), sequences: new Map() });
  it('refuses a schema production has nothing in (a typo would compare nothing with nothing)', () => {
    expect(() => requireSchemas(['public', 'pubic'], db(['public.orders', orders()]), types())).toThrow(
      'spec.categories.schema.schemas[1]: no table, enum, domain or sequence in schema "pubic" of the production database',
    );
    const onlyTypes = types();
    onlyTypes.enums.set('billing.currency', ['EUR']);
    expect(() => requireSchemas(['public', 'billing'], db(['public.orders', orders()]), onlyTypes)).not.toThrow();
  });
});
