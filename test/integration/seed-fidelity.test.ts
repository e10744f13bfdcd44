import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSeedCommand } from '../../operator/commands/seed';
import { DataSeedSpecSchema, type DataSeedSpecInput } from '../../operator/api/dataseed';
import { EXIT_FAILED_CHECKS, EXIT_OK } from '../../operator/seed/cli-input';
import { SeedError } from '../../operator/seed/errors';
import { withDefaultFidelity } from '../../operator/seed/resolve';
import { runSeed } from '../../operator/seed/run';
import { createDatabase } from '../setup/postgres';
import { query, testServerUrl } from '../support/shop-db';

// Fidelity that can fail, on a schema the shop example does not have: a
// nullable UNIQUE column 10% null, and 40 parents of which 38 have 100
// children and 2 none, synthesized at scale 0.5 against the real PostgreSQL.

jest.setTimeout(180_000);

const SCHEMA = `
CREATE TABLE doctors (id bigint PRIMARY KEY, ward text NOT NULL);
CREATE TABLE patients (
  id bigint PRIMARY KEY,
  doctor_id bigint NOT NULL REFERENCES doctors (id),
  member_ref text UNIQUE,
  score double precision
);`;

const PRODUCTION = `${SCHEMA}
INSERT INTO doctors SELECT i, (ARRAY['north', 'south', 'east'])[1 + i % 3] FROM generate_series(1, 40) i;
INSERT INTO patients
SELECT row_number() OVER (), d, CASE WHEN random() < 0.1 THEN NULL ELSE 'M-' || d || '-' || k END, (random() * 100)::numeric(6, 2)
FROM generate_series(1, 38) d, generate_series(1, 100) k;`;

const spec = (over: Partial<DataSeedSpecInput> = {}) =>
  withDefaultFidelity(
    DataSeedSpecSchema.parse({
      baselineRef: { name: 'cli' },
      source: { synthesize: { profile: { fromBaseline: { database: 'production' } }, scale: { ratio: '0.5' } } },
      target: { urlSecretRef: { name: 'unused', key: 'unused' } },
      mode: 'Permissive',
      // Text keeps its values in a profile only under a keep rule.
      rules: [
        { table: 'doctors', column: 'ward', transform: 'keep' },
        { table: 'patients', column: 'member_ref', transform: 'keep' },
      ],
      ...over,
    }),
  );

describe('synthesis fidelity, enforced by default', () => {
  let production: string;
  let target: string;

  beforeAll(async () => {
    const server = await testServerUrl();
    production = await createDatabase(server, 'seed_fidelity_prod');
    await query(production, PRODUCTION);
    target = await createDatabase(server, 'seed_fidelity_target');
    await query(target, SCHEMA);
  });

  it("keeps production's nulls in a nullable UNIQUE column and the fan-out at scale 0.5, and passes every default", async () => {
    const report = await runSeed({ spec: spec(), target, source: production });
    const [prodNulls] = await query<{ f: number }>(
      production,
      'SELECT avg((member_ref IS NULL)::int)::float8 AS f FROM patients',
    );
    const [nulls] = await query<{ f: number }>(
      target,
      'SELECT avg((member_ref IS NULL)::int)::float8 AS f FROM patients',
    );
    expect(Math.abs(nulls!.f - prodNulls!.f)).toBeLessThanOrEqual(0.01);
    expect(nulls!.f).toBeGreaterThan(0.05);
    const fan = await query<{ n: string; parents: string }>(
      target,
      `
      SELECT n, count(*) AS parents FROM (SELECT d.id, count(p.id) AS n FROM doctors d LEFT JOIN patients p ON p.doctor_id = d.id GROUP BY d.id) s GROUP BY n ORDER BY n`,
    );
    expect(fan.map((r) => [Number(r.n), Number(r.parents)])).toEqual([
      [0, 1],
      [100, 19],
    ]);
    expect(report.fidelity?.passed).toBe(true);
    expect(report.fidelity?.worst.fanOutKolmogorovSmirnov).toBeLessThanOrEqual(0.1);
    expect(report.fidelity?.worst.nullFractionDelta).toBeLessThanOrEqual(0.01);
  });

  it('fails the seed, naming the worst offenders, when a threshold is exceeded', async () => {
    const err = await runSeed({
      spec: spec({ fidelity: { maxKolmogorovSmirnov: '0', maxTotalVariation: '0' } }),
      target,
      source: production,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SeedError);
    expect((err as SeedError).reason).toBe('FidelityFailed');
    expect((err as SeedError).details[0]).toMatch(
      /^public\.(patients\.score: KS distance|doctors\.ward: total variation) 0\.\d+ > 0$/,
    );
    expect((err as SeedError).report?.fidelity?.passed).toBe(false);
  });

  it('exits 1 from the CLI when the seed ran and failed its checks, 0 when it passed or enforcement is off', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const lines: string[] = [];
    const out = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
    try {
      const rules = join(mkdtempSync(join(tmpdir(), 'understudy-fidelity-')), 'rules.yaml');
      writeFileSync(
        rules,
        '- {table: doctors, column: ward, transform: keep}\n- {table: patients, column: member_ref, transform: keep}\n',
      );
      const base = {
        target,
        profileFrom: production,
        scale: '0.5',
        mode: 'Permissive' as const,
        progress: false,
        rules: [rules],
      };
      expect(await runSeedCommand({ ...base, maxKs: '0' }, out)).toBe(EXIT_FAILED_CHECKS);
      expect(lines.join('')).toContain('fidelity: FAILED');
      expect(String(stderr.mock.calls.at(-1)?.[0])).toContain('public.patients.score: KS distance');
      expect(await runSeedCommand({ ...base, maxKs: '0', enforceFidelity: false }, out)).toBe(EXIT_OK);
      expect(await runSeedCommand({ ...base, output: 'wide' }, out)).toBe(EXIT_OK);
      expect(lines.at(-1)).toContain('fidelity: passed');
      // Wide: every column and foreign key with what was measured.
      for (const column of [
        'public.doctors.ward',
        'public.patients.member_ref',
        'public.patients.score',
        'public.patients (patients_doctor_id_fkey)',
      ])
        expect(lines.at(-1)).toContain(column);
    } finally {
      stderr.mockRestore();
    }
  });
});
