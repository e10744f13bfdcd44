import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createDatabase, startPostgres, stopPostgres } from '../test/setup/postgres';

// DataSeed benchmark: the shop schema at 1M rows (10M with --ten-million),
// synthesize and anonymize, against (a) plain COPY FROM of the same rows
// pre-written as files — the ceiling — and (b) the anchor. Every number
// printed is measured in this run; each phase runs in its own process so its
// peak RSS is its own.
//
// @snaplet/seed is not run: 0.98.0 is ESM-only and needs its `sync` code
// generation (Prisma internals, LangChain) before a seed script exists; the
// anchor is instead what most teams write — batched multi-row INSERTs of faker values.
//
//   npx tsx bench/seed.ts [--rows 1000000] [--ten-million] [--anchor-rows 100000] [--port 55519]
//   UNDERSTUDY_BENCH_CPU_PROFILE=/tmp/prof npx tsx bench/seed.ts   # one .cpuprofile per phase

interface PhaseResult {
  phase: string;
  rows: number;
  seconds: number;
  timings?: { prepareSeconds: number; writeSeconds: number; verifySeconds: number };
  maxRssMiB: number;
  leaks?: number;
  worstKS?: number;
  integrity?: { foreignKeyOrphans: number; uniqueViolations: number };
}

const ROWS_PER_USER = 16.7;

function flag(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

/** Runs one phase in its own process; each result is printed at once, so a long run that fails late still reports. */
function phase(args: string[]): PhaseResult {
  // UNDERSTUDY_BENCH_CPU_PROFILE=<dir> writes a V8 CPU profile per phase, to see where the time goes.
  const profile = process.env.UNDERSTUDY_BENCH_CPU_PROFILE
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        process.env.UNDERSTUDY_BENCH_CPU_PROFILE,
        '--cpu-prof-name',
        `${args[0]}.cpuprofile`,
      ]
    : [];
  const out = execFileSync(
    process.execPath,
    [...profile, '--import', 'tsx', join(__dirname, 'seed-worker.ts'), ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 },
  );
  const line = out.trim().split('\n').at(-1)!;
  process.stderr.write(`${line}\n`);
  return JSON.parse(line) as PhaseResult;
}

const rate = (r: PhaseResult): number => r.rows / r.seconds;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12);

async function benchAt(baseUrl: string, rows: number, anchorRows: number): Promise<void> {
  const prod = await createDatabase(baseUrl, `bench_seed_prod_${rows}`);
  const target = await createDatabase(baseUrl, `bench_seed_target_${rows}`);
  const dir = `/tmp/understudy-bench-seed-copy-${rows}`;
  const users = Math.round(rows / ROWS_PER_USER);
  const loaded = phase(['load', prod, target, String(users)]);
  process.stderr.write(
    `production: ${loaded.rows.toLocaleString('en-US')} rows of the shop schema loaded in ${loaded.seconds ?? '?'} s\n`,
  );
  const synth = phase(['synthesize', prod, target]);
  const ceiling = phase(['copy', prod, target, dir]);
  const ceilingReplica = phase(['copy-replica', prod, target, dir]);
  const anon = phase(['anonymize', prod, target]);
  const anchor = anchorRows > 0 ? phase(['faker', prod, target, String(Math.round(anchorRows / 10.2))]) : undefined;
  rmSync(dir, { recursive: true, force: true });

  const rows_ = [
    ['synthesize (runSeed, incl. profiling + verification)', synth],
    ['anonymize (runSeed, incl. leak scan + verification)', anon],
    ['COPY FROM files, FK triggers on  [ceiling]', ceiling],
    ['COPY FROM files, replica mode (no FK triggers)', ceilingReplica],
    ...(anchor
      ? [[`faker + batched INSERT (1000/stmt) [anchor, ${anchor.rows.toLocaleString('en-US')} rows]`, anchor]]
      : []),
  ] as Array<[string, PhaseResult]>;
  console.log(`\n== shop schema, ${loaded.rows.toLocaleString('en-US')} production rows ==`);
  console.log(
    `${'phase'.padEnd(66)} ${'rows'.padStart(12)} ${'seconds'.padStart(9)} ${'rows/s'.padStart(12)} ${'peak RSS'.padStart(9)}`,
  );
  for (const [name, r] of rows_)
    console.log(
      `${name.padEnd(66)} ${fmt(r.rows)} ${r.seconds.toFixed(2).padStart(9)} ${fmt(rate(r))} ${`${r.maxRssMiB} MiB`.padStart(9)}`,
    );
  const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
  for (const [name, r] of [
    ['synthesize', synth],
    ['anonymize', anon],
  ] as const) {
    const t = r.timings!;
    console.log(
      `  ${name} phases: prepare ${t.prepareSeconds.toFixed(2)} s, write ${t.writeSeconds.toFixed(2)} s (${fmt(r.rows / t.writeSeconds).trim()} rows/s), verify ${t.verifySeconds.toFixed(2)} s`,
    );
  }
  console.log('\nratios (same run):');
  console.log(`  synthesize / COPY ceiling          ${ratio(rate(synth), rate(ceiling))}   (target ≥ 0.50)`);
  console.log(`  synthesize / COPY replica mode     ${ratio(rate(synth), rate(ceilingReplica))}`);
  console.log(`  synthesize write phase / ceiling   ${ratio(synth.rows / synth.timings!.writeSeconds, rate(ceiling))}`);
  console.log(`  anonymize write phase rows/s       ${fmt(anon.rows / anon.timings!.writeSeconds).trim()}`);
  console.log(`  anonymize rows/s on one worker     ${fmt(rate(anon)).trim()}   (target ≥ 100,000)`);
  console.log(`  anonymize / COPY ceiling           ${ratio(rate(anon), rate(ceiling))}`);
  if (anchor) {
    console.log(`  synthesize / faker INSERT anchor   ${ratio(rate(synth), rate(anchor))}   (target ≥ 10)`);
    console.log(`  anonymize / faker INSERT anchor    ${ratio(rate(anon), rate(anchor))}   (target ≥ 10)`);
  }
  console.log(`  peak RSS synthesize / anonymize    ${synth.maxRssMiB} / ${anon.maxRssMiB} MiB   (target ≤ 512 MiB)`);
  console.log(
    `  integrity: orphans ${synth.integrity?.foreignKeyOrphans}/${anon.integrity?.foreignKeyOrphans}, unique violations ${synth.integrity?.uniqueViolations}/${anon.integrity?.uniqueViolations}, leaks ${anon.leaks}, worst KS ${synth.worstKS?.toFixed(3)}`,
  );
}

async function main(): Promise<void> {
  const rows = Number(flag('--rows', '1000000'));
  const anchorRows = Number(flag('--anchor-rows', '100000'));
  const external = process.env.UNDERSTUDY_BENCH_PG_URL;
  const dataDir = '/tmp/understudy-bench-seed-pg/data';
  const server = external ? undefined : await startPostgres({ dataDir, port: Number(flag('--port', '55519')) });
  const baseUrl = external ?? server!.url;
  try {
    await benchAt(baseUrl, rows, anchorRows);
    if (process.argv.includes('--ten-million')) await benchAt(baseUrl, 10_000_000, 0);
  } finally {
    if (server) {
      stopPostgres(dataDir);
      rmSync('/tmp/understudy-bench-seed-pg', { recursive: true, force: true });
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
