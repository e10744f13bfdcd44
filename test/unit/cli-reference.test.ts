import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { buildProgram } from '../../operator/cli';
import { renderCliReference, undescribed } from '../../tools/cli-reference';

// docs/cli.md is generated from the commander program; a flag added, renamed
// or re-described without regenerating it fails here.

describe('CLI reference', () => {
  it('is what docs/cli.md holds (run `npx tsx tools/cli-reference.ts` after changing a command)', () => {
    expect(readFileSync(join(__dirname, '../../docs/cli.md'), 'utf8')).toBe(renderCliReference());
  });

  it('lists every command and every visible option of the program', () => {
    const doc = renderCliReference();
    const program = buildProgram();
    const walk = (c: Command): Command[] => [c, ...c.commands.flatMap(walk)];
    for (const command of walk(program)) {
      for (const option of command.options.filter((o) => !o.hidden && o.long !== '--help'))
        expect(doc).toContain(`| \`${option.flags}\` |`);
    }
    expect(doc).toContain('## understudy dev up');
    expect(doc).not.toContain('--test-controller'); // hidden: tests only
  });

  it('renders defaults, choices and arguments, escapes pipes, and notices a missing description', () => {
    const program = new Command('understudy');
    program
      .command('demo')
      .description('a demo | with a pipe')
      .argument('<name>')
      .addOption(new Option('-o, --output <format>', 'json|yaml').choices(['json', 'yaml']).default('json'))
      .option('--count <n>', 'how many', '3');
    const doc = renderCliReference(program);
    expect(doc).toContain('a demo | with a pipe'); // prose is left alone
    expect(doc).toContain('| `-o, --output <format>` | json\\|yaml | `json` | `json`, `yaml` |');
    expect(doc).toContain('| `--count <n>` | how many | `3` |  |');
    expect(doc).toContain('understudy demo [options] <name>');
    expect(undescribed(program)).toEqual(['understudy', 'understudy demo <name>']);
  });
});
