import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parse as parseYaml } from 'yaml';
import { type ParityCheckSpecInput, type ResolvedParityCheck, parseResolvedParityCheck } from '../api/paritycheck';
import { PrometheusClient } from '../parity/behaviour/prometheus';
import { runParityCheck, type ParityCheckResult, type ParitySources } from '../parity/check';
import { EXIT_INCONCLUSIVE, exitCodeOf, formatReport } from '../parity/report';
import { buildSources, needsObjects, type SourceResolver } from '../parity/sources/build';
import { readSecretKey } from '../parity/sources/cluster-reader';
import { KubeObjectSource } from '../parity/sources/kube';
import { namespaceExists } from '../parity/sources/namespaces';
import type { KubeConfig } from '../runtime/client-node';
import { KubeClient } from '../runtime/kube-client';
import { kubeConfigFor, outputOption, renderStructured } from './conventions';
import { collect } from './options';

export interface ParityCommandOptions {
  staging: string;
  production: string;
  kubeconfig?: string;
  context?: string;
  productionKubeconfig?: string;
  productionContext?: string;
  postgresStaging?: string;
  postgresProduction?: string;
  schemas?: string[];
  expectedRowRatio?: string;
  prometheus?: string;
  query?: string[];
  /** --default-queries / --no-default-queries; absent: on when no query is given. */
  defaultQueries?: boolean;
  service?: string[];
  environment?: string;
  spec?: string;
  namespace?: string;
  failOn?: 'info' | 'warning' | 'critical';
  config?: boolean;
  output?: 'table' | 'wide' | 'json' | 'yaml';
}

/** `name=promql`, the query holding {{namespace}} (and optionally {{service}}). */
function parseQueryFlag(text: string): { name: string; query: string } {
  const at = text.indexOf('=');
  if (at <= 0)
    throw new Error(
      `--query ${JSON.stringify(text)}: expected name=PromQL, for example p95=histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{namespace="{{namespace}}"}[5m])))`,
    );
  return { name: text.slice(0, at), query: text.slice(at + 1) };
}

/** The spec of a ParityCheck manifest (or a bare spec) from a YAML file: its ignore rules, tolerances and queries. */
function specFromFile(path: string): Partial<ParityCheckSpecInput> {
  const document = parseYaml(readFileSync(path, 'utf8')) as { kind?: string; spec?: unknown } | null;
  if (!document || typeof document !== 'object') throw new Error(`--spec ${path}: not a YAML mapping`);
  return (document.kind === 'ParityCheck' ? document.spec : document) as Partial<ParityCheckSpecInput>;
}

/** The CLI reads no Baseline: it runs with the user's own credentials, and takes production's databases from flags. */
const FROM_FLAGS = 'from-flags';

