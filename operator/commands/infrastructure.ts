import type { Command } from 'commander';
import type * as RunStack from '../infrastructure/run-stack';
import { FIELD_MANAGER } from '../api/common';
import { RequestFileError, runJobPod } from '../infrastructure/job-pod';
import { KubeClient } from '../runtime/kube-client';
import { EXIT, kubeConfigFor, UsageError } from './conventions';

// `understudy infrastructure run`: the command of an infrastructure Job's pod
// (Baseline runner Job). Not meant to be typed: the operator creates the Job,
// mounts the request (a Secret) and pre-creates the result Secret, which this
// command may only patch.

export interface InfrastructureRunOptions {
  request: string;
  resultSecret: string;
  kubeconfig?: string;
  context?: string;
}

export function parseSecretRef(value: string): { namespace: string; name: string } {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?)$/.exec(value);
  if (!match) throw new UsageError(`--result-secret ${value}: expected <namespace>/<name>`);
  return { namespace: match[1]!, name: match[3]! };
}

export async function runInfrastructureCommand(options: InfrastructureRunOptions): Promise<number> {
  const resultSecret = parseSecretRef(options.resultSecret);
  const client = new KubeClient(kubeConfigFor(options), { fieldManager: FIELD_MANAGER });
  // Loaded here: @pulumi/pulumi is large, and no other command needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy load; module node16 refuses `import()` of a CommonJS path
  const { runStack } = require('../infrastructure/run-stack') as typeof RunStack;
  const abort = new AbortController();
  // A deleted Job (its environment changed or went away) stops the engine; the next run recovers the stack.
  process.once('SIGTERM', () => abort.abort());
  try {
    return await runJobPod({ requestFile: options.request, resultSecret, client, run: runStack, signal: abort.signal });
  } catch (error) {
    if (error instanceof RequestFileError) throw new UsageError(error.message);
    throw error;
  }
}

export function register(program: Command): void {
  const infrastructure = program
    .command('infrastructure')
    .description('Infrastructure stacks of StagingEnvironments (Baseline spec.infrastructure.pulumi).');
  infrastructure
    .command('run')
    .description(
      'Run one stack operation as the pod of an infrastructure Job (Baseline runner Job): read the request the operator mounted, run up, destroy or a refresh preview with the pulumi engine, and patch progress and the result (outputs included) into the result Secret the operator created. Nothing of the request or the outputs is printed. Exit 0 once the result is written, whether the operation succeeded or not; 1 when it could not be written; 2 on bad input.',
    )
    .requiredOption('--request <file>', 'the stack request (JSON), as the operator mounts it')
    .requiredOption('--result-secret <namespace/name>', 'the Secret to patch with progress and the result')
    .option('--kubeconfig <path>', 'kubeconfig (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--context <name>', 'kubeconfig context to use (default: its current context)')
    .action(async (options: InfrastructureRunOptions) => {
      const code = await runInfrastructureCommand(options);
      // The engine's inline-program server keeps handles open: a pod's command must end once its result is written.
      process.exit(code === 0 ? EXIT.ok : EXIT.failed);
    });
}
