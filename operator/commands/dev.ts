import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import pino from 'pino';
import { parse as parseYaml } from 'yaml';
import { API_VERSION } from '../api/common';
import { SECRET_POLICIES } from '../api/stagingenvironment';
import { contextNamespace } from '../runtime/client-node';
import { getCondition } from '../runtime/conditions';
import { KubeClient } from '../runtime/kube-client';
import { isConflict } from '../runtime/kube-errors';
import { createLogger } from '../runtime/logger';
import { DevInputError, type EnvironmentManifest, environmentManifest, parseDevUpInput, timeoutMs } from './dev-input';
import { assessEnvironment, type Assessment, type EnvironmentView, readySummary } from './dev-progress';
import { follow, type FollowResult } from './follow';
import {
  addClusterOptions,
  type ClusterOptions,
  EXIT as CLI_EXIT,
  kubeConfigFor,
  outputOption,
  renderStructured,
} from './conventions';
import { collect } from './options';

// `understudy dev up|wait|down`: one environment from a laptop or a CI job, with
// progress while it comes up and a clear reason when it cannot. Exit codes
// (conventions.ts): 0 Ready (or gone), 1 Stalled or failed tests, 2 bad input,
// API error or timeout.

export const EXIT = { ok: CLI_EXIT.ok, failed: CLI_EXIT.failed, error: CLI_EXIT.usage } as const;
const FIELD_MANAGER = 'understudy-dev';
const KIND = 'StagingEnvironment';

export interface DevIo {
  /** The result: a summary, or JSON with --output json. */
  out(text: string): void;
  /** Progress lines and errors. */
  err(text: string): void;
}

const processIo: DevIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

type DevOutput = 'text' | 'wide' | 'json' | 'yaml';

interface CommonOptions extends ClusterOptions {
  output?: DevOutput;
}

/** Creates or updates the environment, then waits until it is Ready (or Stalled, or the timeout passes). */
export async function runDevUp(
  name: string,
  raw: Record<string, unknown> & CommonOptions & { file?: string },
  io: DevIo = processIo,
): Promise<number> {
  try {
    const input = parseDevUpInput({ ...withoutCommon(raw), name });
    const base = raw.file ? manifestFile(raw.file) : {};
    const { client, namespace } = connect(
      raw,
      input.namespace ?? (base.metadata as { namespace?: string } | undefined)?.namespace,
    );
    const manifest = environmentManifest(input, namespace, base);
    const applied = await applyEnvironment(client, manifest, input.force);
    io.err(`applied stagingenvironment ${namespace}/${name} (generation ${applied.metadata.generation})\n`);
    if (!input.wait) return EXIT.ok;

    return await waitForEnvironment(
      client,
      namespace,
      name,
      { waitForTests: input.waitForTests, timeout: input.timeout, output: raw.output },
      io,
    );
  } catch (err) {
    io.err(`understudy dev up: ${(err as Error).message}\n`);
    return EXIT.error;
  }
}

interface WaitOptions {
  waitForTests: boolean;
  timeout: string;
  output?: DevOutput;
}

/** Follows the environment until Ready (and its tests, if asked), Stalled, deleted or the timeout; returns the exit code. */
async function waitForEnvironment(
  client: KubeClient,
  namespace: string,
  name: string,
  options: WaitOptions,
  io: DevIo,
): Promise<number> {
  const report = progressReporter(io);
  const followed = await followEnvironment<{ assessment: Assessment; env: EnvironmentView }>(
    client,
    namespace,
    name,
    timeoutMs(options),
    (env, elapsedMs) => {
      if (!env)
        return {
          assessment: {
            outcome: 'stalled',
            line: `stagingenvironment ${namespace}/${name} does not exist (or was deleted while waiting)`,
          },
          env: { metadata: { name, namespace } },
        };
      const assessment = assessEnvironment(env, { waitForTests: options.waitForTests, elapsedMs });
      report(assessment.line, elapsedMs);
      return assessment.outcome === 'waiting' ? undefined : { assessment, env };
    },
  );
  if (!followed.done) {
    const last = followed.last
      ? assessEnvironment(followed.last, { waitForTests: options.waitForTests }).line
      : 'no environment';
    io.err(`timed out after ${options.timeout} waiting for ${namespace}/${name}; last: ${last}\n`);
    if (options.output === 'json' || options.output === 'yaml')
      io.out(renderStructured({ outcome: 'timeout', namespace, name, status: followed.last?.status }, options.output));
    return EXIT.error;
  }
  const { assessment, env } = followed.result;
  if (options.output === 'json' || options.output === 'yaml')
    io.out(
      renderStructured(
        { outcome: assessment.outcome, namespace, name, message: assessment.line, status: env.status },
        options.output,
      ),
    );
  else if (assessment.outcome === 'ready')
    io.out([...readySummary(env), ...(options.output === 'wide' ? conditionLines(env) : [])].join('\n') + '\n');
  else io.err(`${assessment.line}\n`);
  return assessment.outcome === 'ready' ? EXIT.ok : EXIT.failed;
}