export function specFromOptions(options: ParityCommandOptions): ResolvedParityCheck {
  const { baselineRef: _baselineRef, ...base } = options.spec ? specFromFile(options.spec) : {};
  const categories: NonNullable<ParityCheckSpecInput['categories']> = { ...(base.categories ?? {}) };
  if (options.config === false) categories.configuration = { ...(categories.configuration ?? {}), enabled: false };
  if (options.postgresStaging || options.postgresProduction) {
    // Without a schema category in --spec, the two URLs make one; with it, a flag replaces its side.
    if (!categories.schema && (!options.postgresStaging || !options.postgresProduction))
      throw new Error(
        '--postgres-staging and --postgres-production go together (or give --spec with a schema category)',
      );
    // The CLI connects with the URLs it was given; these references only satisfy the schema.
    const sides = {
      staging: { connectionSecretRef: { name: FROM_FLAGS, key: 'url' } },
      production: { database: FROM_FLAGS },
    };
    if (!categories.schema) categories.data ??= {};
    categories.schema = {
      ...sides,
      ...(categories.schema ?? {}),
      ...(options.schemas ? { schemas: options.schemas } : {}),
    };
  }
  if (options.expectedRowRatio)
    categories.data = { ...(categories.data ?? {}), expectedRowRatio: options.expectedRowRatio };
  const behaviourFlags = options.query?.length || options.defaultQueries !== undefined || options.service?.length;
  if (behaviourFlags && !options.prometheus)
    throw new Error(
      `${options.query?.length ? '--query' : options.service?.length ? '--service' : '--default-queries'} needs --prometheus <url>`,
    );
  if (options.prometheus) {
    // Given a Prometheus, the default query set runs unless queries are named (or --no-default-queries).
    const behaviour = { ...(categories.behaviour ?? {}) };
    if (options.query?.length) behaviour.queries = options.query.map(parseQueryFlag);
    const defaults = { ...(behaviour.defaults ?? {}) };
    if (options.defaultQueries !== undefined) defaults.enabled = options.defaultQueries;
    if (options.service?.length) defaults.services = options.service;
    if (defaults.enabled === false && !behaviour.queries?.length)
      throw new Error('--no-default-queries needs at least one --query name=PromQL (or queries in --spec)');
    categories.behaviour = { ...behaviour, defaults };
  }
  return parseResolvedParityCheck({
    ...base,
    staging: { ...(base.staging ?? {}), namespace: options.staging },
    production: { namespace: options.production },
    categories,
    ...(options.failOn ? { failOn: options.failOn } : {}),
  });
}

/** `namespace/name` of the StagingEnvironment whose overrides count as expected: --environment, else the spec's environmentRef in --namespace. */
function environmentKey(
  options: ParityCommandOptions,
  spec: ResolvedParityCheck,
  namespace: string,
): EnvironmentKey | undefined {
  if (options.environment) {
    const [envNamespace, envName, ...extra] = options.environment.split('/');
    if (!envNamespace || !envName || extra.length > 0)
      throw new Error(`--environment ${JSON.stringify(options.environment)}: expected namespace/name`);
    return { namespace: envNamespace, name: envName, field: '--environment' };
  }
  const ref = spec.staging.environmentRef;
  return ref ? { namespace, name: ref.name, field: 'spec.staging.environmentRef' } : undefined;
}

interface EnvironmentKey {
  namespace: string;
  name: string;
  /** The flag or spec field that named it, for messages. */
  field: string;
}

/**
 * An environment's overrides and scale ratios only explain differences of the
 * namespace it made: applied to another one they would excuse real drift as
 * "expected". So the environment must have made --staging.
 */
export function checkEnvironmentTarget(environment: object | undefined, key: EnvironmentKey, staging: string): void {
  const target = (environment as { status?: { namespace?: unknown } } | undefined)?.status?.namespace;
  const which = `${key.field} ${key.namespace}/${key.name}`;
  if (typeof target !== 'string' || target === '') {
    throw new Error(
      `${which}: the StagingEnvironment has no target namespace yet (status.namespace is empty), so it cannot be the environment of --staging ${staging}; wait until it is Ready, or leave ${key.field} out`,
    );
  }
  if (target !== staging) {
    throw new Error(
      `${which}: the StagingEnvironment's target namespace is ${target}, not --staging ${staging}; its overrides and scale ratios would be applied to the wrong namespace (pass --staging ${target}, or the environment that made ${staging})`,
    );
  }
}

/** The user's own clusters, connected on first use so a metrics-only run needs none. */
class Clusters {
  private own: KubeConfig | undefined;
  private ownClient: KubeClient | undefined;
  private production: KubeConfig | undefined;

  constructor(private readonly options: ParityCommandOptions) {}

  stagingConfig(): KubeConfig {
    return (this.own ??= kubeConfigFor(this.options));
  }

