import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../cli';
import { EXIT, kubeConfigFor, renderStructured, runProgram, UsageError } from './conventions';
import { configMapRef } from './profile';

/** Runs the real program with argv, capturing what commander and the actions print. */
async function cli(...args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '';
  let stdout = '';
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const out = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  try {
    const code = await runProgram(buildProgram(), ['node', 'understudy', ...args]);
    return { code, stderr, stdout };
  } finally {
    err.mockRestore();
    out.mockRestore();
    process.exitCode = undefined;
  }
}

function find(program: Command, path: string[]): Command {
  let command = program;
  for (const name of path) {
    const next = command.commands.find((c) => c.name() === name);
    if (!next) throw new Error(`no command ${path.join(' ')}`);
    command = next;
  }
  return command;
}

describe('exit codes', () => {
  it('a bad value is a usage error: exit 2, naming the value, never 1 (which a CI gate reads as drift)', async () => {
    const result = await cli('parity', '--staging', 'a', '--production', 'b', '--fail-on', 'critcal');
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/critcal/);
    expect(result.stderr).toMatch(/info, warning, critical/);
  });

  it.each([
    ['an unknown flag', ['parity', '--staging', 'a', '--production', 'b', '--fail-onn', 'critical']],
    ['a missing required flag', ['parity', '--staging', 'a']],
    ['an unknown command', ['parityy']],
    ['a command group without its subcommand', ['dev']],
    ['a missing argument', ['dev', 'wait']],
    ['a bad -o', ['dev', 'wait', 'pr-1', '-o', 'xml']],
    ['a bad -o on profile', ['profile', '--database', 'postgresql://x', '-o', 'table']],
  ])('%s exits 2', async (_what, args) => {
    const result = await cli(...args);
    expect(result.code).toBe(EXIT.usage);
    expect(result.stderr).toMatch(/error|Usage/);
  });

  it('help and --version exit 0', async () => {
    expect((await cli('--help')).code).toBe(EXIT.ok);
    expect((await cli('--version')).code).toBe(EXIT.ok);
    expect((await cli('parity', '--help')).code).toBe(EXIT.ok);
  });

  it('an action that throws is exit 2 with its message, not an unhandled rejection', async () => {
    const program = buildProgram();
    program.command('boom').action(() => {
      throw new Error('cluster unreachable');
    });
    let stderr = '';
    expect(await runProgram(program, ['node', 'understudy', 'boom'], (t) => (stderr += t))).toBe(EXIT.usage);
    expect(stderr).toBe('understudy: cluster unreachable\n');
  });

  it("an action's own exit code is kept", async () => {
    const program = buildProgram();
    program.command('drift').action(() => {
      process.exitCode = EXIT.failed;
    });
    try {
      expect(await runProgram(program, ['node', 'understudy', 'drift'])).toBe(EXIT.failed);
    } finally {
      process.exitCode = undefined;
    }
  });
});

describe('options every command shares', () => {
  const program = buildProgram();
  const flags = (command: Command) => command.options.map((o) => o.flags);
  const talksToACluster = [['dev', 'up'], ['dev', 'wait'], ['dev', 'down'], ['parity'], ['profile'], ['seed']];

  it.each(talksToACluster.map((p) => [p.join(' '), p]))(
    '%s has --kubeconfig, --context, -n/--namespace and -o/--output',
    (_name, path) => {
      const f = flags(find(program, path));
      expect(f).toEqual(
        expect.arrayContaining([
          '--kubeconfig <path>',
          '--context <name>',
          '-n, --namespace <namespace>',
          '-o, --output <format>',
        ]),
      );
    },
  );

  it('-o offers json and yaml wherever output is printed, and wide where there is more to show', () => {
    const choices = (path: string[]) => find(program, path).options.find((o) => o.long === '--output')?.argChoices;
    for (const path of [['dev', 'up'], ['dev', 'wait'], ['dev', 'down'], ['parity'], ['seed']])
      expect(choices(path)).toEqual(expect.arrayContaining(['wide', 'json', 'yaml']));
    expect(choices(['profile'])).toEqual(['json', 'yaml']);
  });

  it('crds --stdout prints YAML, or with -o json a List kubectl applies as well', async () => {
    const yaml = await cli('crds', '--stdout');
    expect(yaml.stdout).toMatch(/^(#.*\n)*apiVersion: apiextensions\.k8s\.io\/v1\nkind: CustomResourceDefinition/);
    const json = await cli('crds', '--stdout', '-o', 'json');
    const list = JSON.parse(json.stdout) as {
      kind: string;
      items: Array<{ kind: string; metadata: { name: string } }>;
    };
    expect(list.kind).toBe('List');
    expect(list.items.map((i) => i.kind)).toEqual(list.items.map(() => 'CustomResourceDefinition'));
    expect(list.items.map((i) => i.metadata.name)).toEqual(
      yaml.stdout.split('---\n').map((doc) => /\nmetadata:\n {2}name: (\S+)/.exec(doc)?.[1]),
    );
  });

  it('profile keeps --format as a hidden, deprecated alias of -o', async () => {
    const profile = find(program, ['profile']);
    const format = profile.options.find((o) => o.long === '--format');
    expect(format?.hidden).toBe(true);
    expect(profile.helpInformation()).not.toContain('--format');
    // Parsed as before; the action warns and uses it (it fails here on the unreachable database, exit 2).
    const result = await cli('profile', '--database', 'postgresql://u@127.0.0.1:1/none', '--format', 'yaml');
    expect(result.stderr).toContain('--format is deprecated; use -o, --output');
    expect(result.code).toBe(EXIT.usage);
  });

  it('profile --configmap takes namespace/name, or a name with -n', () => {
    expect(configMapRef('shop/profile', undefined)).toEqual({ namespace: 'shop', name: 'profile' });
    expect(configMapRef('profile', 'shop')).toEqual({ namespace: 'shop', name: 'profile' });
    expect(() => configMapRef('profile', undefined)).toThrow(
      /expected namespace\/name \(or name with -n <namespace>\)/,
    );
    expect(() => configMapRef('shop/profile', 'other')).toThrow(/names namespace shop, -n says other/);
  });
});

describe('--context', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-'));
  const path = join(dir, 'config');
  const cluster = (name: string, port: number) => ({ name, cluster: { server: `https://127.0.0.1:${port}` } });
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster('staging', 6443), cluster('production', 7443)],
      users: [{ name: 'me', user: { token: 'x' } }],
      contexts: [
        { name: 'staging', context: { cluster: 'staging', user: 'me' } },
        { name: 'production', context: { cluster: 'production', user: 'me' } },
      ],
      'current-context': 'staging',
    }),
  );

  it('selects a context of the kubeconfig; the current one without it', () => {
    expect(kubeConfigFor({ kubeconfig: path }).getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(kubeConfigFor({ kubeconfig: path, context: 'production' }).getCurrentCluster()?.server).toBe(
      'https://127.0.0.1:7443',
    );
  });

  it('an unknown context is a usage error naming the ones there are', () => {
    expect(() => kubeConfigFor({ kubeconfig: path, context: 'prod' })).toThrow(UsageError);
    expect(() => kubeConfigFor({ kubeconfig: path, context: 'prod' })).toThrow(
      '--context prod: no such context in the kubeconfig (it has staging, production)',
    );
  });
});

describe('renderStructured', () => {
  it('renders JSON and YAML of the same value', () => {
    expect(renderStructured({ a: [1] }, 'json')).toBe('{\n  "a": [\n    1\n  ]\n}\n');
    expect(renderStructured({ a: [1] }, 'yaml')).toBe('a:\n  - 1\n');
  });
});
