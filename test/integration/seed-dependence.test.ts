import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { compareProfiles, DEFAULT_THRESHOLDS } from '../../operator/seed/fidelity';
import { personalClassifier } from '../../operator/seed/pii';
import { PostgresDatabase } from '../../operator/seed/postgres/driver';
import { withDefaultFidelity } from '../../operator/seed/resolve';
import { runSeed } from '../../operator/seed/run';
import { createDatabase } from '../setup/postgres';
import { query, testServerUrl } from '../support/shop-db';

// Synthesis keeps the joint structure of a table, against the real
// PostgreSQL: a drug that determines its refill count still determines it,
// a visit's cost still follows its length (ρ ≈ 0.97), and a visit's length
// still follows its drug (atorvastatin visits are 40 minutes longer). The
// fidelity report measures the pairs as SDMetrics does; columns shuffled
// apart fail it, naming the pair.

jest.setTimeout(180_000);

const SCHEMA = `
CREATE TABLE visits (id bigint PRIMARY KEY, minutes integer NOT NULL, cost numeric(10, 2) NOT NULL, drug text NOT NULL, refills integer NOT NULL, ward text NOT NULL, contact text);`;

const PRODUCTION = `${SCHEMA}
SELECT setseed(0.5);
INSERT INTO visits
SELECT i, m + CASE d WHEN 'atorvastatin' THEN 40 ELSE 0 END, round(((m + CASE d WHEN 'atorvastatin' THEN 40 ELSE 0 END) * 2.5 + random() * 15)::numeric, 2), d,
       CASE d WHEN 'amoxicillin' THEN 0 WHEN 'ibuprofen' THEN 1 WHEN 'metformin' THEN 5 WHEN 'lisinopril' THEN 5 ELSE 11 END,
       (ARRAY['north', 'south'])[1 + (random() < 0.5)::int],
       -- Personal values in a low-cardinality column kept by mistake: the content scan must keep them out of every aggregate.
       (ARRAY['ann@example.org', 'bob@example.org', 'cy@example.org'])[1 + (i % 3)]
FROM (SELECT i, 10 + (random() * 60)::int AS m, (ARRAY['amoxicillin', 'ibuprofen', 'metformin', 'lisinopril', 'atorvastatin'])[1 + floor(random() * 5)::int] AS d
      FROM generate_series(1, 3000) i) s;`;

const spec = (over: Partial<DataSeedSpecInput> = {}) =>
  withDefaultFidelity(
    DataSeedSpecSchema.parse({
      baselineRef: { name: 'cli' },
      source: {
        synthesize: { profile: { fromBaseline: { database: 'production' } }, scale: { ratio: '0.5' }, seed: 11 },
      },
      target: { urlSecretRef: { name: 'unused', key: 'unused' } },
      mode: 'Permissive',
      rules: ['drug', 'ward', 'contact'].map((column) => ({ table: 'visits', column, transform: 'keep' })),
      ...over,
    }),
  );

