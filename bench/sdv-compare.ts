import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSeedSpecSchema } from '../operator/api/dataseed';
import { runSeed } from '../operator/seed/run';
import { createDatabase, startPostgres, stopPostgres } from '../test/setup/postgres';
import { query } from '../test/support/shop-db';

// Understudy's synthesize against SDV's HMASynthesizer on a clinic database
// the project has never seen (built here): 40 doctors of which 38 have 500
// patients and 2 none, visits whose cost follows their length, prescriptions
// whose drug determines the refill count, and personal data in columns whose
// names do not say so. Both syntheses are scored by SDMetrics' multi-table
// quality report; every number printed is measured in this run.
//
//   bash bench/sdv/setup.sh && npx tsx bench/sdv-compare.ts [--port 55521] [--patients-per-doctor 500] [--skip-hma]
//
// --skip-hma scores Understudy's side only (seconds instead of an hour).
// --three-tables gives HMA and the report doctors, patients and visits only
// (Understudy still seeds all four): HMA on the four-table chain runs for
// more than an hour even at 380 patients.
//
// HMA fits one model per parent row of every child table, so at 500 patients
// per doctor (19,000 patients) it runs for hours on a shared 2-core machine;
// --patients-per-doctor 10 keeps the shape (2 doctors without patients,
// visits and prescriptions per row) at a size both finish in minutes.
//
// Understudy's time is the whole seed (profile of production, synthesis, COPY
// into PostgreSQL, integrity and fidelity checks); HMA's is fit plus sample
// in memory, without writing anywhere.

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const SCHEMA = `
CREATE TABLE doctors (id bigint PRIMARY KEY, specialty text NOT NULL, years integer NOT NULL, rate numeric(8,2) NOT NULL, ref_date date NOT NULL, code text NOT NULL);
CREATE TABLE patients (
  id bigint PRIMARY KEY, doctor_id bigint NOT NULL REFERENCES doctors (id),
  given text NOT NULL, family text NOT NULL, ident text, since date NOT NULL, sex text NOT NULL, risk double precision NOT NULL
);
CREATE TABLE visits (id bigint PRIMARY KEY, patient_id bigint NOT NULL REFERENCES patients (id), at date NOT NULL, kind text NOT NULL, minutes integer NOT NULL, cost numeric(10,2) NOT NULL);
CREATE TABLE prescriptions (id bigint PRIMARY KEY, visit_id bigint NOT NULL REFERENCES visits (id), drug text NOT NULL, refills integer NOT NULL, dose numeric(8,2) NOT NULL);`;

// given/family: names; ident: an insurance number; since: a date of birth; code: a national id. None of the names says so.
const load = (perDoctor: number): string => `${SCHEMA}
SELECT setseed(0.42);
INSERT INTO doctors
SELECT i, (ARRAY['cardiology','oncology','pediatrics','general','dermatology'])[1 + i % 5], y, round((80 + y * 6 + random() * 20)::numeric, 2),
       DATE '1990-01-01' - ((y + 28) * 365 + (random() * 300)::int), 'AB' || lpad((i * 7919 % 1000000)::text, 6, '0')
FROM (SELECT i, 2 + (random() * 35)::int AS y FROM generate_series(1, 40) i) s;
CREATE TEMP TABLE syllables AS SELECT unnest(ARRAY['an','bel','cor','da','el','fa','gi','ho','is','ju','ka','lo','mi','no','or','pe','qui','ra','si','to']) AS s;
INSERT INTO patients
SELECT row_number() OVER (), d, initcap((SELECT s FROM syllables OFFSET (k * 7 + d) % 20 LIMIT 1) || (SELECT s FROM syllables OFFSET (k * 13) % 20 LIMIT 1)),
       initcap((SELECT s FROM syllables OFFSET (k * 3 + d * 5) % 20 LIMIT 1) || (SELECT s FROM syllables OFFSET (k * 11 + d) % 20 LIMIT 1) || 'son'),
       CASE WHEN random() < 0.08 THEN NULL ELSE 'INS-' || lpad(((d * 100003 + k * 7) % 10000000)::text, 7, '0') END,
       born, (ARRAY['F','M'])[1 + (random() < 0.48)::int],
       greatest(0, (DATE '2024-01-01' - born) / 365.25 / 90 + random() * 0.25)
FROM (SELECT d, k, DATE '1940-01-01' + (random() * 29200)::int AS born FROM generate_series(1, 38) d, generate_series(1, ${perDoctor}) k) s;
INSERT INTO visits
SELECT row_number() OVER (), p.id, DATE '2023-01-01' + (random() * 364)::int, kind, m, round((m * 2.5 + random() * 20)::numeric, 2)
FROM patients p, LATERAL generate_series(1, (p.id % 3)::int) v,
     LATERAL (SELECT (ARRAY['checkup','urgent','followup'])[1 + ((p.id + v) % 3)::int] AS kind) k,
     LATERAL (SELECT CASE k.kind WHEN 'urgent' THEN 40 + (random() * 40)::int ELSE 10 + (random() * 30)::int END AS m) mm;
INSERT INTO prescriptions
SELECT row_number() OVER (), v.id, drug, refills, round((base * (0.8 + random() * 0.4))::numeric, 2)
FROM visits v, LATERAL generate_series(1, (v.id % 2)::int + (v.kind = 'urgent')::int) r,
     LATERAL (SELECT (ARRAY['amoxicillin','ibuprofen','metformin','lisinopril','atorvastatin','omeprazole'])[1 + ((v.id * 7 + r) % 6)::int] AS drug) dd,
     LATERAL (SELECT CASE dd.drug WHEN 'amoxicillin' THEN 0 WHEN 'ibuprofen' THEN 1 WHEN 'metformin' THEN 5 WHEN 'lisinopril' THEN 5 WHEN 'atorvastatin' THEN 11 ELSE 2 END AS refills,
                     CASE dd.drug WHEN 'amoxicillin' THEN 500 WHEN 'ibuprofen' THEN 400 WHEN 'metformin' THEN 850 WHEN 'lisinopril' THEN 10 WHEN 'atorvastatin' THEN 20 ELSE 40 END AS base) rb;
ANALYZE;`;

