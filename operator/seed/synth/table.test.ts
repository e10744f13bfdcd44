import fc from 'fast-check';
import { DEFAULT_THRESHOLDS, fanOutFidelity, fanOutGranularity, profileCdf } from '../fidelity';
import { SeededHash } from '../keyed';
import type { FanOut, TableInfo, TableProfile } from '../model';
import type { ColumnPlan } from '../rules';
import { indexedValue } from './keys';
import { Rng } from './rng';
import { column } from '../testing/schema';
import { statsSampler } from './samplers';
import { allocateChildren, synthesizeTable, type SynthWorld, treeParents } from './table';
import { quotaCounts } from '../fan-out';

// The synthesis samplers against the default fidelity thresholds, over random
// fan-outs, null fractions and scales: what the seed's own report would check.

const col = column;

/** The fan-out a list of per-parent counts has, as the profile would store it. */
function fanOutOf(counts: ArrayLike<number>): FanOut {
  const m = new Map<number, number>();
  for (let i = 0; i < counts.length; i++) m.set(counts[i]!, (m.get(counts[i]!) ?? 0) + 1);
  return { parentRows: counts.length, buckets: [...m].sort((a, b) => a[0] - b[0]) };
}

/** Production: parents with integer weights per child count. */
const productionFanOut = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 60 })), { minLength: 1, maxLength: 12 })
  .map((pairs): FanOut => {
    const m = new Map<number, number>();
    for (const [n, w] of pairs) m.set(n, (m.get(n) ?? 0) + w);
    const buckets = [...m].sort((a, b) => a[0] - b[0]);
    return { parentRows: buckets.reduce((s, [, w]) => s + w, 0), buckets };
  })
  .filter((f) => f.buckets.some(([n]) => n > 0));

const children = (f: FanOut): number => f.buckets.reduce((s, [n, w]) => s + n * w, 0);

