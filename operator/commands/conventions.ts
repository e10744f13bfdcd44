import { Command, CommanderError, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { type KubeConfig, loadKubeConfig } from '../runtime/client-node';
import { errorMessage } from '../runtime/error-message';

// What every `understudy` command shares, so a CI job can rely on it:
// exit codes, `-o`, and how a cluster is chosen.

/**
 * 0 success; 1 the thing ran and failed (drift, a stalled environment, a
 * failed check); 2 it could not run or could not decide: a usage error
 * (an unknown flag, a bad value, a missing argument), a cluster or database
 * that did not answer, a timeout. A typo never reads as a failed check.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Output formats; each command offers the ones that mean something for it. */
export type OutputFormat = 'text' | 'table' | 'wide' | 'json' | 'yaml';

/** `-o, --output <format>` with its choices, the same short flag as kubectl. */
export function outputOption(
  formats: readonly OutputFormat[],
  defaultFormat: OutputFormat,
  what = 'result format',
): Option {
  return new Option('-o, --output <format>', `${what}: ${formats.join(', ')}`)
    .choices([...formats])
    .default(defaultFormat);
}

/** JSON or YAML of a value, for `-o json` and `-o yaml`. */
export function renderStructured(value: unknown, format: 'json' | 'yaml'): string {
  return format === 'yaml' ? toYaml(value) : `${JSON.stringify(value, null, 2)}\n`;
}

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}

/** `--kubeconfig`, `--context` and `-n, --namespace`, as kubectl spells them. */
export function addClusterOptions(command: Command, namespaceHelp: string): Command {
  return command
    .option('--kubeconfig <path>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .option('-n, --namespace <namespace>', namespaceHelp);
}

/** An error in what the user typed: exit 2, whichever command finds it. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The user's kubeconfig with --context applied; an unknown context is a usage error naming the ones there are. */
export function kubeConfigFor(options: Pick<ClusterOptions, 'kubeconfig' | 'context'>): KubeConfig {
  const kubeConfig = loadKubeConfig(options.kubeconfig);
  if (options.context !== undefined) {
    if (!kubeConfig.getContextObject(options.context)) {
      const known = kubeConfig.getContexts().map((c) => c.name);
      throw new UsageError(
        `--context ${options.context}: no such context in the kubeconfig${known.length > 0 ? ` (it has ${known.join(', ')})` : ''}`,
      );
    }
    kubeConfig.setCurrentContext(options.context);
  }
  return kubeConfig;
}

/**
 * Commander exits 1 on a usage error by default, which a CI gate reads as
 * "the check failed". Every command (subcommands inherit this when created
 * after it) throws instead, and runProgram turns that into exit 2; help and
 * --version stay 0. Commander has already printed the error, naming the bad
 * flag or value.
 */
export function withUsageExitCodes(program: Command): Command {
  return program.exitOverride().showSuggestionAfterError(true);
}

/** Runs the program and returns its exit code; never throws. */
export async function runProgram(
  program: Command,
  argv: readonly string[],
  stderr: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    // An action that threw rather than returning its code: it could not run.
    stderr(`understudy: ${errorMessage(err)}\n`);
    return EXIT.usage;
  }
}

/** A deprecated flag still works, and says what replaces it (on stderr, so -o json stays parseable). */
export function deprecated(
  flag: string,
  replacement: string,
  stderr: (text: string) => void = (t) => process.stderr.write(t),
): void {
  stderr(`understudy: ${flag} is deprecated; use ${replacement}\n`);
}