const RULES = [
  ...['doctors.specialty', 'patients.sex', 'visits.kind', 'prescriptions.drug'].map((c) => ({
    table: c.split('.')[0]!,
    column: c.split('.')[1]!,
    transform: 'keep',
  })),
  { table: 'patients', column: 'given', transform: 'firstName' },
  { table: 'patients', column: 'family', transform: 'lastName' },
  { table: 'patients', column: 'ident', transform: 'digits' },
  { table: 'patients', column: 'since', transform: 'dateShift' },
  { table: 'doctors', column: 'ref_date', transform: 'dateShift' },
  { table: 'doctors', column: 'code', transform: 'digits' },
];

/** SDV metadata: the same keys and types; personal columns as SDV's own PII sdtypes (it fakes them, as the rules do). */
const METADATA = {
  METADATA_SPEC_VERSION: 'V1',
  tables: {
    doctors: {
      primary_key: 'id',
      columns: {
        id: { sdtype: 'id' },
        specialty: { sdtype: 'categorical' },
        years: { sdtype: 'numerical' },
        rate: { sdtype: 'numerical' },
        ref_date: { sdtype: 'datetime', datetime_format: '%Y-%m-%d' },
        code: { sdtype: 'ssn', pii: true },
      },
    },
    patients: {
      primary_key: 'id',
      columns: {
        id: { sdtype: 'id' },
        doctor_id: { sdtype: 'id' },
        given: { sdtype: 'first_name', pii: true },
        family: { sdtype: 'last_name', pii: true },
        ident: { sdtype: 'ssn', pii: true },
        since: { sdtype: 'datetime', datetime_format: '%Y-%m-%d' },
        sex: { sdtype: 'categorical' },
        risk: { sdtype: 'numerical' },
      },
    },
    visits: {
      primary_key: 'id',
      columns: {
        id: { sdtype: 'id' },
        patient_id: { sdtype: 'id' },
        at: { sdtype: 'datetime', datetime_format: '%Y-%m-%d' },
        kind: { sdtype: 'categorical' },
        minutes: { sdtype: 'numerical' },
        cost: { sdtype: 'numerical' },
      },
    },
    prescriptions: {
      primary_key: 'id',
      columns: {
        id: { sdtype: 'id' },
        visit_id: { sdtype: 'id' },
        drug: { sdtype: 'categorical' },
        refills: { sdtype: 'numerical' },
        dose: { sdtype: 'numerical' },
      },
    },
  },
  relationships: [
    {
      parent_table_name: 'doctors',
      parent_primary_key: 'id',
      child_table_name: 'patients',
      child_foreign_key: 'doctor_id',
    },
    {
      parent_table_name: 'patients',
      parent_primary_key: 'id',
      child_table_name: 'visits',
      child_foreign_key: 'patient_id',
    },
    {
      parent_table_name: 'visits',
      parent_primary_key: 'id',
      child_table_name: 'prescriptions',
      child_foreign_key: 'visit_id',
    },
  ],
};

interface Scores {
  overall: number;
  properties: Record<string, number>;
  cardinality: Record<string, number>;
  pairs: Record<string, number | null>;
}

function exportCsv(url: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const table of Object.keys(METADATA.tables))
    execFileSync('psql', [
      url,
      '-q',
      '-c',
      `\\copy (SELECT * FROM ${table} ORDER BY id) TO '${join(dir, `${table}.csv`)}' CSV HEADER`,
    ]);
}

