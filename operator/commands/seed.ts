import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { API_VERSION } from '../api/common';
import { type DataSeedSpec, type DataSeedSpecInput, DataSeedSpecSchema } from '../api/dataseed';
import { KubeClient } from '../runtime/kube-client';
import { collect } from './options';
import { type StatusWriteOutcome, writeSeedStatus } from './seed-status-write';
import { kubeConfigFor, outputOption, renderStructured } from './conventions';
import { SeedError } from '../seed/errors';
import { goldenNameProblem } from '../seed/golden';
import { progressView } from '../seed/progress-view';
import { parseProfile, parseRules, type ReferenceReader, resolveSeedRequest } from '../seed/resolve';
import { runSeed, type SeedReport, type SeedRequest } from '../seed/run';
import { failureOf, statusOfReport } from '../seed/status';
import {
  EXIT_OK,
  exitCodeOf,
  fractionFlag,
  integerFlag,
  ratioFlag,
  readUserFile,
  rulesFromFiles,
} from '../seed/cli-input';

export interface SeedCommandOptions {
  target?: string;
  from?: string;
  profile?: string;
  profileFrom?: string;
  scale?: string;
  rows?: string[];
  rules?: string[];
  keyFile?: string;
  keyEnv?: string;
  root?: string[];
  where?: string;
  fraction?: string;
  followReferencing?: 'None' | 'Roots';
  mode?: 'Strict' | 'Permissive';
  reset?: 'Truncate' | 'Append';
  onFailure?: 'Rollback' | 'Empty';
  parallelism?: string;
  batchRows?: string;
  seed?: string;
  schema?: string[];
  exclude?: string[];
  foreignKeyChecks?: 'AfterLoad' | 'PerRow';
  leakScan?: boolean;
  /** spec.golden.database: fill this golden database (a copy of --target's database), swapped in only on success. */
  golden?: string;
  resource?: string;
  kubeconfig?: string;
  context?: string;
  /** The DataSeed's namespace when --resource names only the DataSeed. */
  namespace?: string;
  writeStatus?: boolean;
  output?: 'table' | 'wide' | 'json' | 'yaml';
  progress?: boolean;
  maxNullFractionDelta?: string;
  maxKs?: string;
  maxTv?: string;
  maxRowCountDeviation?: string;
  maxFanOutKs?: string;
  maxPairTrendDistance?: string;
  maxDistinctDeviation?: string;
  maxRangeDeviation?: string;
  /** false: report fidelity without failing on it (--no-enforce-fidelity). */
  enforceFidelity?: boolean;
}

// The URLs come from flags; the Secret references only satisfy the schema.
const PLACEHOLDER = { urlSecretRef: { name: 'cli', key: 'url' } };

