import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { stringify as toYaml } from 'yaml';
import { KubeClient } from '../runtime/kube-client';
import { addClusterOptions, deprecated, kubeConfigFor, outputOption } from './conventions';
import { collect } from './options';
import type { Profile } from '../seed/model';
import { personalClassifier } from '../seed/pii';
import { parseRules } from '../seed/resolve';
import type { Rule } from '../api/dataseed';
import { PostgresDatabase } from '../seed/postgres/driver';
import { digestOf } from '../seed/run';
import { EXIT_BAD_INPUT, EXIT_OK, rulesFromFiles } from '../seed/cli-input';
import { SeedError } from '../seed/errors';

export interface ProfileCommandOptions {
  database: string;
  schema?: string[];
  out?: string;
  configmap?: string;
  key?: string;
  kubeconfig?: string;
  context?: string;
  /** The ConfigMap's namespace when --configmap names only the ConfigMap. */
  namespace?: string;
  analyze?: boolean;
  output?: 'json' | 'yaml';
  /** Deprecated spelling of --output. */
  format?: 'json' | 'yaml';
  rules?: string[];
}

/**
 * Profiles a database from its catalogue and aggregate queries: no row leaves
 * it, and personal columns carry no values at all.
 */
export async function captureProfile(
  url: string,
  schemas: string[],
  analyze: boolean,
  log?: (m: string) => void,
  rules: Rule[] = [],
): Promise<Profile> {
  const db = await PostgresDatabase.open(url);
  try {
    const schema = await db.introspect(schemas);
    return await db.profile(schema, {
      analyze,
      log,
      personal: personalClassifier(rules),
    });
  } finally {
    await db.close();
  }
}

export async function runProfileCommand(
  options: ProfileCommandOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  try {
    const rules = rulesFromFiles(options.rules, parseRules);
    const profile = await captureProfile(
      options.database,
      options.schema ?? ['public'],
      options.analyze !== false,
      (m) => process.stderr.write(`${m}\n`),
      rules,
    );
    const text = (options.output ?? options.format) === 'yaml' ? toYaml(profile) : JSON.stringify(profile, null, 1);
    if (options.out) writeFileSync(options.out, text);
    if (options.configmap) {
      const { namespace, name } = configMapRef(options.configmap, options.namespace);
      const client = new KubeClient(kubeConfigFor(options));
      await client.apply(
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name,
            namespace,
            labels: { 'app.kubernetes.io/managed-by': 'understudy' },
            annotations: { 'understudy.dev/profile-digest': digestOf(profile.tables) },
          },
          data: { [options.key ?? 'profile.json']: text },
        },
        { force: true },
      );
    }
    if (!options.out && !options.configmap) out.write(`${text}\n`);
    const tables = Object.keys(profile.tables).length;
    const columns = Object.values(profile.tables).flatMap((t) => Object.values(t.columns));
    const personal = columns.filter((c) => c.personal).length;
    const refused = columns.filter((c) => c.refused).length;
    const aggregatesOnly = columns.filter(
      (c) => !c.personal && !c.refused && !c.mostCommon && !c.histogram && !c.elements && !c.jsonKeys,
    ).length;
    process.stderr.write(
      `profiled ${tables} tables; ${personal} personal columns and ${aggregatesOnly} without a keep rule kept as aggregates only; ${refused} whose values looked personal refused by the content scan\n`,
    );
    return EXIT_OK;
  } catch (err) {
    process.stderr.write(`profile failed: ${(err as Error).message}\n`);
    // A profile has no checks to fail: anything that stops it is bad input or an unreachable database.
    return EXIT_BAD_INPUT;
  }
}

/** `namespace/name`, or `name` with -n. */
export function configMapRef(ref: string, namespaceFlag: string | undefined): { namespace: string; name: string } {
  const parts = ref.split('/');
  const [namespace, name] = parts.length === 1 ? [namespaceFlag, parts[0]] : parts;
  if (parts.length > 2 || !namespace || !name)
    throw new SeedError(
      'InvalidSpec',
      `--configmap ${JSON.stringify(ref)}: expected namespace/name (or name with -n <namespace>)`,
    );
  if (parts.length === 2 && namespaceFlag !== undefined && namespaceFlag !== namespace)
    throw new SeedError(
      'InvalidSpec',
      `--configmap ${JSON.stringify(ref)} names namespace ${namespace}, -n says ${namespaceFlag}`,
    );
  return { namespace, name };
}

export function register(program: Command): void {
  const profile = program
    .command('profile')
    .description(
      'Capture a statistical profile of a PostgreSQL database from its catalogue and aggregate queries only: row counts, null fractions, distinct counts, ranges of numbers and dates, lengths of text, foreign-key fan-out; most common values and histograms only for columns whose rule is keep (given, or numbers, dates, booleans and enums by default), and never a value that looks personal (emails, phones, national ids, card numbers, IBANs). Exit 0 on success, 2 on bad input or an unreachable database.',
    )
    .requiredOption('--database <url>', 'database to profile')
    .option('--schema <name>', 'schema to profile (repeatable; default public)', collect)
    .option('--out <file>', 'write the profile to a file (default: standard output)')
    .option('--configmap <namespace/name>', 'store the profile in a ConfigMap (server-side apply); name alone with -n')
    .option('--key <key>', 'ConfigMap key (default profile.json)')
    .option(
      '--rules <file.yaml>',
      'rules file (repeatable): a keep rule lets a text, JSON or array column keep its values; a masking rule keeps them out',
      collect,
    )
    .option('--no-analyze', 'use the existing statistics instead of running ANALYZE first')
    .addOption(outputOption(['json', 'yaml'], 'json', 'profile format'))
    .addOption(new Option('--format <format>', 'deprecated: use -o, --output').choices(['json', 'yaml']).hideHelp())
    .action(async (options: ProfileCommandOptions, command: Command) => {
      // --format was the flag before -o; it still works unless -o is given too.
      if (options.format !== undefined) {
        deprecated('--format', '-o, --output');
        if (command.getOptionValueSource('output') === 'default') options.output = options.format;
      }
      process.exitCode = await runProfileCommand(options);
    });
  addClusterOptions(profile, 'namespace of the --configmap when it names only the ConfigMap');
}