  /** Production's cluster: its own kubeconfig or context when given, else staging's. */
  productionConfig(): KubeConfig {
    const { productionKubeconfig, productionContext } = this.options;
    if (!productionKubeconfig && !productionContext) return this.stagingConfig();
    return (this.production ??= kubeConfigFor({
      kubeconfig: productionKubeconfig ?? this.options.kubeconfig,
      context: productionContext ?? (productionKubeconfig ? undefined : this.options.context),
    }));
  }

  private separateProduction(): boolean {
    return this.options.productionKubeconfig !== undefined || this.options.productionContext !== undefined;
  }

  client(): KubeClient {
    return (this.ownClient ??= new KubeClient(this.stagingConfig()));
  }

  /**
   * Throws (exit 2) when --staging and --production name one namespace of one
   * cluster: the check would compare production with itself and always agree.
   */
  refuseSelfComparison(): void {
    const { staging, production } = this.options;
    if (staging !== production) return;
    const server = (config: KubeConfig) => config.getCurrentCluster()?.server;
    if (this.separateProduction() && server(this.stagingConfig()) !== server(this.productionConfig())) return;
    throw new Error(
      `--staging and --production are both namespace ${staging} of one cluster: a check compares a copy with production, not production with itself (give --production-context or --production-kubeconfig when production runs in another cluster)`,
    );
  }

  /** Throws (exit 2) on a namespace that does not exist: listing it would answer nothing, and nothing is not parity. */
  async requireNamespaces(): Promise<void> {
    const production = this.separateProduction() ? new KubeClient(this.productionConfig()) : this.client();
    for (const [client, name, flag] of [
      [this.client(), this.options.staging, '--staging'],
      [production, this.options.production, '--production'],
    ] as const) {
      if ((await namespaceExists(client, name)) === false) throw new Error(`${flag} ${name}: namespace does not exist`);
    }
  }
}

async function readEnvironment(
  clusters: Clusters,
  key: EnvironmentKey | undefined,
  staging: string,
): Promise<ParitySources['environment'] | undefined> {
  if (!key) return undefined;
  const environment = await clusters.client().get({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'StagingEnvironment',
    namespace: key.namespace,
    name: key.name,
  });
  if (!environment) throw new Error(`${key.field} ${key.namespace}/${key.name}: StagingEnvironment not found`);
  checkEnvironmentTarget(environment, key, staging);
  return environment;
}

/** Sources from flags and the user's own credentials; the user's RBAC decides what can be read. */
function cliResolver(
  options: ParityCommandOptions,
  clusters: Clusters,
  namespace: string,
  environment: ParitySources['environment'] | undefined,
): SourceResolver {
  return {
    objects: () =>
      Promise.resolve({
        staging: KubeObjectSource.fromKubeConfig(clusters.stagingConfig(), 'staging'),
        production: KubeObjectSource.fromKubeConfig(clusters.productionConfig(), 'production'),
      }),
    stagingDatabaseUrl: async (ref, field) =>
      options.postgresStaging ??
      (
        await readSecretKey(
          clusters.client(),
          ref.from === 'Staging' ? options.staging : namespace,
          ref.name,
          ref.key,
          field,
        )
      ).trim(),
    productionDatabaseUrl: (_name, field) =>
      options.postgresProduction
        ? Promise.resolve(options.postgresProduction)
        : Promise.reject(
            new Error(`${field}: the CLI reads no Baseline; pass the production database with --postgres-production`),
          ),
    metrics: (timeoutMs) =>
      options.prometheus
        ? Promise.resolve(new PrometheusClient(options.prometheus, timeoutMs))
        : Promise.reject(new Error('spec.categories.behaviour: pass the Prometheus with --prometheus <url>')),
    ...(environment ? { environment } : {}),
  };
}

