import fc from 'fast-check';
import { compareProfiles, DEFAULT_THRESHOLDS, thresholdsWith } from './fidelity';
import type { ColumnInfo, Dependence, Profile, TableProfile } from './model';
import { contingencySimilarity, correlationSimilarity, pairTrends } from './pair-trends';
import { column } from './testing/schema';

const col = (name: string, baseType: ColumnInfo['baseType']): ColumnInfo => column(name, baseType, { notNull: true });
const clean = { foreignKeyOrphans: 0, uniqueViolations: 0, details: [] };

function profileOf(rows: number, dependence: Dependence, columns: TableProfile['columns'] = {}): Profile {
  const table = {
    schema: 'public',
    name: 'rx',
    columns: [
      col('drug', 'text'),
      col('refills', 'int4'),
      col('minutes', 'float'),
      col('cost', 'float'),
      col('born', 'date'),
      col('given', 'text'),
    ],
    primaryKey: [],
    uniques: [],
    foreignKeys: [],
    checks: [],
  };
  return {
    kind: 'understudy.dev/profile',
    version: 1,
    capturedAt: '',
    database: 'x',
    schema: { tables: [table] },
    tables: { 'public.rx': { rows, columns, fanOut: {}, dependence } },
  };
}

const determining: Array<[string, string, number]> = [
  ['a', '1', 300],
  ['b', '2', 300],
  ['c', '3', 400],
];
/** The same marginals with the dependence gone. */
const independent: Array<[string, string, number]> = determining.flatMap(([a, , na]) =>
  determining.map(([, b, nb]) => [a, b, (na * nb) / 1000] as [string, string, number]),
);

describe('column-pair trends as SDMetrics measures them', () => {
  it('scores correlations 1 - |Δρ|/2 and contingency tables 1 - TVD', () => {
    expect(correlationSimilarity(0.8, 0.8)).toBe(1);
    expect(correlationSimilarity(1, -1)).toBe(0);
    expect(contingencySimilarity(determining, determining)).toBeCloseTo(1, 12);
    // 1 - TVD(diag(.3,.3,.4), outer product) = 1 - (1 - .34) = .34
    expect(contingencySimilarity(determining, independent)).toBeCloseTo(0.34, 12);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('x', 'y'), fc.integer({ min: 1, max: 100 })),
          { minLength: 1, maxLength: 10 },
        ),
        (cells) => {
          const s = contingencySimilarity(determining, cells);
          expect(s).toBeGreaterThanOrEqual(0);
          expect(s).toBeLessThanOrEqual(1);
          expect(contingencySimilarity(cells, cells)).toBeCloseTo(1, 9);
        },
      ),
    );
  });

  it('leaves out pairs with a personal column', () => {
    const d: Dependence = {
      correlations: [{ columns: ['born', 'cost'], pearson: 0.9, spearman: 0.9 }],
      contingencies: [],
    };
    expect(
      pairTrends(
        'public.rx',
        d,
        { ...d, correlations: [{ columns: ['born', 'cost'], pearson: 0, spearman: 0 }] },
        (c) => c === 'born',
      ),
    ).toEqual([]);
  });

  it('fails a seed whose columns came out independent, naming the pair; passes when the trend is kept', () => {
    const real: Dependence = {
      correlations: [{ columns: ['minutes', 'cost'], pearson: 0.9, spearman: 0.88 }],
      contingencies: [{ columns: ['drug', 'refills'], cells: determining }],
    };
    const flat: Dependence = {
      correlations: [{ columns: ['cost', 'minutes'], pearson: 0.02, spearman: 0.01 }],
      contingencies: [{ columns: ['refills', 'drug'], cells: independent.map(([a, b, n]) => [b, a, n]) }],
    };
    const bad = compareProfiles(
      profileOf(10_000, real),
      profileOf(10_000, flat),
      new Map([['public.rx', 10_000]]),
      {},
      clean,
    );
    expect(bad.passed).toBe(false);
    expect(bad.violations).toEqual([
      expect.stringMatching(
        /^public\.rx\.\(drug, refills\) ContingencySimilarity: column-pair trend distance 0\.660 > 0\.15$/,
      ),
      expect.stringMatching(
        /^public\.rx\.\(minutes, cost\) CorrelationSimilarity: column-pair trend distance 0\.440 > 0\.15$/,
      ),
    ]);
    expect(bad.worst.pairTrendSimilarity).toBeCloseTo(0.34, 6);
    const good = compareProfiles(
      profileOf(10_000, real),
      profileOf(10_000, { ...real, correlations: [{ columns: ['minutes', 'cost'], pearson: 0.85, spearman: 0.85 }] }),
      new Map([['public.rx', 10_000]]),
      {},
      clean,
    );
    expect(good.passed).toBe(true);
    expect(good.pairs).toHaveLength(2);
    // Overridable like every threshold.
    expect(
      compareProfiles(
        profileOf(10_000, real),
        profileOf(10_000, flat),
        new Map([['public.rx', 10_000]]),
        { maxPairTrendDistance: 0.7 },
        clean,
      ).passed,
    ).toBe(true);
    expect(thresholdsWith({}).maxPairTrendDistance).toBe(DEFAULT_THRESHOLDS.maxPairTrendDistance);
  });
});

describe('personal columns are judged', () => {
  const none: Dependence = { correlations: [], contingencies: [] };
  const source = profileOf(20_000, none, {
    given: { nullFrac: 0.1, nDistinct: -0.5, avgWidth: 6, personal: 'firstName', distinct: 9_000 },
    born: {
      nullFrac: 0,
      nDistinct: -0.3,
      avgWidth: 4,
      personal: 'dateOfBirth',
      distinct: 6_000,
      range: { min: '1940-01-01', max: '2019-12-31' },
    },
  });

  it('on distinct values at the seeded size and on range', () => {
    const target = profileOf(10_000, none, {
      given: { nullFrac: 0.1, nDistinct: -0.01, avgWidth: 6, personal: 'firstName', distinct: 125 },
      born: {
        nullFrac: 0,
        nDistinct: -0.3,
        avgWidth: 4,
        personal: 'dateOfBirth',
        distinct: 3_000,
        range: { min: '1937-01-01', max: '2007-01-01' },
      },
    });
    const report = compareProfiles(source, target, new Map([['public.rx', 10_000]]), {}, clean);
    expect(report.passed).toBe(false);
    expect(report.violations.some((v) => /^public\.rx\.given: distinct-count deviation 0\.97\d > 0\.5$/.test(v))).toBe(
      true,
    );
    expect(report.violations.some((v) => /^public\.rx\.born: range deviation 0\.\d+ > 0\.1$/.test(v))).toBe(true);
    expect(report.columns.find((c) => c.column === 'given')?.personal).toBe('firstName');
  });

  it("and pass when they hold production's shape", () => {
    const target = profileOf(10_000, none, {
      given: { nullFrac: 0.1, nDistinct: -0.5, avgWidth: 6, personal: 'firstName', distinct: 4_400 },
      born: {
        nullFrac: 0,
        nDistinct: -0.3,
        avgWidth: 4,
        personal: 'dateOfBirth',
        distinct: 3_000,
        range: { min: '1940-02-01', max: '2019-11-30' },
      },
    });
    expect(compareProfiles(source, target, new Map([['public.rx', 10_000]]), {}, clean).violations).toEqual([]);
  });
});
