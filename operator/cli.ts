import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { registerCrdsCommand } from './commands/crds';
import { register as registerDevCommand } from './commands/dev';
import { register as registerLoadCommand } from './commands/load';
import { registerOperatorCommand } from './commands/operator';
import { register as registerParityCommand } from './commands/parity';
import { register as registerProfileCommand } from './commands/profile';
import { register as registerSeedCommand } from './commands/seed';
import { CONTROLLERS } from './controllers';

/** `understudy operator | dev | seed | profile | parity | load | crds` */
export function buildProgram(): Command {
  const program = new Command('understudy')
    .description('Production-like staging environments on demand: copies, safe data, measured drift')
    .version(packageVersion());
  registerCrdsCommand(program);
  registerOperatorCommand(program, CONTROLLERS);
  registerDevCommand(program);
  registerSeedCommand(program);
  registerProfileCommand(program);
  registerParityCommand(program);
  registerLoadCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

// Found by walking up, because the same file runs from operator/ (tsx) and dist/operator/ (compiled).
function packageVersion(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}
