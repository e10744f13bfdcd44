import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { DataSeedSpecSchema } from '../../operator/api/dataseed';
import { register as registerProfile } from '../../operator/commands/profile';
import { register as registerSeed } from '../../operator/commands/seed';
import { type ProductionSource, type ReferenceReader, resolveSeedRequest } from '../../operator/seed/resolve';
import { runSeed } from '../../operator/seed/run';
import { orphanCount, rowCounts, shopDatabase } from '../support/shop-db';

jest.setTimeout(180_000);
const dir = join(__dirname, '../../examples/shop/db');
const read = (f: string) => readFileSync(join(dir, f), 'utf8');

/** Secrets and ConfigMaps as the cluster would hold them, from the example files. */
function examplesReader(targetUrl: string, productionUrl: string): ReferenceReader {
  const secrets: Record<string, Record<string, string>> = {};
  for (const doc of parseAllDocuments(read('secrets.example.yaml'))) {
    const s = doc.toJSON() as { metadata: { name: string }; stringData: Record<string, string> };
    secrets[s.metadata.name] = s.stringData;
  }
  secrets['shop-preview-db'] = { url: targetUrl };
  secrets['shop-production-db-readonly'] = { url: productionUrl };
  const configMaps: Record<string, Record<string, string>> = {
    'shop-profile': { 'profile.json': read('profile.json') },
    'shop-seed-rules': { 'rules.yaml': read('rules.yaml') },
  };
  return { secret: async (_ns, name) => secrets[name], configMap: async (_ns, name) => configMaps[name] };
}

/** Production as the Baseline would give it: the example's database, no stored profile. */
function productionAt(url: string): ProductionSource {
  return { connectionUrl: async () => url, storedProfile: async () => undefined };
}

describe('the shop examples', () => {
  it('seeds from the example synthesize DataSeed and its stored profile, passing its enforced fidelity thresholds', async () => {
    const target = (await shopDatabase('seed_example_synth')).url;
    const manifest = parseAllDocuments(read('dataseed-synthesize.yaml'))[0]!.toJSON() as {
      metadata: { namespace: string };
      spec: unknown;
    };
    const spec = DataSeedSpecSchema.parse(manifest.spec);
    const request = await resolveSeedRequest(
      spec,
      manifest.metadata.namespace,
      examplesReader(target, 'postgresql://unused'),
    );
    const report = await runSeed(request);
    const counts = await rowCounts(target);
    expect(counts['public.users']).toBe(1000);
    expect(counts['public.categories']).toBe(40);
    expect(await orphanCount(target)).toBe(0);
    expect(report.fidelity?.passed).toBe(true);
  });

  it('anonymizes from the example anonymize DataSeed', async () => {
    const production = (await shopDatabase('seed_example_prod', 1500)).url;
    const target = (await shopDatabase('seed_example_anon')).url;
    const manifest = parseAllDocuments(read('dataseed-anonymize.yaml'))[0]!.toJSON() as {
      metadata: { namespace: string };
      spec: unknown;
    };
    const request = await resolveSeedRequest(
      DataSeedSpecSchema.parse(manifest.spec),
      manifest.metadata.namespace,
      examplesReader(target, production),
      productionAt(production),
    );
    const report = await runSeed(request);
    expect(report.leaks).toEqual([]);
    expect((await rowCounts(target))['public.users']).toBeGreaterThan(0);
    expect(await orphanCount(target)).toBe(0);
  });

  it('names a missing Secret key clearly', async () => {
    const manifest = parseAllDocuments(read('dataseed-anonymize.yaml'))[0]!.toJSON() as { spec: unknown };
    const secrets: Record<string, Record<string, string>> = { 'shop-masking-key': { other: 'x' } };
    const reader: ReferenceReader = {
      secret: async (_ns, name) => secrets[name] ?? { url: 'postgresql://x/y' },
      configMap: async () => ({ 'rules.yaml': '[]' }),
    };
    await expect(
      resolveSeedRequest(
        DataSeedSpecSchema.parse(manifest.spec),
        'shop-pr-1234',
        reader,
        productionAt('postgresql://x/y'),
      ),
    ).rejects.toThrow('spec.source.anonymize.key.secretKeyRef: Secret shop-pr-1234/shop-masking-key has no key key');
  });

  it('runs profile and seed from the command line', async () => {
    const production = (await shopDatabase('seed_cli_prod', 300)).url;
    const target = (await shopDatabase('seed_cli_target')).url;
    const program = new Command('understudy').exitOverride();
    registerProfile(program);
    registerSeed(program);
    const profileFile = join('/tmp', `understudy-cli-profile-${process.pid}.json`);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await program.parseAsync([
        'node',
        'understudy',
        'profile',
        '--database',
        production,
        '--out',
        profileFile,
        '--rules',
        join(dir, 'rules.yaml'),
      ]);
      expect(process.exitCode ?? 0).toBe(0);
      await program.parseAsync([
        'node',
        'understudy',
        'seed',
        '--target',
        target,
        '--profile',
        profileFile,
        '--scale',
        '0.5',
        '--rules',
        join(dir, 'rules.yaml'),
        '--no-progress',
      ]);
      expect(process.exitCode ?? 0).toBe(0);
      expect(stdout.mock.calls.map((c) => String(c[0])).join('')).toMatch(/synthesize: [0-9,]+ rows/);
      await program.parseAsync([
        'node',
        'understudy',
        'seed',
        '--target',
        target,
        '--profile',
        profileFile,
        '--no-progress',
      ]);
      // A strict-mode refusal is bad input (2), not a seed that ran and failed its checks (1).
      expect(process.exitCode).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(
        /seed failed \(UncoveredColumns\): strict mode: .*public\.users\.email/,
      );
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.exitCode = 0;
    }
    expect((await rowCounts(target))['public.users']).toBe(150);
  });
});