function python(args: string[]): string {
  const py = join(homedir(), '.cache/understudy/sdv/venv/bin/python');
  return execFileSync(py, [join(__dirname, 'sdv/compare.py'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  })
    .trim()
    .split('\n')
    .at(-1)!;
}

async function main(): Promise<void> {
  const perDoctor = Number(flag('--patients-per-doctor', '500'));
  const port = Number(flag('--port', '55521'));
  const dataDir = join(tmpdir(), `understudy-bench-sdv-${port}`);
  const server = await startPostgres({ dataDir, port });
  const work = mkdtempSync(join(tmpdir(), 'understudy-sdv-'));
  try {
    const production = await createDatabase(server.url, 'clinic_production');
    await query(production, load(perDoctor));
    const target = await createDatabase(server.url, 'clinic_target');
    await query(target, SCHEMA);
    const counts = await query<{ t: string; n: string }>(
      production,
      `SELECT 'doctors' t, count(*) n FROM doctors UNION ALL SELECT 'patients', count(*) FROM patients UNION ALL SELECT 'visits', count(*) FROM visits UNION ALL SELECT 'prescriptions', count(*) FROM prescriptions`,
    );
    process.stderr.write(`production: ${counts.map((c) => `${c.t} ${c.n}`).join(', ')}\n`);
    const metadataPath = join(work, 'metadata.json');
    const three = process.argv.includes('--three-tables');
    const { prescriptions: _left, ...threeTables } = METADATA.tables;
    const metadata = three
      ? {
          ...METADATA,
          tables: threeTables,
          relationships: METADATA.relationships.filter((r) => r.child_table_name !== 'prescriptions'),
        }
      : METADATA;
    writeFileSync(metadataPath, JSON.stringify(metadata));
    exportCsv(production, join(work, 'real'));

    const spec = DataSeedSpecSchema.parse({
      baselineRef: { name: 'bench' },
      source: { synthesize: { profile: { fromBaseline: { database: 'production' } }, scale: { ratio: '1' }, seed: 7 } },
      target: { urlSecretRef: { name: 'unused', key: 'unused' } },
      mode: 'Permissive',
      rules: RULES,
      // Reported, not enforced: the bench prints what failed rather than stopping.
      fidelity: { enforce: false },
    });
    const started = performance.now();
    const cpu = process.cpuUsage();
    const report = await runSeed({ spec, target, source: production });
    const understudySeconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const understudyCpu = (used.user + used.system) / 1e6;
    exportCsv(target, join(work, 'understudy'));

    mkdirSync(join(work, 'hma'), { recursive: true });
    const skipHma = process.argv.includes('--skip-hma');
    process.stderr.write(`understudy: ${understudySeconds.toFixed(1)} s; HMA fitting (${work})\n`);
    const hma = skipHma
      ? { fitSeconds: NaN, sampleSeconds: NaN, cpuSeconds: NaN }
      : (JSON.parse(python(['hma', join(work, 'real'), metadataPath, join(work, 'hma')])) as {
          fitSeconds: number;
          sampleSeconds: number;
          cpuSeconds: number;
        });
    const hmaSeconds = hma.fitSeconds + hma.sampleSeconds;

    const ours = JSON.parse(python(['score', join(work, 'real'), metadataPath, join(work, 'understudy')])) as Scores;
    const theirs: Scores = skipHma
      ? { overall: NaN, properties: {}, cardinality: {}, pairs: {} }
      : (JSON.parse(python(['score', join(work, 'real'), metadataPath, join(work, 'hma')])) as Scores);

    const f = (x: number | null | undefined): string =>
      (x === null || x === undefined || Number.isNaN(x) ? '-' : x.toFixed(3)).padStart(12);
    const lines = [
      `SDMetrics quality report (sdmetrics 0.32.0), clinic database: ${counts.map((c) => `${c.t} ${c.n}`).join(', ')}${three ? ' (scored and HMA on doctors, patients, visits)' : ''}`,
      `${''.padEnd(40)}${'Understudy'.padStart(12)}${'SDV HMA'.padStart(12)}`,
      `${'overall'.padEnd(40)}${f(ours.overall)}${f(theirs.overall)}`,
      ...Object.keys(ours.properties).map((p) => `${p.padEnd(40)}${f(ours.properties[p])}${f(theirs.properties[p])}`),
      ...Object.keys(ours.cardinality).map(
        (c) => `${`  cardinality ${c}`.padEnd(40)}${f(ours.cardinality[c])}${f(theirs.cardinality[c])}`,
      ),
      ...Object.keys(ours.pairs).map((p) => `${`  pair ${p}`.padEnd(40)}${f(ours.pairs[p])}${f(theirs.pairs[p])}`),
      `${'seconds'.padEnd(40)}${f(understudySeconds)}${f(hmaSeconds)}   (HMA fit ${hma.fitSeconds.toFixed(1)} s + sample ${hma.sampleSeconds.toFixed(1)} s)`,
      `${'CPU seconds of the process'.padEnd(40)}${f(understudyCpu)}${f(hma.cpuSeconds)}   (Understudy's excludes PostgreSQL's own work)`,
      `speed ratio (HMA / Understudy): ${(hmaSeconds / understudySeconds).toFixed(1)}×; quality difference (Understudy - HMA): ${(ours.overall - theirs.overall).toFixed(3)}`,
      `goal (quality ≥ HMA at ≥ 10× its speed): ${ours.overall >= theirs.overall && hmaSeconds / understudySeconds >= 10 ? 'met' : 'NOT met'}`,
      `Understudy's own fidelity report: ${report.fidelity?.passed ? 'passed' : 'FAILED'}${(report.fidelity?.violations ?? []).map((v) => `\n  ${v}`).join('')}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    stopPostgres(dataDir);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
