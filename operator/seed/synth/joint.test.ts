import fc from 'fast-check';
import { DEFAULT_THRESHOLDS } from '../fidelity';
import type { ColumnInfo, Dependence, TableInfo, TableProfile } from '../model';
import { contingencySimilarity, correlationSimilarity } from '../pair-trends';
import type { ColumnPlan } from '../rules';
import { chowLiuTree, mutualInformation } from './categorical';
import { cholesky, correlationFactor, gaussianOfSpearman } from './copula';
import { chanceShare, conditionalQuantile, explained, MIN_EXPLAINED } from './conditional';
import { jointModel } from './joint';
import { Rng } from './rng';
import { allocateChildren } from './table';
import { column } from '../testing/schema';

// The joint sampler against the pair-trend threshold: a category that
// determines another stays determining, correlations survive, over random
// schemas and sizes; and independent draws fail the same threshold.

const col = (name: string, baseType: ColumnInfo['baseType']): ColumnInfo => column(name, baseType, { notNull: true });
const keep = (column: ColumnInfo): ColumnPlan => ({
  column,
  spec: { transform: 'keep' },
  coverage: 'rule',
  unique: false,
});

function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const [mx, my] = [xs.reduce((a, b) => a + b, 0) / n, ys.reduce((a, b) => a + b, 0) / n];
  let [sxy, sxx, syy] = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

function cellsOf(rows: Array<[string, string]>): Array<[string, string, number]> {
  const m = new Map<string, number>();
  for (const [a, b] of rows) m.set(JSON.stringify([a, b]), (m.get(JSON.stringify([a, b])) ?? 0) + 1);
  return [...m].map(([k, n]) => [...(JSON.parse(k) as [string, string]), n] as [string, string, number]);
}

/** A table where `drug` determines `refills` (the drug's index mod `levels`) and `ward` is independent noise. */
function categoricalCase(drugs: number, levels: number, weights: number[]) {
  const table: TableInfo = {
    schema: 'public',
    name: 'rx',
    columns: [col('drug', 'text'), col('refills', 'int4'), col('ward', 'text')],
    primaryKey: [],
    uniques: [],
    foreignKeys: [],
    checks: [],
  };
  const total = weights.reduce((a, b) => a + b, 0);
  const drugValues = Array.from({ length: drugs }, (_, i) => `drug-${i}`);
  const refillOf = (i: number): string => String(i % levels);
  const real: Array<[string, string]> = drugValues.map((d, i) => [d, refillOf(i)]);
  const freqs = weights.map((w) => w / total);
  const refillFreq = new Map<string, number>();
  drugValues.forEach((_, i) => refillFreq.set(refillOf(i), (refillFreq.get(refillOf(i)) ?? 0) + freqs[i]!));
  const dependence: Dependence = {
    correlations: [],
    contingencies: [
      { columns: ['drug', 'refills'], cells: real.map(([d, r], i) => [d, r, weights[i]!]) },
      {
        columns: ['drug', 'ward'],
        cells: drugValues.flatMap(
          (d, i) =>
            [
              [d, 'north', weights[i]!],
              [d, 'south', weights[i]!],
            ] as Array<[string, string, number]>,
        ),
      },
      {
        columns: ['refills', 'ward'],
        cells: [...refillFreq].flatMap(
          ([r, f]) =>
            [
              [r, 'north', f],
              [r, 'south', f],
            ] as Array<[string, string, number]>,
        ),
      },
    ],
  };
  const profile: TableProfile = {
    rows: total,
    fanOut: {},
    dependence,
    columns: {
      drug: { nullFrac: 0, nDistinct: drugs, avgWidth: 6, mostCommon: { values: drugValues, freqs } },
      refills: {
        nullFrac: 0,
        nDistinct: refillFreq.size,
        avgWidth: 4,
        mostCommon: { values: [...refillFreq.keys()], freqs: [...refillFreq.values()] },
      },
      ward: { nullFrac: 0, nDistinct: 2, avgWidth: 5, mostCommon: { values: ['north', 'south'], freqs: [0.5, 0.5] } },
    },
  };
  return { table, profile, plans: table.columns.map(keep), realCells: dependence.contingencies[0]!.cells };
}