/** Waits for an environment someone else applied (kubectl, Argo CD, a Helm chart), as `dev up` does after applying. */
export async function runDevWait(
  name: string,
  raw: CommonOptions & { timeout?: string; waitForTests?: boolean },
  io: DevIo = processIo,
): Promise<number> {
  try {
    const { client, namespace } = connect(raw, raw.namespace);
    return await waitForEnvironment(
      client,
      namespace,
      name,
      { waitForTests: raw.waitForTests === true, timeout: raw.timeout ?? '10m', output: raw.output },
      io,
    );
  } catch (err) {
    io.err(`understudy dev wait: ${(err as Error).message}\n`);
    return EXIT.error;
  }
}

/** Deletes the environment and waits until it is gone (its namespace with it); an absent one is already done. */
export async function runDevDown(
  name: string,
  raw: CommonOptions & { timeout?: string; wait?: boolean },
  io: DevIo = processIo,
): Promise<number> {
  try {
    const timeout = raw.timeout ?? '5m';
    const waitMs = timeoutMs({ timeout });
    const { client, namespace } = connect(raw, raw.namespace);
    const ref = { apiVersion: API_VERSION, kind: KIND, namespace, name };
    const existing = await client.get<EnvironmentView & { kind: string }>(ref);
    if (!existing || !(await client.delete(ref))) {
      io.err(`stagingenvironment ${namespace}/${name} is already gone\n`);
      return EXIT.ok;
    }
    io.err(
      `deleting stagingenvironment ${namespace}/${name} and namespace ${existing.status?.namespace ?? '(none yet)'}\n`,
    );
    if (raw.wait === false) return EXIT.ok;
    const report = progressReporter(io);
    const followed = await followEnvironment<true>(client, namespace, name, waitMs, (env, elapsedMs) => {
      if (!env) return true;
      const reconciling = getCondition(env.status?.conditions, 'Reconciling');
      const waiting =
        reconciling?.status === 'True' ? reconciling.message : 'waiting for the operator to remove its finalizer';
      report(`${env.status?.phase ?? 'Terminating'}: ${waiting}`, elapsedMs);
      return undefined;
    });
    if (!followed.done) {
      io.err(`timed out after ${timeout}: ${namespace}/${name} still exists (is the operator running?)\n`);
      return EXIT.error;
    }
    io.out(
      `stagingenvironment ${namespace}/${name} deleted, namespace ${existing.status?.namespace ?? '(none)'} with it\n`,
    );
    return EXIT.ok;
  } catch (err) {
    io.err(`understudy dev down: ${(err as Error).message}\n`);
    return EXIT.error;
  }
}

async function applyEnvironment(
  client: KubeClient,
  manifest: EnvironmentManifest,
  force: boolean,
): Promise<EnvironmentManifest> {
  try {
    return await client.apply(manifest, { force });
  } catch (err) {
    if (isConflict(err))
      throw new Error(
        `${(err as Error).message}\nanother manager (kubectl, Argo CD, ...) owns some of these fields; rerun with --force to take them over`,
        { cause: err },
      );
    throw err;
  }
}

/** Prints a line when what the environment is doing changes, with the seconds waited so far. */
function progressReporter(io: DevIo): (line: string, elapsedMs: number) => void {
  let last = '';
  return (line, elapsedMs) => {
    if (line === last) return;
    last = line;
    io.err(`[${String(Math.round(elapsedMs / 1000)).padStart(4)}s] ${line}\n`);
  };
}

