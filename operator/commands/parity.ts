import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { type ParityCheckSpecInput, parseParityCheckSpec } from '../api/paritycheck';
import { runParityCheck, type ParityCheckResult } from '../parity/check';
import { PostgresCatalogue } from '../parity/database/postgres';
import { EXIT_INCONCLUSIVE, exitCodeOf, formatReport } from '../parity/report';
import { buildSources, type ClusterReader } from '../parity/sources/build';
import { KubeClusterReader } from '../parity/sources/cluster-reader';
import { KubeObjectSource } from '../parity/sources/kube';
import { type KubeConfig, loadKubeConfig } from '../runtime/client-node';
import { KubeClient } from '../runtime/kube-client';
import { collect } from './options';

export interface ParityCommandOptions {
  staging: string;
  production: string;
  kubeconfig?: string;
  productionKubeconfig?: string;
  postgresStaging?: string;
  postgresProduction?: string;
  schemas?: string[];
  expectedRowRatio?: string;
  prometheus?: string;
  query?: string[];
  environment?: string;
  spec?: string;
  namespace?: string;
  failOn?: 'info' | 'warning' | 'critical';
  config?: boolean;
  output?: 'table' | 'json';
}

/** `name=promql`, the query holding {{namespace}} (and optionally {{service}}). */
function parseQueryFlag(text: string): { name: string; query: string } {
  const at = text.indexOf('=');
  if (at <= 0) throw new Error(`--query ${JSON.stringify(text)}: expected name=PromQL, for example p95=histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{namespace}}"}[5m])))`);
  return { name: text.slice(0, at), query: text.slice(at + 1) };
}

/** The spec of a ParityCheck manifest (or a bare spec) from a YAML file: its ignore rules, tolerances and queries. */
function specFromFile(path: string): Partial<ParityCheckSpecInput> {
  const document = parseYaml(readFileSync(path, 'utf8')) as { kind?: string; spec?: unknown } | null;
  if (!document || typeof document !== 'object') throw new Error(`--spec ${path}: not a YAML mapping`);
  return (document.kind === 'ParityCheck' ? document.spec : document) as Partial<ParityCheckSpecInput>;
}

export function specFromOptions(options: ParityCommandOptions): ReturnType<typeof parseParityCheckSpec> {
  const base = options.spec ? specFromFile(options.spec) : {};
  const categories: NonNullable<ParityCheckSpecInput['categories']> = { ...(base.categories ?? {}) };
  if (options.config === false) categories.configuration = { ...(categories.configuration ?? {}), enabled: false };
  if (options.postgresStaging || options.postgresProduction) {
    if (!options.postgresStaging || !options.postgresProduction) throw new Error('--postgres-staging and --postgres-production go together');
    // The CLI connects with the URLs it was given; the Secret reference only satisfies the schema.
    const placeholder = { connectionSecretRef: { name: 'cli', key: 'url' } };
    categories.schema = { ...(categories.schema ?? {}), staging: placeholder, production: placeholder, ...(options.schemas ? { schemas: options.schemas } : {}) };
    categories.data = { ...(categories.data ?? {}), ...(options.expectedRowRatio ? { expectedRowRatio: options.expectedRowRatio } : {}) };
  }
  if (options.prometheus || options.query?.length) {
    const queries = options.query?.length ? options.query.map(parseQueryFlag) : categories.behaviour?.queries;
    if (!queries?.length) throw new Error('--prometheus needs at least one --query name=PromQL (or queries in --spec)');
    const prometheus = options.prometheus ? { url: options.prometheus } : categories.behaviour?.prometheus;
    if (!prometheus) throw new Error('--query needs --prometheus (or a Prometheus in --spec)');
    categories.behaviour = { ...(categories.behaviour ?? {}), prometheus, queries };
  }
  let environmentRef = base.staging?.environmentRef;
  if (options.environment) {
    const [envNamespace, envName] = options.environment.split('/');
    if (!envNamespace || !envName) throw new Error(`--environment ${JSON.stringify(options.environment)}: expected namespace/name`);
    environmentRef = { namespace: envNamespace, name: envName };
  }
  return parseParityCheckSpec({
    ...base,
    staging: { ...(base.staging ?? {}), namespace: options.staging, ...(environmentRef ? { environmentRef } : {}) },
    production: { ...(base.production ?? {}), namespace: options.production },
    categories,
    ...(options.failOn ? { failOn: options.failOn } : {}),
  });
}