describe('categorical columns drawn through the Chow–Liu tree', () => {
  it('keeps a determining category determining and passes the pair-trend threshold, for random vocabularies and sizes', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 12 })
          .chain((drugs) =>
            fc.tuple(
              fc.constant(drugs),
              fc.integer({ min: 2, max: 5 }),
              fc.array(fc.integer({ min: 1, max: 50 }), { minLength: drugs, maxLength: drugs }),
            ),
          ),
        fc.integer({ min: 50, max: 3000 }),
        fc.integer(),
        ([drugs, levels, weights], rows, seed) => {
          const c = categoricalCase(drugs, levels, weights);
          const model = jointModel(c.table, c.plans, c.profile, rows, new Set())!;
          expect(model.columns.has('drug') && model.columns.has('refills')).toBe(true);
          const rng = new Rng(seed);
          const drawn: Array<[string, string]> = [];
          for (let i = 0; i < rows; i++) {
            model.advance(rng);
            drawn.push([model.value('drug', rng), model.value('refills', rng)]);
          }
          for (const [d, r] of drawn) expect(r).toBe(String(Number(d.slice(5)) % levels));
          const distance = 1 - contingencySimilarity(c.realCells, cellsOf(drawn));
          expect(distance).toBeLessThanOrEqual(DEFAULT_THRESHOLDS.maxPairTrendDistance);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('fails the pair-trend threshold when the same columns are drawn independently', () => {
    const c = categoricalCase(6, 6, [10, 20, 30, 10, 20, 10]);
    const rng = new Rng(7);
    const pick = (values: string[], freqs: number[]): string => {
      let u = rng.next();
      for (let i = 0; i < values.length; i++) if ((u -= freqs[i]!) < 0) return values[i]!;
      return values.at(-1)!;
    };
    const [drug, refills] = [c.profile.columns.drug!.mostCommon!, c.profile.columns.refills!.mostCommon!];
    const drawn: Array<[string, string]> = Array.from({ length: 5000 }, () => [
      pick(drug.values, drug.freqs),
      pick(refills.values, refills.freqs),
    ]);
    expect(1 - contingencySimilarity(c.realCells, cellsOf(drawn))).toBeGreaterThan(
      DEFAULT_THRESHOLDS.maxPairTrendDistance,
    );
  });

  it('joins the most informative pairs: the determining pair, not the noise', () => {
    const c = categoricalCase(4, 4, [1, 2, 3, 4]);
    const tree = chowLiuTree(['drug', 'refills', 'ward'], c.profile.dependence!.contingencies);
    const refills = tree.find((n) => n.column === 'refills')!;
    expect(tree[refills.parent!]!.column).toBe('drug');
    expect(tree.find((n) => n.column === 'ward')!.parent).toBeUndefined();
    expect(
      mutualInformation([
        ['a', 'x', 1],
        ['a', 'y', 1],
        ['b', 'x', 1],
        ['b', 'y', 1],
      ]),
    ).toBeCloseTo(0, 12);
  });
});

/** Two numeric columns with a given Spearman correlation, histograms uniform over [0, 100]. */
function numericCase(spearman: number) {
  const table: TableInfo = {
    schema: 'public',
    name: 'visits',
    columns: [col('minutes', 'float'), col('cost', 'float')],
    primaryKey: [],
    uniques: [],
    foreignKeys: [],
    checks: [],
  };
  const histogram = Array.from({ length: 21 }, (_, i) => String(i * 5));
  const profile: TableProfile = {
    rows: 10_000,
    fanOut: {},
    dependence: { correlations: [{ columns: ['minutes', 'cost'], pearson: spearman, spearman }], contingencies: [] },
    columns: {
      minutes: { nullFrac: 0, nDistinct: -1, avgWidth: 8, histogram },
      cost: { nullFrac: 0, nDistinct: -1, avgWidth: 8, histogram },
    },
  };
  return { table, profile, plans: table.columns.map(keep) };
}