function manifestFile(path: string): Record<string, unknown> {
  const document = parseYaml(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
  if (!document || typeof document !== 'object' || document.kind !== KIND)
    throw new DevInputError(`--file ${path}: expected one StagingEnvironment manifest`);
  return document;
}

/** `-o wide`: every condition, as `kubectl describe` lists them. */
function conditionLines(env: EnvironmentView): string[] {
  return (env.status?.conditions ?? []).map((c) => `condition ${c.type}=${c.status} (${c.reason}): ${c.message}`);
}

/** A client as the CLI's field manager, and the namespace: the one given, else the kubeconfig context's, else default. */
function connect(
  cluster: Pick<ClusterOptions, 'kubeconfig' | 'context'>,
  namespace: string | undefined,
): { client: KubeClient; namespace: string } {
  const kubeConfig = kubeConfigFor(cluster);
  return {
    client: new KubeClient(kubeConfig, { fieldManager: FIELD_MANAGER }),
    namespace: namespace ?? contextNamespace(kubeConfig) ?? 'default',
  };
}

/** follow() for one StagingEnvironment, its informer's retries logged to stderr. */
function followEnvironment<R>(
  client: KubeClient,
  namespace: string,
  name: string,
  timeoutMs: number,
  decide: (env: EnvironmentView | undefined, elapsedMs: number) => R | undefined,
): Promise<FollowResult<EnvironmentView & { kind?: string }, R>> {
  return follow<EnvironmentView & { kind?: string }, R>({
    client,
    apiVersion: API_VERSION,
    kind: KIND,
    namespace,
    name,
    timeoutMs,
    logger: cliLogger(),
    decide,
  });
}

function withoutCommon(raw: Record<string, unknown>): Record<string, unknown> {
  const { kubeconfig: _k, context: _c, output: _o, file: _f, ...rest } = raw;
  return rest;
}

/** Informer retries go to stderr as JSON, so stdout stays the result alone. */
function cliLogger() {
  return createLogger({ level: 'warn', destination: pino.destination(2) });
}

export function register(program: Command): void {
  const dev = program
    .command('dev')
    .description('Create, wait for and delete one StagingEnvironment from a laptop or a CI job, with progress.');
  const common = (command: Command) =>
    addClusterOptions(
      command,
      "namespace of the StagingEnvironment (default: the manifest's, else the kubeconfig context's, else default)",
    ).addOption(outputOption(['text', 'wide', 'json', 'yaml'], 'text', 'result format (wide adds every condition)'));
  common(
    dev
      .command('up')
      .argument('<name>', "the StagingEnvironment's name, in the namespace of -n or the kubeconfig context")
      .description(
        'Create or update an environment and wait until it is Ready. Exit codes: 0 Ready, 1 Stalled or tests failed, 2 bad input, API error or timeout.',
      )
      .option('--baseline <name>', 'the Baseline to copy (kubectl get baselines); it must allow the namespace')
      .option('-f, --file <manifest>', 'a StagingEnvironment manifest; the flags below override it')
      .option('--image <service=image>', 'image override for one service (repeatable)', collect)
      .option('--env <service:NAME=value>', 'environment variable for one service (repeatable)', collect)
      .option(
        '--shared <service>',
        "use the baseline's instance of this service instead of a copy (repeatable)",
        collect,
      )
      .option('--replicas <ratio>', 'replica ratio against the baseline, for example 0.25')
      .option('--resources <ratio>', 'CPU and memory ratio against the baseline')
      .addOption(
        new Option('--secrets <policy>', "what becomes of the baseline's Secrets").choices([...SECRET_POLICIES]),
      )
      .option('--copy-secret <name>', 'copy this Secret as it is (repeatable; implies --secrets CopyListed)', collect)
      .option('--ttl <duration>', 'delete the environment this long after its creation, for example 72h')
      .option(
        '--host-template <template>',
        'Ingress host template, for example {{service}}.{{environment}}.preview.example.com',
      )
      .option('--timeout <duration>', 'how long to wait for Ready', '10m')
      .option('--wait-for-tests', "also wait for the environment's tests Jobs to pass")
      .option('--no-wait', 'apply and return at once')
      .option('--force', 'take over fields another manager owns'),
  ).action(async (name: string, options: Record<string, unknown>) => {
    process.exitCode = await runDevUp(name, options);
  });
  common(
    dev
      .command('wait')
      .argument('<name>', "the StagingEnvironment's name, in the namespace of -n or the kubeconfig context")
      .description(
        'Wait for an environment applied some other way (kubectl, Argo CD) to become Ready, with progress. Exit codes as for up.',
      )
      .option('--timeout <duration>', 'how long to wait', '10m')
      .option('--wait-for-tests', "also wait for the environment's tests Jobs to pass"),
  ).action(async (name: string, options: CommonOptions & { timeout?: string; waitForTests?: boolean }) => {
    process.exitCode = await runDevWait(name, options);
  });
  common(
    dev
      .command('down')
      .argument('<name>', "the StagingEnvironment's name, in the namespace of -n or the kubeconfig context")
      .description(
        'Delete an environment and wait until it and its namespace are gone. Exit codes: 0 gone, 2 API error or timeout.',
      )
      .option('--timeout <duration>', 'how long to wait', '5m')
      .option('--no-wait', 'delete and return at once'),
  ).action(async (name: string, options: CommonOptions & { timeout?: string; wait?: boolean }) => {
    process.exitCode = await runDevDown(name, options);
  });
}
