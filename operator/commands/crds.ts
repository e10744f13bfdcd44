import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { KINDS } from '../api';
import { CRD_DIRS, renderCrdFiles } from '../api/crd-files';
import { renderReference } from '../api/reference';
import { outputOption } from './conventions';

/** The configuration reference, generated with the CRDs from the same schemas. */
export const REFERENCE_FILE = 'docs/api-reference.md';

/** Files that differ from what the API schemas render, by directory. */
export function staleCrdFiles(root: string): string[] {
  const stale: string[] = [];
  for (const dir of CRD_DIRS) {
    const rendered = renderCrdFiles(KINDS, dir);
    const abs = join(root, dir);
    const present = existsSync(abs) ? readdirSync(abs).filter((f) => f.endsWith('.yaml')) : [];
    for (const [file, text] of rendered) {
      const path = join(abs, file);
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) stale.push(join(dir, file));
    }
    for (const file of present) if (!rendered.has(file)) stale.push(join(dir, file));
  }
  const reference = join(root, REFERENCE_FILE);
  if (!existsSync(reference) || readFileSync(reference, 'utf8') !== renderReference(KINDS)) stale.push(REFERENCE_FILE);
  return stale;
}

export function writeCrdFiles(root: string): string[] {
  const written: string[] = [];
  for (const dir of CRD_DIRS) {
    const rendered = renderCrdFiles(KINDS, dir);
    const abs = join(root, dir);
    mkdirSync(abs, { recursive: true });
    for (const file of readdirSync(abs)) if (file.endsWith('.yaml') && !rendered.has(file)) rmSync(join(abs, file));
    for (const [file, text] of rendered) {
      writeFileSync(join(abs, file), text);
      written.push(join(dir, file));
    }
  }
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, REFERENCE_FILE), renderReference(KINDS));
  written.push(REFERENCE_FILE);
  return written;
}

export function registerCrdsCommand(program: Command): void {
  program
    .command('crds')
    .description('Generate the CustomResourceDefinitions from the API schemas into crds/ and the chart')
    .option('--root <dir>', 'repository root', process.cwd())
    .option('--check', 'exit non-zero when the files on disk are stale instead of writing them')
    .option('--stdout', 'print the CRDs instead of writing files (for `kubectl apply -f -`)')
    .addOption(outputOption(['yaml', 'json'], 'yaml', 'with --stdout: one YAML stream, or a JSON List'))
    .action((opts: { root: string; check?: boolean; stdout?: boolean; output: 'yaml' | 'json' }) => {
      if (opts.stdout) {
        const files = [...renderCrdFiles(KINDS).values()];
        process.stdout.write(
          opts.output === 'json'
            ? `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: files.map((f) => parseYaml(f) as unknown) }, null, 2)}\n`
            : files.join('---\n'),
        );
        return;
      }
      if (opts.check) {
        const stale = staleCrdFiles(opts.root);
        if (stale.length > 0) {
          console.error(`stale CRDs (run \`npx understudy crds\`):\n  ${stale.join('\n  ')}`);
          process.exitCode = 1;
        }
        return;
      }
      for (const file of writeCrdFiles(opts.root)) console.log(`wrote ${file}`);
    });
}
