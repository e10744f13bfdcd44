import { Command } from 'commander';
import { runProgram, withUsageExitCodes } from './commands/conventions';
import { registerCrdsCommand } from './commands/crds';
import { register as registerDevCommand } from './commands/dev';
import { register as registerInfrastructureCommand } from './commands/infrastructure';
import { register as registerLoadCommand } from './commands/load';
import { registerOperatorCommand } from './commands/operator';
import { register as registerParityCommand } from './commands/parity';
import { register as registerProfileCommand } from './commands/profile';
import { register as registerSeedCommand } from './commands/seed';
import { CONTROLLERS } from './controllers';
import { packageVersion } from './package-version';

/** `understudy operator | dev | seed | profile | parity | load | infrastructure | crds` */
export function buildProgram(): Command {
  // Before any subcommand is registered: they inherit it (usage errors exit 2).
  const program = withUsageExitCodes(new Command('understudy'))
    .description(
      'Production-like staging environments on demand: copies, safe data, measured drift. Exit codes, every command: 0 success, 1 it ran and failed (drift, a stalled environment, a failed check), 2 usage or connection error.',
    )
    .version(packageVersion() ?? '0.0.0');
  registerCrdsCommand(program);
  registerOperatorCommand(program, CONTROLLERS);
  registerDevCommand(program);
  registerSeedCommand(program);
  registerProfileCommand(program);
  registerParityCommand(program);
  registerLoadCommand(program);
  registerInfrastructureCommand(program);
  return program;
}

/** Runs the CLI; sets process.exitCode (0, 1 or 2, see commands/conventions.ts) and never rejects. */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runProgram(buildProgram(), argv);
}