function readKey(options: SeedCommandOptions): Buffer {
  if (options.keyFile) {
    try {
      return readFileSync(options.keyFile);
    } catch (err) {
      throw new SeedError(
        'InvalidSpec',
        `--key-file ${options.keyFile}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
      );
    }
  }
  if (options.keyEnv) {
    const value = process.env[options.keyEnv];
    if (!value) throw new SeedError('InvalidSpec', `--key-env ${options.keyEnv}: the variable is not set`);
    return Buffer.from(value, 'utf8');
  }
  throw new SeedError('InvalidSpec', '--from needs a masking key: --key-file <file> or --key-env <VARIABLE>');
}

function rowsFlag(rows: string[] | undefined): Record<string, number> | undefined {
  if (!rows?.length) return undefined;
  return Object.fromEntries(
    rows.map((r) => {
      const [table, n] = r.split('=');
      if (!table || !n || !/^[0-9]+$/.test(n))
        throw new SeedError('InvalidSpec', `--rows ${JSON.stringify(r)}: expected table=count`);
      return [table, Number(n)];
    }),
  );
}

/** spec.fidelity from the threshold flags; each in [0, 1]. Without flags, a synthesis gets the defaults, enforced. */
function fidelityFlags(options: SeedCommandOptions): DataSeedSpecInput['fidelity'] {
  const f = {
    maxNullFractionDelta: ratioFlag('--max-null-fraction-delta', options.maxNullFractionDelta, 1),
    maxKolmogorovSmirnov: ratioFlag('--max-ks', options.maxKs, 1),
    maxTotalVariation: ratioFlag('--max-tv', options.maxTv, 1),
    maxRowCountDeviation: ratioFlag('--max-row-count-deviation', options.maxRowCountDeviation, 1),
    maxFanOutKolmogorovSmirnov: ratioFlag('--max-fan-out-ks', options.maxFanOutKs, 1),
    maxPairTrendDistance: ratioFlag('--max-pair-trend-distance', options.maxPairTrendDistance, 1),
    maxDistinctDeviation: ratioFlag('--max-distinct-deviation', options.maxDistinctDeviation, 1),
    maxRangeDeviation: ratioFlag('--max-range-deviation', options.maxRangeDeviation, 1),
    enforce: options.enforceFidelity !== false,
  };
  const given = Object.entries(f).some(([k, v]) => k !== 'enforce' && v !== undefined) || !f.enforce;
  return given || options.from === undefined ? f : undefined;
}

/** A spec and request from flags, for any PostgreSQL URL outside Kubernetes. */
function goldenFlag(database: string): string {
  const problem = goldenNameProblem(database);
  if (problem) throw new SeedError('InvalidSpec', `--golden: ${problem}`);
  return database;
}

export function requestFromOptions(options: SeedCommandOptions): SeedRequest {
  if (!options.target) throw new SeedError('InvalidSpec', '--target <url> is required (or --resource namespace/name)');
  const sources = [options.from, options.profile, options.profileFrom].filter((x) => x !== undefined);
  if (sources.length !== 1)
    throw new SeedError(
      'InvalidSpec',
      'give exactly one of --from <url> (anonymize), --profile <file> or --profile-from <url> (synthesize)',
    );
  const fraction = fractionFlag('--fraction', options.fraction);
  if (fraction !== undefined && !options.root?.length)
    throw new SeedError('InvalidSpec', '--fraction needs --root <table>: it is the share of the root rows kept');
  const scale = ratioFlag('--scale', options.scale);
  const rules = rulesFromFiles(options.rules, parseRules);
  // The CLI's production URL comes from a flag, not a Baseline: the spec names a stand-in one, only to pass validation.
  const input: DataSeedSpecInput = {
    ...(options.from || options.profileFrom ? { baselineRef: { name: 'cli' } } : {}),
    source: options.from
      ? {
          anonymize: {
            from: { database: 'cli' },
            key: { secretKeyRef: { name: 'cli', key: 'key' } },
            ...(options.root?.length
              ? {
                  subset: {
                    roots: options.root.map((table) => ({ table, where: options.where, fraction })),
                    followReferencing: options.followReferencing ?? 'Roots',
                  },
                }
              : {}),
          },
        }
      : {
          synthesize: {
            profile: options.profile
              ? { configMapRef: { name: 'cli', key: 'profile' } }
              : { fromBaseline: { database: 'cli' } },
            scale: { ratio: scale, rows: rowsFlag(options.rows) },
            seed: integerFlag('--seed', options.seed),
          },
        },
    target: PLACEHOLDER,
    rules,
    mode: options.mode,
    reset: options.reset,
    onFailure: options.onFailure,
    runner: 'Inline',
    schemas: options.schema,
    exclude: options.exclude,
    foreignKeyChecks: options.foreignKeyChecks,
    leakScan: options.leakScan,
    parallelism: integerFlag('--parallelism', options.parallelism),
    batchRows: integerFlag('--batch-rows', options.batchRows),
    fidelity: fidelityFlags(options),
    ...(options.golden !== undefined ? { golden: { database: goldenFlag(options.golden) } } : {}),
  };
  const parsed = DataSeedSpecSchema.safeParse(input);
  if (!parsed.success)
    throw new SeedError('InvalidSpec', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const request: SeedRequest = { spec: parsed.data, target: options.target };
  if (options.from) {
    request.source = options.from;
    request.key = readKey(options);
  } else if (options.profile) {
    request.profile = parseProfile(readUserFile('--profile', options.profile), `--profile ${options.profile}`);
  } else {
    request.source = options.profileFrom;
  }
  return request;
}

interface DataSeedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; generation?: number };
  spec: unknown;
}

class KubeReferenceReader implements ReferenceReader {
  constructor(private readonly client: KubeClient) {}
  async secret(namespace: string, name: string) {
    const s = await this.client.get<{ apiVersion: string; kind: string; data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace,
      name,
    });
    return s
      ? Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
      : undefined;
  }
  async configMap(namespace: string, name: string) {
    const c = await this.client.get<{ apiVersion: string; kind: string; data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name,
    });
    return c ? (c.data ?? {}) : undefined;
  }
}

interface LoadedResource {
  client: KubeClient;
  object: DataSeedObject;
}

/** `--resource ns/name`: the DataSeed from the cluster (how the Job runner calls it). */
async function loadResource(options: SeedCommandOptions): Promise<LoadedResource> {
  const parts = (options.resource ?? '').split('/');
  const [namespace, name] = parts.length === 1 ? [options.namespace, parts[0]] : parts;
  if (parts.length > 2 || !namespace || !name)
    throw new SeedError(
      'InvalidSpec',
      `--resource ${JSON.stringify(options.resource)}: expected namespace/name (or name with -n <namespace>)`,
    );
  const client = new KubeClient(kubeConfigFor(options));
  const object = await client.get<DataSeedObject>({ apiVersion: API_VERSION, kind: 'DataSeed', namespace, name });
  if (!object) throw new SeedError('ReferenceNotFound', `DataSeed ${namespace}/${name} not found`);
  return { client, object };
}

/** The request of a DataSeed: its spec checked, its Secrets and ConfigMaps read. */
async function resourceRequest(resource: LoadedResource): Promise<SeedRequest> {
  const parsed = DataSeedSpecSchema.safeParse(resource.object.spec);
  if (!parsed.success)
    throw new SeedError(
      'InvalidSpec',
      parsed.error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; '),
    );
  const spec: DataSeedSpec = parsed.data;
  return resolveSeedRequest(spec, resource.object.metadata.namespace, new KubeReferenceReader(resource.client));
}

/** Every measured column and foreign key, for `--output wide`. */
function fidelityDetail(f: NonNullable<SeedReport['fidelity']>): string[] {
  const n = (x: number | undefined): string => (x === undefined ? '-' : x.toFixed(4)).padStart(9);
  const lines = [
    `  ${'column'.padEnd(44)} ${'null Δ'.padStart(9)} ${'KS'.padStart(9)} ${'TV'.padStart(9)} ${'distinct'.padStart(9)} ${'range'.padStart(9)}`,
  ];
  for (const c of f.columns)
    lines.push(
      `  ${`${c.table}.${c.column}`.padEnd(44)} ${n(c.nullFractionDelta)} ${n(c.kolmogorovSmirnov)} ${n(c.totalVariation)} ${n(c.distinctRatio)} ${n(c.rangeOverlap)}${c.personal ? `  personal (${c.personal}), distinct deviation ${c.distinctDeviation?.toFixed(4) ?? '-'}` : ''}`,
    );
  for (const k of f.foreignKeys)
    lines.push(`  ${`${k.table} (${k.foreignKey})`.padEnd(44)} fan-out KS ${k.fanOutKolmogorovSmirnov.toFixed(4)}`);
  for (const p of f.pairs ?? [])
    lines.push(`  ${`${p.table}.(${p.columns.join(', ')})`.padEnd(44)} ${p.metric} ${p.similarity.toFixed(4)}`);
  return lines;
}

export function formatReport(report: SeedReport, wide = false): string {
  const lines = [
    `${report.source}: ${report.totals.rows.toLocaleString('en-US')} rows in ${report.totals.seconds.toFixed(1)} s (${report.totals.rowsPerSecond.toLocaleString('en-US')} rows/s)`,
  ];
  for (const t of report.tables)
    lines.push(`  ${t.name.padEnd(32)} ${String(t.rows).padStart(10)} rows ${t.seconds.toFixed(2).padStart(8)} s`);
  if (report.golden)
    lines.push(
      `golden ${report.golden.database} refreshed at ${report.golden.refreshedAt}${report.golden.leftOver ? ` (the previous golden is still in use: left as ${report.golden.leftOver}, dropped by the next refresh)` : ''}`,
    );
  if (report.piiCoverage)
    lines.push(
      `columns covered: ${report.piiCoverage.covered}/${report.piiCoverage.total} (${report.piiCoverage.personal} personal)`,
    );
  if (report.integrity)
    lines.push(
      `foreign-key orphans: ${report.integrity.foreignKeyOrphans}, unique violations: ${report.integrity.uniqueViolations}`,
    );
  if (report.leaks)
    lines.push(
      `leak scan: ${report.leaks.length === 0 ? 'no production value found in masked columns' : report.leaks.map((l) => `${l.column} (${l.values})`).join(', ')}`,
    );
  const f = report.fidelity;
  if (f) {
    const w = f.worst;
    lines.push(
      `fidelity: ${f.passed ? 'passed' : 'FAILED'}; worst null-fraction Δ ${w.nullFractionDelta?.toFixed(4) ?? '-'}, KS ${w.kolmogorovSmirnov?.toFixed(4) ?? '-'}, TV ${w.totalVariation?.toFixed(4) ?? '-'}, row-count deviation ${w.rowCountDeviation?.toFixed(4) ?? '-'}, fan-out KS ${w.fanOutKolmogorovSmirnov?.toFixed(4) ?? '-'}, pair-trend similarity ${w.pairTrendSimilarity?.toFixed(4) ?? '-'}`,
    );
    for (const v of f.violations.slice(0, 20)) lines.push(`  ${v}`);
    if (wide) lines.push(...fidelityDetail(f));
  }
  return lines.join('\n');
}

/** Runs the command; returns the exit code (0 seeded, 1 the seed ran and failed its checks, 2 bad input or unreachable). */
/** The report as -o asks: a table (wide: every column's fidelity metrics), JSON or YAML. */
function reportText(report: SeedReport, output: SeedCommandOptions['output']): string {
  return output === 'json' || output === 'yaml'
    ? renderStructured(report, output)
    : `${formatReport(report, output === 'wide')}\n`;
}

export async function runSeedCommand(
  options: SeedCommandOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const view = options.progress === false ? undefined : progressView();
  let resource: LoadedResource | undefined;
  try {
    if (options.resource && options.golden !== undefined)
      throw new SeedError('InvalidSpec', "--golden: with --resource, the DataSeed's spec.golden applies");
    resource = options.resource ? await loadResource(options) : undefined;
    const request = resource ? await resourceRequest(resource) : requestFromOptions(options);
    const report = await runSeed(request, { onProgress: (p) => view?.update(p) });
    view?.stop();
    out.write(reportText(report, options.output));
    if (resource && options.writeStatus) {
      const status = statusOfReport(report, resource.object.metadata.generation, new Date());
      const written = await writeSeedStatus(resource.client, targetOf(resource), status);
      if (written !== 'written') process.stderr.write(statusSkipped(written));
    }
    return EXIT_OK;
  } catch (err) {
    view?.stop();
    // A seed that ran and failed its checks still shows what it measured.
    if (err instanceof SeedError && err.report) out.write(reportText(err.report, options.output));
    const failure = failureOf(err);
    process.stderr.write(
      options.output === 'json'
        ? `${JSON.stringify({ event: 'failed', ...failure })}\n`
        : `seed failed (${failure.reason}): ${failure.message}\n`,
    );
    if (resource && options.writeStatus) {
      const { generation } = resource.object.metadata;
      await writeSeedStatus(resource.client, targetOf(resource), { phase: 'Failed', observedGeneration: generation })
        // The Job's failure reaches the controller anyway (the pod's exit and termination message).
        .catch(() => undefined);
    }
    return exitCodeOf(err);
  }
}

function targetOf(resource: LoadedResource): Parameters<typeof writeSeedStatus>[1] {
  const { namespace, name, generation } = resource.object.metadata;
  return { namespace: namespace ?? '', name, generation };
}

function statusSkipped(outcome: Exclude<StatusWriteOutcome, 'written'>): string {
  return outcome === 'superseded'
    ? 'status not written: the DataSeed changed while seeding; the run of its new generation reports\n'
    : 'status not written: the DataSeed is gone\n';
}

export function register(program: Command): void {
  program
    .command('seed')
    .description(
      'Fill a PostgreSQL database with production-like data: synthesized from a profile (--profile, --profile-from) or an anonymized subset of production (--from). Strict: a column without a rule fails the seed before anything is written.',
    )
    .option('--target <url>', 'database to fill')
    .option('--from <url>', 'anonymize: the production database to read (read-only)')
    .option('--profile <file>', 'synthesize: a profile captured by `understudy profile`')
    .option('--profile-from <url>', 'synthesize: profile this database now (catalogue and aggregates only)')
    .option('--scale <ratio>', 'synthesize: rows per table as a ratio of production, e.g. 0.1')
    .option('--rows <table=count>', 'synthesize: exact rows for a table (repeatable)', collect)
    .option('--seed <n>', 'synthesize: random seed, for repeatable data')
    .option('--rules <file.yaml>', 'rules file (repeatable): [{table, column, transform, params}]', collect)
    .option('--key-file <file>', 'anonymize: file holding the masking key (at least 16 bytes)')
    .option('--key-env <VARIABLE>', 'anonymize: environment variable holding the masking key')
    .option('--root <table>', 'anonymize: subset root table (repeatable)', collect)
    .option('--where <sql>', "anonymize: condition on the root rows (over the root table's copied columns only)")
    .option(
      '--fraction <ratio>',
      'anonymize: deterministic fraction of the root rows, greater than 0 and at most 1, e.g. 0.1',
    )
    .addOption(
      new Option('--follow-referencing <which>', 'anonymize: add rows descending from the roots').choices([
        'None',
        'Roots',
      ]),
    )
    .addOption(new Option('--mode <mode>', 'Strict fails on columns without a rule').choices(['Strict', 'Permissive']))
    .addOption(
      new Option('--reset <policy>', 'empty the target tables first, or append').choices(['Truncate', 'Append']),
    )
    .addOption(
      new Option(
        '--on-failure <policy>',
        'a seed that fails after writing began: Rollback leaves the target as it was; Empty empties the seeded tables and records the failure in understudy.seed_runs',
      ).choices(['Rollback', 'Empty']),
    )
    .addOption(
      new Option('--foreign-key-checks <when>', 'verify foreign keys per row, or set-wise after each table').choices([
        'AfterLoad',
        'PerRow',
      ]),
    )
    .option('--parallelism <n>', 'independent tables written at once')
    .option('--batch-rows <n>', 'rows per COPY chunk')
    .option('--schema <name>', 'database schema to seed (repeatable; default public)', collect)
    .option('--exclude <table>', 'table to leave alone (repeatable)', collect)
    .option('--no-leak-scan', 'skip the leak scan after anonymize')
    .option(
      '--golden <database>',
      "fill this golden database instead of the target: a copy of --target's database, seeded, then swapped in by renames only if the seed succeeded (spec.golden.database); the role needs CREATEDB",
    )
    .option('--max-null-fraction-delta <x>', 'fidelity: largest null-fraction difference per column (default 0.01)')
    .option('--max-ks <x>', 'fidelity: largest KS distance on numeric and date columns (default 0.1)')
    .option('--max-tv <x>', 'fidelity: largest total variation on categorical columns (default 0.1)')
    .option('--max-row-count-deviation <x>', 'fidelity: largest relative row-count deviation per table (default 0.01)')
    .option('--max-fan-out-ks <x>', 'fidelity: largest KS distance of children per parent (default 0.1)')
    .option(
      '--max-pair-trend-distance <x>',
      "fidelity: largest 1 - similarity of a column pair's trend, as SDMetrics measures it (default 0.15)",
    )
    .option(
      '--max-distinct-deviation <x>',
      'fidelity: personal columns, largest relative deviation of the distinct count (default 0.5)',
    )
    .option(
      '--max-range-deviation <x>',
      'fidelity: personal numbers and dates, largest 1 - range overlap (default 0.1)',
    )
    .option('--no-enforce-fidelity', 'report fidelity without failing the seed on it (exit 0)')
    .option(
      '--resource <namespace/name>',
      'run a DataSeed resource from the cluster (its Secrets and ConfigMaps); name alone with -n',
    )
    .option('--kubeconfig <path>', 'kubeconfig for --resource (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--context <name>', 'kubeconfig context for --resource (default: its current context)')
    .option('-n, --namespace <namespace>', 'namespace of the --resource when it names only the DataSeed')
    .option('--write-status', 'with --resource: write the result into the DataSeed status')
    .addOption(
      outputOption(['table', 'wide', 'json', 'yaml'], 'table', "report format (wide: every column's fidelity metrics)"),
    )
    .option('--no-progress', 'no progress bar or progress lines')
    .action(async (options: SeedCommandOptions) => {
      process.exitCode = await runSeedCommand(options);
    });
}