describe('synthesis keeps dependence between columns', () => {
  let production: string;
  let target: string;

  beforeAll(async () => {
    const server = await testServerUrl();
    production = await createDatabase(server, 'seed_dependence_prod');
    await query(production, PRODUCTION);
    target = await createDatabase(server, 'seed_dependence_target');
    await query(target, SCHEMA);
    // A copy of production's rows in the target's database, for the shuffled case.
    await query(
      target,
      `CREATE SCHEMA scratch; CREATE TABLE scratch.prod_copy (LIKE visits); ${PRODUCTION.slice(PRODUCTION.indexOf('SELECT setseed')).replace('INSERT INTO visits', 'INSERT INTO scratch.prod_copy')}`,
    );
  });

  it('keeps a determining category determining and a strong correlation, and its report measures both pairs', async () => {
    const report = await runSeed({ spec: spec(), target, source: production });
    const refillsPerDrug = await query<{ drug: string; n: string }>(
      target,
      'SELECT drug, count(DISTINCT refills) AS n FROM visits GROUP BY drug',
    );
    expect(refillsPerDrug.length).toBe(5);
    for (const r of refillsPerDrug)
      expect({ drug: r.drug, refills: Number(r.n) }).toEqual({ drug: r.drug, refills: 1 });
    const mapping = await query<{ drug: string; refills: number }>(
      target,
      'SELECT DISTINCT drug, refills FROM visits ORDER BY drug',
    );
    expect(mapping.map((r) => `${r.drug}:${r.refills}`)).toEqual([
      'amoxicillin:0',
      'atorvastatin:11',
      'ibuprofen:1',
      'lisinopril:5',
      'metformin:5',
    ]);
    const [real] = await query<{ r: number }>(production, 'SELECT corr(minutes, cost) AS r FROM visits');
    const [synthetic] = await query<{ r: number }>(target, 'SELECT corr(minutes, cost) AS r FROM visits');
    expect(real!.r).toBeGreaterThan(0.9);
    expect(Math.abs(synthetic!.r - real!.r)).toBeLessThan(0.05);

    expect(report.fidelity?.passed).toBe(true);
    const pair = (a: string, b: string) =>
      report.fidelity?.pairs?.find((p) => p.columns.includes(a) && p.columns.includes(b));
    expect(pair('drug', 'refills')?.metric).toBe('ContingencySimilarity');
    expect(pair('drug', 'refills')!.similarity).toBeGreaterThan(0.95);
    expect(pair('minutes', 'cost')?.metric).toBe('CorrelationSimilarity');
    expect(pair('minutes', 'cost')!.similarity).toBeGreaterThan(0.97);
    // A number that depends on a category keeps it: atorvastatin visits stay about 40 minutes longer.
    const byDrug = async (url: string) =>
      Object.fromEntries(
        (
          await query<{ drug: string; m: number }>(
            url,
            'SELECT drug, avg(minutes)::float8 AS m FROM visits GROUP BY drug',
          )
        ).map((r) => [r.drug, r.m]),
      );
    const [realMinutes, synthMinutes] = [await byDrug(production), await byDrug(target)];
    for (const drug of Object.keys(realMinutes))
      expect({ drug, off: Math.abs(synthMinutes[drug]! - realMinutes[drug]!) < 4 }).toEqual({ drug, off: true });
    const [realR] = await query<{ r: number }>(production, 'SELECT corr(refills, minutes) AS r FROM visits');
    const [synthR] = await query<{ r: number }>(target, 'SELECT corr(refills, minutes) AS r FROM visits');
    expect(realR!.r).toBeGreaterThan(0.4);
    expect(Math.abs(synthR!.r - realR!.r)).toBeLessThan(0.1);
  });

  it('fails the report, naming the pairs, when the same columns are shuffled apart', async () => {
    // The target's marginals stay production's, each column shuffled on its own: only the dependence is gone.
    await query(
      target,
      `TRUNCATE visits;
      INSERT INTO visits SELECT a.id, a.minutes, b.cost, a.drug, c.refills, a.ward, a.contact
      FROM (SELECT *, row_number() OVER (ORDER BY id) k FROM visits_src) a
      JOIN (SELECT cost, row_number() OVER (ORDER BY random()) k FROM visits_src) b USING (k)
      JOIN (SELECT refills, row_number() OVER (ORDER BY random()) k FROM visits_src) c USING (k)`.replace(
        /visits_src/g,
        'scratch.prod_copy',
      ),
    );
    const profileOf = async (url: string) => {
      const db = await PostgresDatabase.open(url);
      try {
        return await db.profile(await db.introspect(['public']), {
          analyze: true,
          personal: personalClassifier(spec().rules),
        });
      } finally {
        await db.close();
      }
    };
    const real = await profileOf(production);
    // Dependence holds aggregates of kept, scanned columns only: the e-mail column (refused by the content scan) is in none.
    expect(real.tables['public.visits']!.columns.contact!.refused).toBe('email');
    expect(JSON.stringify(real.tables['public.visits']!.dependence)).not.toMatch(/@|contact/);
    expect(real.tables['public.visits']!.dependence!.contingencies.map((c) => c.columns.join('~'))).toEqual(
      expect.arrayContaining(['drug~refills']),
    );
    const report = compareProfiles(
      real,
      await profileOf(target),
      new Map([['public.visits', 3000]]),
      {},
      { foreignKeyOrphans: 0, uniqueViolations: 0, details: [] },
    );
    expect(report.passed).toBe(false);
    expect(report.violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^public\.visits\.\(drug, refills\) ContingencySimilarity: column-pair trend distance 0\.\d+ > 0\.15$/,
        ),
        expect.stringMatching(
          /^public\.visits\.\(minutes, cost\) CorrelationSimilarity: column-pair trend distance 0\.\d+ > 0\.15$/,
        ),
      ]),
    );
    expect(report.worst.pairTrendSimilarity).toBeLessThan(1 - DEFAULT_THRESHOLDS.maxPairTrendDistance);
  });
});