/** Reads Secrets and the StagingEnvironment only when the spec needs them, so a metrics-only run needs no cluster. */
class LazyClusterReader implements ClusterReader {
  private reader: KubeClusterReader | undefined;
  constructor(private readonly kubeConfig: () => KubeConfig) {}
  private get(): KubeClusterReader {
    return (this.reader ??= new KubeClusterReader(new KubeClient(this.kubeConfig())));
  }
  secret(namespace: string, name: string) {
    return this.get().secret(namespace, name);
  }
  stagingEnvironment(namespace: string, name: string) {
    return this.get().stagingEnvironment(namespace, name);
  }
}

/** Runs one check from flags; returns the result and the exit code (0 in parity, 1 drift, 2 inconclusive or error). */
export async function runParityCommand(options: ParityCommandOptions, now = new Date()): Promise<{ result: ParityCheckResult; exitCode: number }> {
  const spec = specFromOptions(options);
  let kubeConfig: KubeConfig | undefined;
  const ownKubeConfig = () => (kubeConfig ??= loadKubeConfig(options.kubeconfig));
  const namespace = options.namespace ?? (options.spec ? manifestNamespace(options.spec) : undefined) ?? 'default';
  const built = await buildSources(spec, namespace, new LazyClusterReader(ownKubeConfig), ownKubeConfig);
  const catalogues: PostgresCatalogue[] = [];
  try {
    const { sources } = built;
    if (options.productionKubeconfig && sources.objects) {
      sources.objects = { ...sources.objects, production: KubeObjectSource.fromKubeConfig(loadKubeConfig(options.productionKubeconfig), 'production') };
    }
    if (options.postgresStaging && options.postgresProduction) {
      const staging = new PostgresCatalogue(options.postgresStaging, 'staging');
      const production = new PostgresCatalogue(options.postgresProduction, 'production');
      catalogues.push(staging, production);
      sources.databases = { staging, production };
      delete sources.dataDatabases;
      delete sources.unavailable?.schema;
      delete sources.unavailable?.data;
    }
    const result = await runParityCheck(spec, sources, undefined, now);
    return { result, exitCode: exitCodeOf(result) };
  } finally {
    await Promise.all([built.close(), ...catalogues.map((d) => d.close())]);
  }
}

function manifestNamespace(path: string): string | undefined {
  const document = parseYaml(readFileSync(path, 'utf8')) as { metadata?: { namespace?: string } } | null;
  return document?.metadata?.namespace;
}

export function register(program: Command): void {
  program
    .command('parity')
    .description(
      'Compare a staging namespace with production once and print the differences. Exit codes: 0 in parity, 1 unexpected drift at or above --fail-on, 2 inconclusive (too little data) or a source that could not be read.',
    )
    .requiredOption('--staging <namespace>', 'staging namespace')
    .requiredOption('--production <namespace>', 'production namespace')
    .option('--kubeconfig <path>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--production-kubeconfig <path>', 'kubeconfig of production when it runs in another cluster')
    .option('--postgres-staging <url>', 'staging database URL, for the schema and data categories')
    .option('--postgres-production <url>', 'production database URL')
    .option('--schemas <schema>', 'PostgreSQL schema to compare (repeatable; default public)', collect)
    .option('--expected-row-ratio <ratio>', 'expected staging/production row-count ratio, for example 0.1')
    .option('--prometheus <url>', 'Prometheus base URL, for the behaviour category')
    .option('--query <name=promql>', 'a named PromQL query with {{namespace}} and optionally {{service}} (repeatable)', collect)
    .option('--environment <namespace/name>', 'the StagingEnvironment that made staging: its overrides and scale count as expected')
    .option('--spec <file>', 'a ParityCheck manifest (or spec) whose ignore rules, tolerances and queries to use')
    .option('--namespace <namespace>', 'where the Secrets the spec refers to live (default: the manifest\'s namespace, else default)')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the check').choices(['info', 'warning', 'critical']))
    .option('--no-config', 'skip the configuration category')
    .addOption(new Option('--output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (options: ParityCommandOptions) => {
      try {
        const { result, exitCode } = await runParityCommand(options);
        process.stdout.write(options.output === 'json' ? JSON.stringify({ status: result.status, findings: result.findings, inconclusive: result.inconclusive, requests: result.requests }, null, 2) + '\n' : formatReport(result));
        process.exitCode = exitCode;
      } catch (err) {
        process.stderr.write(`understudy parity: ${(err as Error).message}\n`);
        process.exitCode = EXIT_INCONCLUSIVE;
      }
    });
}