/** Runs one check from flags; returns the result and the exit code (0 in parity, 1 drift, 2 inconclusive or error). */
export async function runParityCommand(
  options: ParityCommandOptions,
  now = new Date(),
): Promise<{ result: ParityCheckResult; exitCode: number }> {
  const spec = specFromOptions(options);
  const namespace = options.namespace ?? (options.spec ? manifestNamespace(options.spec) : undefined) ?? 'default';
  const clusters = new Clusters(options);
  if (needsObjects(spec)) {
    clusters.refuseSelfComparison();
    await clusters.requireNamespaces();
  }
  const environment = await readEnvironment(clusters, environmentKey(options, spec, namespace), options.staging);
  const built = await buildSources(spec, cliResolver(options, clusters, namespace, environment));
  try {
    const result = await runParityCheck(spec, built.sources, undefined, now);
    return { result, exitCode: exitCodeOf(result) };
  } finally {
    await built.close();
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
      'Compare a staging namespace with production once, with your own credentials, and print the differences. Exit codes: 0 in parity, 1 unexpected drift at or above --fail-on, 2 could not decide: a usage error (an unknown flag or value), too little data (Inconclusive; -o json says so in status.summary.verdict), a namespace that does not exist, or a source that could not be read.',
    )
    .requiredOption('--staging <namespace>', 'staging namespace')
    .requiredOption('--production <namespace>', 'production namespace')
    .option('--kubeconfig <path>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--context <name>', 'kubeconfig context of staging (default: the current context)')
    .option('--production-kubeconfig <path>', 'kubeconfig of production when it runs in another cluster')
    .option('--production-context <name>', 'kubeconfig context of production when it runs in another cluster')
    .option('--postgres-staging <url>', 'staging database URL, for the schema and data categories')
    .option('--postgres-production <url>', 'production database URL')
    .option('--schemas <schema>', 'PostgreSQL schema to compare (repeatable; default public)', collect)
    .option('--expected-row-ratio <ratio>', 'expected staging/production row-count ratio, for example 0.1')
    .option('--prometheus <url>', 'Prometheus base URL, for the behaviour category')
    .option(
      '--query <name=promql>',
      'a named PromQL query with {{namespace}} and optionally {{service}} (repeatable); without any, the default query set runs',
      collect,
    )
    .option(
      '--default-queries',
      'run the default query set (p50/p95/p99 latency, error rate, CPU and memory utilisation per service) besides the --query ones',
    )
    .option('--no-default-queries', 'run only the --query ones')
    .option(
      '--service <name>',
      'a service the default queries run for (repeatable; default: the Deployments and StatefulSets found on both sides)',
      collect,
    )
    .option(
      '--environment <namespace/name>',
      'the StagingEnvironment that made --staging (its status.namespace must be --staging): its overrides and scale count as expected',
    )
    .option(
      '--spec <file>',
      'a ParityCheck manifest (or spec) whose categories, ignore rules, tolerances and queries to use; its Baseline is not read (production comes from the flags)',
    )
    .option(
      '-n, --namespace <namespace>',
      "the ParityCheck's namespace: where its staging Secrets live (from: ParityCheck) and its environmentRef (default: the manifest's namespace, else default)",
    )
    .addOption(
      new Option('--fail-on <severity>', 'lowest severity that fails the check').choices([
        'info',
        'warning',
        'critical',
      ]),
    )
    .option('--no-config', 'skip the configuration category')
    .addOption(
      outputOption(
        ['table', 'wide', 'json', 'yaml'],
        'table',
        'output format (table wraps long values, wide puts one finding on a line)',
      ),
    )
    .action(async (options: ParityCommandOptions) => {
      try {
        const { result, exitCode } = await runParityCommand(options);
        const structured = {
          status: result.status,
          findings: result.findings,
          inconclusive: result.inconclusive,
          requests: result.requests,
        };
        process.stdout.write(
          options.output === 'json' || options.output === 'yaml'
            ? renderStructured(structured, options.output)
            : formatReport(result, { wide: options.output === 'wide' }),
        );
        process.exitCode = exitCode;
      } catch (err) {
        process.stderr.write(`understudy parity: ${(err as Error).message}\n`);
        process.exitCode = EXIT_INCONCLUSIVE;
      }
    });
}
