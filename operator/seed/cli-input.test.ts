import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestFromOptions, runSeedCommand } from '../commands/seed';
import { runProfileCommand } from '../commands/profile';
import { EXIT_BAD_INPUT, EXIT_FAILED_CHECKS, exitCodeOf, fractionFlag, readUserFile } from './cli-input';
import { SeedError } from './errors';
import type { SchemaInfo } from './model';
import { parseRules } from './resolve';
import { planRules } from './rules';

const dir = mkdtempSync(join(tmpdir(), 'understudy-cli-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const thrown = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('did not throw');
};
const sink = { write: () => true } as unknown as NodeJS.WritableStream;

describe('seed and profile flags', () => {
  it('refuses --fraction outside (0, 1], naming the flag, before anything runs (exit 2)', async () => {
    for (const bad of ['15', '0', '1.5', '-0.1', 'half'])
      expect(() => fractionFlag('--fraction', bad)).toThrow(
        `--fraction ${JSON.stringify(bad)}: must be a decimal greater than 0 and at most 1`,
      );
    expect(fractionFlag('--fraction', '1')).toBe('1');
    const base = {
      target: 'postgresql://nowhere.invalid/x',
      from: 'postgresql://nowhere.invalid/y',
      keyEnv: 'PATH',
      root: ['users'],
      progress: false,
    };
    const err = thrown(() => requestFromOptions({ ...base, fraction: '15' }));
    expect(err).toBeInstanceOf(SeedError);
    expect(err.message).toContain('--fraction "15"');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runSeedCommand({ ...base, fraction: '0' }, sink)).toBe(EXIT_BAD_INPUT);
      expect(String(stderr.mock.calls.at(-1)?.[0])).toContain('--fraction "0"');
    } finally {
      stderr.mockRestore();
    }
  });

  it('--golden sets spec.golden.database and refuses a name that is not a plain identifier, naming the flag', async () => {
    const base = { target: 'postgresql://nowhere.invalid/schema', profileFrom: 'postgresql://nowhere.invalid/z' };
    expect(requestFromOptions({ ...base, golden: 'golden_shop' }).spec.golden).toEqual({ database: 'golden_shop' });
    expect(requestFromOptions(base).spec.golden).toBeUndefined();
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runSeedCommand({ resource: 'ns/name', golden: 'golden_shop', progress: false }, sink)).toBe(
        EXIT_BAD_INPUT,
      );
      expect(String(stderr.mock.calls.at(-1)?.[0])).toContain("--golden: with --resource, the DataSeed's spec.golden");
    } finally {
      stderr.mockRestore();
    }
    for (const bad of ['Golden', 'g"; DROP DATABASE x; --', 'template1', 'g'.repeat(59)]) {
      const err = thrown(() => requestFromOptions({ ...base, golden: bad }));
      expect(err).toBeInstanceOf(SeedError);
      expect((err as SeedError).reason).toBe('InvalidSpec');
      expect(err.message).toMatch(/^--golden: /);
    }
  });

  it('names the rules file: broken YAML and a missing file are not bare parser or ENOENT errors', () => {
    const broken = file('broken.yaml', 'rules:\n  - table: users\n    column: [email\n');
    expect(
      thrown(() => requestFromOptions({ target: 'postgresql://x/y', profileFrom: 'postgresql://x/z', rules: [broken] }))
        .message,
    ).toContain(`--rules ${broken}: not valid YAML`);
    const missing = join(dir, 'nope.yaml');
    const err = thrown(() =>
      requestFromOptions({ target: 'postgresql://x/y', profileFrom: 'postgresql://x/z', rules: [missing] }),
    );
    expect(err.message).toBe(`--rules ${missing}: no such file`);
    expect(exitCodeOf(err)).toBe(EXIT_BAD_INPUT);
    expect(() => readUserFile('--profile', missing)).toThrow(`--profile ${missing}: no such file`);
  });

  it('names the wrong transform and lists the valid ones', () => {
    const message = thrown(() => parseRules('- {table: users, column: email, transform: emial}', 'rules.yaml')).message;
    expect(message).toContain('rules.yaml: rules[0] (users.email)');
    expect(message).toContain('unknown transform "emial"; valid: keep, null,');
  });

  it('names the rule, its table.column and the wrong value of a bad parameter', () => {
    const schema: SchemaInfo = {
      tables: [
        {
          schema: 'public',
          name: 'users',
          columns: [
            {
              name: 'born',
              type: 'date',
              baseType: 'date',
              isArray: false,
              notNull: false,
              hasDefault: false,
              generated: false,
            },
          ],
          primaryKey: [],
          uniques: [],
          foreignKeys: [],
          checks: [],
        },
      ],
    };
    const plan = planRules(
      schema,
      [{ table: 'users', column: 'born', transform: 'dateShift', params: { days: 'ten' } }],
      { mode: 'Strict', source: 'anonymize' },
    );
    expect(plan.errors).toEqual([
      'rules[0] (public.users.born): transform dateShift: params.days must be a number, got "ten"',
    ]);
  });

  it('exits 1 only when the seed ran and failed its checks, 2 for bad input or an unreachable database', () => {
    expect(exitCodeOf(new SeedError('FidelityFailed', 'x'))).toBe(EXIT_FAILED_CHECKS);
    expect(exitCodeOf(new SeedError('IntegrityFailed', 'x'))).toBe(EXIT_FAILED_CHECKS);
    expect(exitCodeOf(new SeedError('LeakDetected', 'x'))).toBe(EXIT_FAILED_CHECKS);
    for (const reason of [
      'InvalidSpec',
      'UncoveredColumns',
      'RuleConflict',
      'SchemaMismatch',
      'ConnectionFailed',
      'ReferenceNotFound',
    ] as const) {
      expect(exitCodeOf(new SeedError(reason, 'x'))).toBe(EXIT_BAD_INPUT);
    }
    expect(exitCodeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(EXIT_BAD_INPUT);
  });

  it('profile exits 2 when the database cannot be reached', async () => {
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await runProfileCommand({ database: 'postgresql://u@127.0.0.1:1/none' }, sink)).toBe(EXIT_BAD_INPUT);
    } finally {
      stderr.mockRestore();
    }
  });

  it('gives a synthesis the default thresholds, enforced, and takes threshold flags', () => {
    const base = { target: 'postgresql://x/y', profileFrom: 'postgresql://x/z' };
    expect(requestFromOptions(base).spec.fidelity).toEqual({ enforce: true });
    expect(requestFromOptions({ ...base, maxKs: '0.2', enforceFidelity: false }).spec.fidelity).toEqual({
      maxKolmogorovSmirnov: '0.2',
      enforce: false,
    });
    expect(thrown(() => requestFromOptions({ ...base, maxFanOutKs: '3' })).message).toContain('--max-fan-out-ks "3"');
  });
});