describe('numbers and dates drawn through the Gaussian copula', () => {
  it('keeps the correlation within the pair-trend threshold, for random correlations and sizes', () => {
    fc.assert(
      // Without correlation there is nothing to model (jointModel is undefined and columns are drawn as before).
      fc.property(
        fc.double({ min: 0.02, max: 0.95, noNaN: true }),
        fc.boolean(),
        fc.integer({ min: 200, max: 4000 }),
        fc.integer(),
        (magnitude, negative, rows, seed) => {
          const rho = negative ? -magnitude : magnitude;
          const c = numericCase(rho);
          const model = jointModel(c.table, c.plans, c.profile, rows, new Set())!;
          const rng = new Rng(seed);
          const [xs, ys] = [[] as number[], [] as number[]];
          for (let i = 0; i < rows; i++) {
            model.advance(rng);
            xs.push(Number(model.value('minutes', rng)));
            ys.push(Number(model.value('cost', rng)));
          }
          // Uniform marginals: Pearson equals Spearman; the slack is the report's own (1/√n).
          expect(1 - correlationSimilarity(rho, pearson(xs, ys))).toBeLessThanOrEqual(
            DEFAULT_THRESHOLDS.maxPairTrendDistance / 2 + 1 / Math.sqrt(rows),
          );
          // Marginals stay production's: every fifth of the range holds about a fifth of the rows.
          for (let q = 0; q < 5; q++)
            expect(Math.abs(xs.filter((x) => x >= q * 20 && x < (q + 1) * 20).length / rows - 0.2)).toBeLessThan(0.02);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('draws a personal date moved by its transform (dateShift) through the copula, from its range: the correlation survives', () => {
    const table: TableInfo = {
      schema: 'public',
      name: 'patients',
      columns: [col('born', 'date'), col('risk', 'float')],
      primaryKey: [],
      uniques: [],
      foreignKeys: [],
      checks: [],
    };
    const profile: TableProfile = {
      rows: 5000,
      fanOut: {},
      dependence: { correlations: [{ columns: ['born', 'risk'], pearson: -0.95, spearman: -0.95 }], contingencies: [] },
      columns: {
        born: {
          nullFrac: 0,
          nDistinct: -0.5,
          avgWidth: 4,
          personal: 'dateOfBirth',
          range: { min: '1940-01-01', max: '2019-12-31' },
        },
        risk: { nullFrac: 0, nDistinct: -1, avgWidth: 8, histogram: ['0', '0.5', '1'] },
      },
    };
    const plans: ColumnPlan[] = [
      { ...keep(table.columns[0]!), spec: { transform: 'dateShift' }, personal: 'dateOfBirth' },
      keep(table.columns[1]!),
    ];
    const model = jointModel(table, plans, profile, 2000, new Set())!;
    expect([...model.columns].sort()).toEqual(['born', 'risk']);
    const rng = new Rng(5);
    const [xs, ys] = [[] as number[], [] as number[]];
    for (let i = 0; i < 2000; i++) {
      model.advance(rng);
      const born = model.value('born', rng);
      expect(born >= '1940-01-01' && born <= '2019-12-31').toBe(true);
      xs.push(Date.parse(born));
      ys.push(Number(model.value('risk', rng)));
    }
    expect(pearson(xs, ys)).toBeLessThan(-0.9);
  });

  it('draws a number under the only category of its table that explains it (urgent visits are longer)', () => {
    const table: TableInfo = {
      schema: 'public',
      name: 'visits',
      columns: [col('kind', 'text'), col('minutes', 'int4')],
      primaryKey: [],
      uniques: [],
      foreignKeys: [],
      checks: [],
    };
    const q = (lo: number, hi: number) => Array.from({ length: 21 }, (_, i) => lo + ((hi - lo) * i) / 20);
    const profile: TableProfile = {
      rows: 3000,
      fanOut: {},
      dependence: {
        correlations: [],
        contingencies: [],
        conditionals: [
          {
            given: 'kind',
            column: 'minutes',
            groups: [
              { value: 'urgent', rows: 1000, quantiles: q(40, 80) },
              { value: 'checkup', rows: 2000, quantiles: q(10, 40) },
            ],
          },
        ],
      },
      columns: {
        kind: {
          nullFrac: 0,
          nDistinct: 2,
          avgWidth: 6,
          mostCommon: { values: ['checkup', 'urgent'], freqs: [2 / 3, 1 / 3] },
        },
        minutes: { nullFrac: 0, nDistinct: 71, avgWidth: 4, histogram: q(10, 80).map(String) },
      },
    };
    const model = jointModel(table, table.columns.map(keep), profile, 3000, new Set())!;
    const rng = new Rng(9);
    let urgent = 0;
    for (let i = 0; i < 3000; i++) {
      model.advance(rng);
      const [kind, minutes] = [model.value('kind', rng), Number(model.value('minutes', rng))];
      if (kind === 'urgent') urgent += 1;
      expect(kind === 'urgent' ? minutes >= 40 && minutes <= 80 : minutes >= 10 && minutes <= 40).toBe(true);
    }
    expect(Math.abs(urgent / 3000 - 1 / 3)).toBeLessThan(0.01);
  });

  it('fails the pair-trend threshold when a strong correlation is dropped', () => {
    expect(1 - correlationSimilarity(0.9, 0)).toBeGreaterThan(DEFAULT_THRESHOLDS.maxPairTrendDistance);
  });

  it('maps Spearman to the Gaussian scale and repairs a matrix that is not positive definite', () => {
    expect(gaussianOfSpearman(1)).toBeCloseTo(1, 12);
    expect(gaussianOfSpearman(0)).toBe(0);
    const bad = [
      [1, 0.9, -0.9],
      [0.9, 1, 0.9],
      [-0.9, 0.9, 1],
    ];
    expect(cholesky(bad)).toBeUndefined();
    const l = correlationFactor(bad);
    expect(l[0]![0]).toBeCloseTo(1, 12);
    expect(l.every((row) => row.every(Number.isFinite))).toBe(true);
  });
});

describe('the parent-child count distribution at several scales', () => {
  // Production: 38 doctors with 500 patients, 2 with none.
  const production = {
    parentRows: 40,
    buckets: [
      [0, 2],
      [500, 38],
    ] as Array<[number, number]>,
  };
  it.each([
    [1, 2, 38, 500],
    [0.5, 1, 19, 500],
    [2, 4, 76, 500],
    [1.5, 3, 57, 500],
    [3, 6, 114, 500],
  ])('at scale %p: %p parents without children and %p with exactly %p', (scale, none, some, each) => {
    const counts = allocateChildren(
      Math.round(40 * scale),
      Math.round(19_000 * scale),
      production,
      Number.MAX_SAFE_INTEGER,
      new Rng(3),
    );
    const histogram = new Map<number, number>();
    for (const n of counts) histogram.set(n, (histogram.get(n) ?? 0) + 1);
    expect([...histogram].sort((a, b) => a[0] - b[0])).toEqual(
      [
        [0, none],
        [each, some],
      ].filter(([, k]) => k! > 0),
    );
  });
});

describe('a number conditioned on a category', () => {
  const groups = (rows: number, means: number[]) =>
    means.map((m, i) => ({ value: String(i + 1), rows, quantiles: [m - 5, m - 2, m, m + 2, m + 5] }));
  it('is not conditioned on the share a category explains by chance in a small table', () => {
    // Five groups of 30 rows whose means differ a little: η² about 0.04, above MIN_EXPLAINED but below 3·4/149.
    const noise = { column: 'x', given: 'c', groups: groups(30, [10, 10.7, 11.4, 10.2, 11]) };
    expect(explained(noise)).toBeGreaterThan(MIN_EXPLAINED);
    expect(explained(noise)).toBeLessThan(chanceShare(noise));
    expect(conditionalQuantile('x', [noise])).toBeUndefined();
    // The same shares over 30,000 rows per group are no longer chance, and a strong dependence always counts.
    expect(conditionalQuantile('x', [{ ...noise, groups: groups(30_000, [10, 10.7, 11.4, 10.2, 11]) }])?.given).toBe(
      'c',
    );
    expect(conditionalQuantile('x', [{ ...noise, groups: groups(30, [10, 40, 70, 100, 130]) }])?.given).toBe('c');
  });
});
