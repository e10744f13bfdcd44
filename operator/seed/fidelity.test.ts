import fc from 'fast-check';
import {
  compareProfiles,
  DEFAULT_THRESHOLDS,
  fanOutDistance,
  kolmogorovSmirnov,
  profileCdf,
  rangeOverlap,
  thresholdsWith,
  totalVariation,
} from './fidelity';
import type { ColumnInfo, ColumnProfile, Profile } from './model';

const numeric: ColumnInfo = {
  name: 'price',
  type: 'numeric',
  baseType: 'numeric',
  isArray: false,
  notNull: true,
  hasDefault: false,
  generated: false,
};
const uniform = (lo: number, hi: number, buckets = 10): ColumnProfile => ({
  nullFrac: 0,
  nDistinct: -1,
  avgWidth: 8,
  histogram: Array.from({ length: buckets + 1 }, (_, i) => String(lo + ((hi - lo) * i) / buckets)),
});

describe('fidelity metrics from profiles', () => {
  it('KS is 0 for one distribution and 1 for disjoint ones', () => {
    expect(kolmogorovSmirnov(numeric, uniform(0, 10), uniform(0, 10))).toBe(0);
    expect(kolmogorovSmirnov(numeric, uniform(0, 10), uniform(20, 30))).toBe(1);
  });

  it('KS of two uniforms shifted by a fraction of their width is that fraction', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.9, noNaN: true }), (shift) => {
        expect(kolmogorovSmirnov(numeric, uniform(0, 1, 20), uniform(shift, 1 + shift, 20))).toBeCloseTo(shift, 6);
      }),
    );
  });

  it('counts most common values as point masses, normalised over non-null values', () => {
    const p: ColumnProfile = {
      nullFrac: 0.5,
      nDistinct: 2,
      avgWidth: 4,
      mostCommon: { values: ['1', '2'], freqs: [0.25, 0.25] },
    };
    const cdf = profileCdf(numeric, p)!;
    expect(cdf(1, true)).toBeCloseTo(0.5);
    expect(cdf(1, false)).toBe(0);
    expect(cdf(2, true)).toBeCloseTo(1);
  });

  it('total variation compares categories, pooling the uncommon ones', () => {
    const a: ColumnProfile = {
      nullFrac: 0,
      nDistinct: 3,
      avgWidth: 4,
      mostCommon: { values: ['paid', 'shipped'], freqs: [0.6, 0.4] },
    };
    const b: ColumnProfile = {
      nullFrac: 0,
      nDistinct: 3,
      avgWidth: 4,
      mostCommon: { values: ['paid', 'shipped'], freqs: [0.4, 0.6] },
    };
    expect(totalVariation(a, a)).toBe(0);
    expect(totalVariation(a, b)).toBeCloseTo(0.2);
  });

  it('compares fan-out distributions', () => {
    expect(
      fanOutDistance(
        {
          parentRows: 10,
          buckets: [
            [0, 5],
            [2, 5],
          ],
        },
        {
          parentRows: 20,
          buckets: [
            [0, 10],
            [2, 10],
          ],
        },
      ),
    ).toBe(0);
    expect(fanOutDistance({ parentRows: 10, buckets: [[1, 10]] }, { parentRows: 10, buckets: [[3, 10]] })).toBe(1);
  });
});

describe('fidelity thresholds', () => {
  const table = {
    schema: 'public',
    name: 't',
    columns: [numeric, { ...numeric, name: 'qty' }],
    primaryKey: [],
    uniques: [],
    foreignKeys: [],
    checks: [],
  };
  const profileOf = (rows: number, price: ColumnProfile, qty: ColumnProfile): Profile => ({
    kind: 'understudy.dev/profile',
    version: 1,
    capturedAt: '',
    database: 'd',
    schema: { tables: [table] },
    tables: { 'public.t': { rows, columns: { price, qty }, fanOut: {} } },
  });
  const clean = { foreignKeyOrphans: 0, uniqueViolations: 0, details: [] };

  it('checks every default when the spec sets none: a 10-point null-fraction gap fails', () => {
    const source = profileOf(1000, { ...uniform(0, 10), nullFrac: 0.1 }, uniform(0, 10));
    const target = profileOf(1000, { ...uniform(0, 10), nullFrac: 0 }, uniform(0, 10));
    const report = compareProfiles(source, target, new Map([['public.t', 1000]]), {}, clean);
    expect(report.passed).toBe(false);
    expect(report.violations).toEqual(['public.t.price: null-fraction difference 0.100 > 0.01']);
    expect(
      compareProfiles(source, target, new Map([['public.t', 1000]]), { maxNullFractionDelta: 0.2 }, clean).passed,
    ).toBe(true);
  });

  it('names the worst offenders first', () => {
    const source = profileOf(1000, uniform(0, 10), uniform(0, 10));
    const target = profileOf(1000, uniform(1.5, 11.5), uniform(5, 15));
    const report = compareProfiles(source, target, new Map([['public.t', 1020]]), {}, clean);
    expect(report.violations.map((v) => v.split(':')[0])).toEqual(['public.t.qty', 'public.t', 'public.t.price']);
  });

  it('fails on orphans and unique violations whatever the thresholds', () => {
    const p = profileOf(10, uniform(0, 1), uniform(0, 1));
    expect(
      compareProfiles(
        p,
        p,
        new Map(),
        { maxKolmogorovSmirnov: 1 },
        { foreignKeyOrphans: 2, uniqueViolations: 0, details: ['x: 2 orphans'] },
      ).passed,
    ).toBe(false);
  });

  it('refuses a threshold outside [0, 1] naming it', () => {
    expect(() => thresholdsWith({ maxKolmogorovSmirnov: '15' })).toThrow(
      'maxKolmogorovSmirnov must be a number between 0 and 1, got "15"',
    );
    expect(thresholdsWith({})).toEqual(DEFAULT_THRESHOLDS);
  });
});

describe('range overlap of personal columns, from aggregates', () => {
  it("shows birth dates drawn from 18-88 year olds against production's 1940-2019", () => {
    const dob: ColumnInfo = {
      name: 'dob',
      type: 'date',
      baseType: 'date',
      isArray: false,
      notNull: false,
      hasDefault: false,
      generated: false,
    };
    const prod: ColumnProfile = {
      nullFrac: 0,
      nDistinct: -1,
      avgWidth: 4,
      personal: 'dateOfBirth',
      range: { min: '1940-01-01', max: '2019-12-31' },
    };
    const same: ColumnProfile = { ...prod };
    const drawn: ColumnProfile = { ...prod, range: { min: '1938-06-01', max: '2008-06-01' } };
    expect(rangeOverlap(dob, prod, same)).toBe(1);
    expect(rangeOverlap(dob, prod, drawn)).toBeCloseTo(68.4 / 81.6, 1);
  });
});
