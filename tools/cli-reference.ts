import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Argument, Command, Option } from 'commander';
import { buildProgram } from '../operator/cli';
import { EXIT } from '../operator/commands/conventions';

// docs/cli.md, rendered from the commander program operator/cli.ts builds:
// the same descriptions, defaults and choices `--help` prints, so the
// reference cannot drift from the commands. `--check` exits 1 when stale.

const REPO = resolve(__dirname, '..');
const FILE = resolve(REPO, 'docs/cli.md');
const COMMAND = 'npx tsx tools/cli-reference.ts';

/** What the EXIT codes mean for every command (operator/commands/conventions.ts). */
const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  ok: 'success: the environment is Ready, the check is in parity, the seed passed its checks',
  failed: 'it ran and failed: drift at or above `--fail-on`, a Stalled environment, a failed test, seed or threshold',
  usage:
    'it could not run or could not decide: an unknown flag or value, a missing argument, a cluster or database that did not answer, a timeout',
};

/** Every visible subcommand, depth first, without commander's implicit `help`. */
function subcommands(command: Command): Command[] {
  return command
    .createHelp()
    .visibleCommands(command)
    .filter((c) => c.name() !== 'help');
}

function walk(command: Command): Command[] {
  return [command, ...subcommands(command).flatMap(walk)];
}

function path(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Markdown table cells: no pipes or line breaks from a description. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

function code(text: string): string {
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function defaultOf(item: Option | Argument): string {
  if (item.defaultValueDescription !== undefined) return item.defaultValueDescription;
  const value: unknown = item.defaultValue;
  if (value === undefined || value === false) return '';
  if (Array.isArray(value) && value.length === 0) return '';
  // A default computed from where the code sits (crds --root) would make the file differ per checkout.
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === REPO ? 'the repository root' : code(text.split(REPO).join('.'));
}

function choicesOf(item: Option | Argument): string {
  return item.argChoices ? item.argChoices.map(code).join(', ') : '';
}

function argumentName(arg: Argument): string {
  const name = `${arg.name()}${arg.variadic ? '...' : ''}`;
  return arg.required ? `<${name}>` : `[${name}]`;
}

function usage(command: Command): string {
  const parts = [path(command)];
  if (options(command).length > 0) parts.push('[options]');
  if (subcommands(command).length > 0) parts.push('<command>');
  parts.push(...command.registeredArguments.map(argumentName));
  return parts.join(' ');
}

function anchor(command: Command): string {
  return path(command).replace(/\s+/g, '-');
}

/** `-h, --help` is on every command: said once at the top rather than in every table. */
function options(command: Command): Option[] {
  return command
    .createHelp()
    .visibleOptions(command)
    .filter((o) => o.long !== '--help');
}

function section(command: Command): string[] {
  const out = [`## ${path(command)}`, ''];
  if (command.description()) out.push(command.description(), '');
  out.push('```', usage(command), '```', '');
  const children = subcommands(command);
  if (children.length > 0) {
    out.push('| command | what it does |', '| --- | --- |');
    for (const child of children)
      out.push(`| [${code(path(child))}](#${anchor(child)}) | ${cell(child.summary() || child.description())} |`);
    out.push('');
  }
  const args = command.registeredArguments;
  if (args.length > 0) {
    out.push('| argument | description | default | choices |', '| --- | --- | --- | --- |');
    for (const arg of args)
      out.push(`| ${code(argumentName(arg))} | ${cell(arg.description)} | ${defaultOf(arg)} | ${choicesOf(arg)} |`);
    out.push('');
  }
  const own = options(command);
  if (own.length > 0) {
    out.push('| option | description | default | choices |', '| --- | --- | --- | --- |');
    for (const option of own) {
      const env = option.envVar ? ` (environment: ${code(option.envVar)})` : '';
      out.push(
        `| ${code(option.flags)} | ${cell(option.description)}${env} | ${defaultOf(option)} | ${choicesOf(option)} |`,
      );
    }
    out.push('');
  }
  return out;
}

/** The whole reference for a program, deterministic for a given set of definitions. */
export function renderCliReference(program: Command = buildProgram()): string {
  const commands = walk(program);
  const lines = [
    '# CLI reference',
    '',
    `<!-- Generated from the commands' own definitions (operator/cli.ts, operator/commands/) by \`${COMMAND}\` — do not edit by hand. -->`,
    '',
    'Every flag below is what `understudy <command> --help` prints; every command',
    'also takes `-h, --help`. Options spelt `--no-…` turn off a behaviour that is',
    'on by default. A repeatable option is given once per value.',
    '',
    '## Exit codes',
    '',
    'The same for every command, so a CI step can tell a failed check from a typo:',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...(Object.keys(EXIT) as Array<keyof typeof EXIT>).map((key) => `| ${EXIT[key]} | ${EXIT_MEANINGS[key]} |`),
    '',
    '`--help` and `--version` exit 0.',
    '',
    '## Commands',
    '',
    ...commands.slice(1).map((c) => `${'  '.repeat(path(c).split(' ').length - 2)}- [${code(path(c))}](#${anchor(c)})`),
    '',
    ...commands.flatMap(section),
  ];
  return `${lines
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd()}\n`;
}

/** Commands, arguments and options without a description: the reference would show an empty cell. */
export function undescribed(program: Command = buildProgram()): string[] {
  return walk(program).flatMap((command) => [
    ...(command.description() ? [] : [path(command)]),
    ...command.registeredArguments.filter((a) => !a.description).map((a) => `${path(command)} ${argumentName(a)}`),
    ...options(command)
      .filter((o) => !o.description)
      .map((o) => `${path(command)} ${o.flags}`),
  ]);
}

function main(): void {
  const rendered = renderCliReference();
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(FILE, 'utf8');
    } catch {
      // missing counts as stale
    }
    if (current !== rendered) {
      console.error(`docs/cli.md is stale: run \`${COMMAND}\``);
      process.exit(1);
    }
    return;
  }
  writeFileSync(FILE, rendered);
  console.log('wrote docs/cli.md');
}

if (require.main === module) main();