describe('allocateChildren keeps the count distribution at every scale', () => {
  it('gives exactly as many childless parents as production has, in proportion (the 20-doctor case)', () => {
    // Production: 38 parents with 500 children, 2 with none; at scale 0.5, 20 parents and 9,500 children.
    for (let seed = 0; seed < 30; seed++) {
      const counts = allocateChildren(
        20,
        9500,
        {
          parentRows: 40,
          buckets: [
            [0, 2],
            [500, 38],
          ],
        },
        Number.MAX_SAFE_INTEGER,
        new Rng(seed),
      );
      expect(fanOutOf(counts).buckets).toEqual([
        [0, 1],
        [500, 19],
      ]);
    }
  });

  it('passes the default fan-out threshold for random production fan-outs and scales', () => {
    fc.assert(
      fc.property(
        productionFanOut,
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.integer(),
        (prod, ratio, seed) => {
          const parents = Math.max(1, Math.round(prod.parentRows * ratio));
          const total = Math.round(children(prod) * ratio);
          const counts = allocateChildren(parents, total, prod, Number.MAX_SAFE_INTEGER, new Rng(seed));
          expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
          const distance = fanOutFidelity(prod, fanOutOf(counts));
          expect(distance).toBeLessThanOrEqual(
            DEFAULT_THRESHOLDS.maxFanOutKolmogorovSmirnov + fanOutGranularity(parents),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  // Its speed (one pass, no buckets × parents loop) is bench/seed.ts's to measure, not a timed test's.
  it('allocates a million parents over 200 buckets, every child placed', () => {
    const buckets = Array.from({ length: 200 }, (_, i) => [i, 1 + (i % 7)] as [number, number]);
    const counts = allocateChildren(
      1_000_000,
      97_000_000,
      { parentRows: 800, buckets },
      Number.MAX_SAFE_INTEGER,
      new Rng(3),
    );
    expect(counts).toHaveLength(1_000_000);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(97_000_000);
  });

  it("keeps most parents childless when too few parents leave production's parents with children no quota", () => {
    // What fast-check drew: 90% of 30 childless, scaled to 2 parents and 2 children. Both used to get one child.
    const counts = allocateChildren(
      2,
      2,
      {
        parentRows: 30,
        buckets: [
          [0, 27],
          [10, 3],
        ],
      },
      Number.MAX_SAFE_INTEGER,
      new Rng(0),
    );
    expect([...counts].sort()).toEqual([0, 2]);
  });

  it('does not make the one-child parents childless to pay for a large count the quotas rounded up', () => {
    // What fast-check drew: 48 of 50 parents with one child, 2 with eleven; 14 parents and 20 children. The quotas give
    // one parent eleven, the scale falls below 1, and every one-child parent used to round down to none.
    const fan = {
      parentRows: 50,
      buckets: [
        [1, 48],
        [11, 2],
      ] as Array<[number, number]>,
    };
    const counts = allocateChildren(14, 20, fan, Number.MAX_SAFE_INTEGER, new Rng(0));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(20);
    expect([...counts].filter((n) => n === 0)).toEqual([]);
  });

  it('keeps the childless share within one parent whatever the scale', () => {
    fc.assert(
      fc.property(
        productionFanOut,
        fc.double({ min: 0.05, max: 3, noNaN: true }),
        fc.integer(),
        (prod, ratio, seed) => {
          const parents = Math.max(1, Math.round(prod.parentRows * ratio));
          const total = Math.round(children(prod) * ratio);
          const counts = allocateChildren(parents, total, prod, Number.MAX_SAFE_INTEGER, new Rng(seed));
          const zeros = Array.from(counts).filter((n) => n === 0).length;
          const share = (prod.buckets.find(([n]) => n === 0)?.[1] ?? 0) / prod.parentRows;
          // Rounding down a small count to zero can add childless parents only when children per parent shrink.
          if (total >= parents * 0.999 * (children(prod) / prod.parentRows))
            expect(Math.abs(zeros - share * parents)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('trees (a foreign key into its own table)', () => {
  it("give each row an earlier parent and keep production's children per row", () => {
    fc.assert(
      fc.property(
        productionFanOut,
        fc.double({ min: 0.05, max: 0.5, noNaN: true }),
        fc.integer({ min: 20, max: 400 }),
        fc.integer(),
        (prod, rootShare, rows, seed) => {
          const roots = Math.max(1, Math.round(rows * rootShare));
          // Production's tree: as many children as non-root rows.
          const fan: FanOut = { parentRows: rows, buckets: quotaCounts(prod, rows) };
          const parentOf = treeParents(rows, roots, fan, new Rng(seed));
          const children = new Array(rows).fill(0);
          let fallbacks = 0;
          for (let i = roots; i < rows; i++) {
            const p = parentOf(i);
            if (p === undefined) fallbacks += 1;
            else {
              expect(p).toBeLessThan(i);
              children[p] += 1;
            }
          }
          if (fallbacks === 0)
            expect(fanOutFidelity(fan, fanOutOf(children))).toBeLessThanOrEqual(
              DEFAULT_THRESHOLDS.maxFanOutKolmogorovSmirnov + fanOutGranularity(rows),
            );
        },
      ),
      { numRuns: 200 },
    );
  });
});

const parentTable: TableInfo = {
  schema: 'public',
  name: 'doctors',
  columns: [col('id', 'int8', { notNull: true })],
  primaryKey: ['id'],
  uniques: [],
  foreignKeys: [],
  checks: [],
};

function childTable(fkNullable: boolean): TableInfo {
  return {
    schema: 'public',
    name: 'patients',
    columns: [
      col('id', 'int8', { notNull: true }),
      col('doctor_id', 'int8', { notNull: !fkNullable }),
      col('member_ref', 'text'),
      col('score', 'float'),
    ],
    primaryKey: ['id'],
    uniques: [['member_ref']],
    foreignKeys: [
      { name: 'patients_doctor_id_fkey', columns: ['doctor_id'], refTable: 'public.doctors', refColumns: ['id'] },
    ],
    checks: [],
  };
}

function world(rows: Record<string, number>, tables: TableInfo[], seed: number): SynthWorld {
  const keyed = new SeededHash(seed);
  return {
    seed,
    keyed,
    rowsOf: (id) => rows[id] ?? 0,
    deferred: new Set(),
    keyOf: (id, column) => {
      const info = tables.find((t) => `${t.schema}.${t.name}` === id)!.columns.find((c) => c.name === column)!;
      return indexedValue({ tableId: id, column: info, profile: undefined, spec: undefined, keyed });
    },
  };
}

const plansOf = (table: TableInfo): ColumnPlan[] =>
  table.columns.map((column) => ({
    column,
    spec: { transform: 'keep' },
    coverage: 'safe',
    unique: table.primaryKey.includes(column.name) || table.uniques.flat().includes(column.name),
  }));

describe('synthesizeTable against the default thresholds', () => {
  it('draws NULLs in a nullable UNIQUE column: production 10% null gives 10% null', () => {
    const child = childTable(false);
    const profile: TableProfile = {
      rows: 2000,
      columns: { member_ref: { nullFrac: 0.1, nDistinct: -0.9, avgWidth: 12 } },
      fanOut: {},
    };
    const rows = [
      ...synthesizeTable(
        { table: child, rows: 2000, plans: plansOf(child), profile },
        world({ 'public.doctors': 20, 'public.patients': 2000 }, [parentTable, child], 1),
        500,
      ),
    ].flat();
    const at = child.columns.findIndex((c) => c.name === 'member_ref');
    const values = rows.map((r) => r[at]);
    expect(values.filter((v) => v === null).length / rows.length).toBeCloseTo(0.1, 2);
    const present = values.filter((v) => v !== null);
    expect(new Set(present).size).toBe(present.length);
  });

  it('meets null-fraction, KS, row-count and fan-out thresholds over random profiles and scales', () => {
    fc.assert(
      fc.property(
        productionFanOut,
        fc.double({ min: 0.2, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.double({ min: 0, max: 0.6, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (prod, ratio, uniqueNulls, scoreNulls, fkNullable, seed) => {
          // At least a few hundred children, so sample noise stays well under the thresholds.
          const boost = Math.max(1, Math.ceil(400 / Math.max(1, children(prod) * ratio)));
          const fan: FanOut = {
            parentRows: prod.parentRows * boost,
            buckets: prod.buckets.map(([n, w]) => [n, w * boost]),
          };
          const parents = Math.max(1, Math.round(fan.parentRows * ratio));
          const fkNulls = fkNullable ? 0.05 : 0;
          const wanted = Math.round((children(fan) / (1 - fkNulls)) * ratio);
          const child = childTable(fkNullable);
          const bounds = Array.from({ length: 21 }, (_, i) => String(i * i));
          const profile: TableProfile = {
            rows: wanted,
            columns: {
              doctor_id: { nullFrac: fkNulls, nDistinct: -0.5, avgWidth: 8 },
              member_ref: { nullFrac: uniqueNulls, nDistinct: -1 + uniqueNulls, avgWidth: 12 },
              score: { nullFrac: scoreNulls, nDistinct: -1, avgWidth: 8, histogram: bounds },
            },
            fanOut: { patients_doctor_id_fkey: fan },
          };
          const w = world({ 'public.doctors': parents, 'public.patients': wanted }, [parentTable, child], seed);
          const rows = [
            ...synthesizeTable({ table: child, rows: wanted, plans: plansOf(child), profile }, w, 1000),
          ].flat();
          expect(rows.length).toBe(wanted);
          const index = (name: string): number => child.columns.findIndex((c) => c.name === name);
          const nullShare = (name: string): number => rows.filter((r) => r[index(name)] === null).length / rows.length;
          for (const [name, p] of [
            ['member_ref', uniqueNulls],
            ['score', scoreNulls],
            ['doctor_id', fkNulls],
          ] as const) {
            expect({ name, delta: Math.abs(nullShare(name) - p) <= DEFAULT_THRESHOLDS.maxNullFractionDelta }).toEqual({
              name,
              delta: true,
            });
          }
          // Fan-out: children per parent, the childless included.
          const perParent = new Map<string, number>();
          for (const r of rows)
            if (r[index('doctor_id')] !== null)
              perParent.set(r[index('doctor_id')]!, (perParent.get(r[index('doctor_id')]!) ?? 0) + 1);
          const counts = [...perParent.values(), ...new Array(parents - perParent.size).fill(0)];
          expect(fanOutFidelity(fan, fanOutOf(counts))).toBeLessThanOrEqual(
            DEFAULT_THRESHOLDS.maxFanOutKolmogorovSmirnov + fanOutGranularity(parents),
          );
          // Marginal of a numeric column against the profile's CDF (exact one-sample KS).
          const cdf = profileCdf(col('score', 'float'), profile.columns.score!)!;
          const xs = rows
            .map((r) => r[index('score')])
            .filter((v): v is string => v !== null)
            .map(Number)
            .sort((a, b) => a - b);
          let ks = 0;
          xs.forEach((x, i) => {
            ks = Math.max(ks, Math.abs(cdf(x, true) - (i + 1) / xs.length), Math.abs(cdf(x, false) - i / xs.length));
          });
          if (xs.length >= 200) expect(ks).toBeLessThanOrEqual(DEFAULT_THRESHOLDS.maxKolmogorovSmirnov);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("stratified sampling of production's marginals", () => {
  it("gives a few rows production's category shares, not independent draws (TV within the default)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 60 }), fc.integer(), (n, seed) => {
        const sample = statsSampler(
          col('ward', 'text'),
          {
            nullFrac: 0,
            nDistinct: 3,
            avgWidth: 5,
            mostCommon: { values: ['north', 'south', 'east'], freqs: [0.35, 0.325, 0.325] },
          },
          n,
        );
        const rng = new Rng(seed);
        const got = new Map<string, number>();
        for (let i = 0; i < n; i++) {
          const v = sample(rng);
          got.set(v, (got.get(v) ?? 0) + 1);
        }
        const tv =
          ['north', 'south', 'east'].reduce(
            (s, v, i) => s + Math.abs((got.get(v) ?? 0) / n - [0.35, 0.325, 0.325][i]!),
            0,
          ) / 2;
        // Each share is off by less than one row: within the default plus the one row the report allows.
        expect(tv).toBeLessThanOrEqual(1.5 / n + 1e-9);
        expect(tv).toBeLessThanOrEqual(DEFAULT_THRESHOLDS.maxTotalVariation + 1 / n);
      }),
    );
  });
});

describe('a table with two foreign keys (one drives generation, the other draws from an urn)', () => {
  const clinics: TableInfo = {
    schema: 'public',
    name: 'clinics',
    columns: [col('id', 'int8', { notNull: true })],
    primaryKey: ['id'],
    uniques: [],
    foreignKeys: [],
    checks: [],
  };
  const visits = (clinicNullable: boolean): TableInfo => ({
    schema: 'public',
    name: 'visits',
    columns: [
      col('id', 'int8', { notNull: true }),
      col('doctor_id', 'int8', { notNull: true }),
      col('clinic_id', 'int8', { notNull: !clinicNullable }),
    ],
    primaryKey: ['id'],
    uniques: [],
    foreignKeys: [
      { name: 'visits_doctor_id_fkey', columns: ['doctor_id'], refTable: 'public.doctors', refColumns: ['id'] },
      { name: 'visits_clinic_id_fkey', columns: ['clinic_id'], refTable: 'public.clinics', refColumns: ['id'] },
    ],
    checks: [],
  });

  it("keeps both fan-outs and the nullable key's nulls at random scales", () => {
    fc.assert(
      fc.property(
        productionFanOut,
        productionFanOut,
        fc.double({ min: 0.2, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.integer(),
        (byDoctor, byClinic, ratio, clinicNulls, seed) => {
          // Production: one visit count, seen from both parents; the clinic side scaled to the same number of visits.
          const visitsProd = children(byDoctor);
          const clinicFan: FanOut = { parentRows: byClinic.parentRows, buckets: byClinic.buckets };
          const doctors = Math.max(1, Math.round(byDoctor.parentRows * ratio));
          const rows = Math.max(1, Math.round(visitsProd * ratio));
          const clinicRows = Math.max(1, Math.round(byClinic.parentRows * ratio));
          const table = visits(clinicNulls > 0);
          const profile: TableProfile = {
            rows,
            columns: { clinic_id: { nullFrac: clinicNulls, nDistinct: -0.5, avgWidth: 8 } },
            fanOut: { visits_doctor_id_fkey: byDoctor, visits_clinic_id_fkey: clinicFan },
          };
          const w = world(
            { 'public.doctors': doctors, 'public.clinics': clinicRows, 'public.visits': rows },
            [parentTable, clinics, table],
            seed,
          );
          const out = [...synthesizeTable({ table, rows, plans: plansOf(table), profile }, w, 1000)].flat();
          expect(out.length).toBe(rows);
          const fanOf = (at: number, parents: number): FanOut => {
            const per = new Map<string, number>();
            for (const r of out) if (r[at] !== null) per.set(r[at]!, (per.get(r[at]!) ?? 0) + 1);
            return fanOutOf([...per.values(), ...new Array(Math.max(0, parents - per.size)).fill(0)]);
          };
          expect(fanOutFidelity(byDoctor, fanOf(1, doctors))).toBeLessThanOrEqual(
            DEFAULT_THRESHOLDS.maxFanOutKolmogorovSmirnov + fanOutGranularity(doctors),
          );
          expect(fanOutFidelity(clinicFan, fanOf(2, clinicRows))).toBeLessThanOrEqual(
            DEFAULT_THRESHOLDS.maxFanOutKolmogorovSmirnov + fanOutGranularity(clinicRows),
          );
          const nulls = out.filter((r) => r[2] === null).length / rows;
          expect(Math.abs(nulls - (clinicNulls > 0 ? clinicNulls : 0))).toBeLessThanOrEqual(
            DEFAULT_THRESHOLDS.maxNullFractionDelta + 1 / rows,
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("personal columns follow production's aggregates", () => {
  it("draws dates of birth over production's range (1940-2019), not ages 18 to 88", () => {
    const people: TableInfo = {
      schema: 'public',
      name: 'people',
      columns: [col('id', 'int8', { notNull: true }), col('born', 'date')],
      primaryKey: ['id'],
      uniques: [],
      foreignKeys: [],
      checks: [],
    };
    const plans: ColumnPlan[] = [
      { column: people.columns[0]!, spec: { transform: 'keep' }, coverage: 'key', unique: true },
      {
        column: people.columns[1]!,
        spec: { transform: 'dateShift', params: { days: 180 } },
        coverage: 'generatedFake',
        personal: 'dateOfBirth',
        unique: false,
      },
    ];
    const profile: TableProfile = {
      rows: 2000,
      columns: {
        born: {
          nullFrac: 0,
          nDistinct: -1,
          avgWidth: 4,
          personal: 'dateOfBirth',
          range: { min: '1940-01-01', max: '2019-12-31' },
        },
      },
      fanOut: {},
    };
    const rows = [
      ...synthesizeTable(
        { table: people, rows: 2000, plans, profile },
        world({ 'public.people': 2000 }, [people], 5),
        500,
      ),
    ].flat();
    const years = rows.map((r) => Number(r[1]!.slice(0, 4))).sort((a, b) => a - b);
    expect(years[0]).toBeLessThan(1945);
    expect(years.at(-1)).toBeGreaterThan(2014);
    expect(years[0]).toBeGreaterThanOrEqual(1939);
    expect(years.at(-1)).toBeLessThanOrEqual(2020);
  });
});
