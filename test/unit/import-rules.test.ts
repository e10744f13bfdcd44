import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// The layers of operator/, as the README's layout states them, checked on
// every import: api/ is a leaf (the schemas every other layer reads),
// runtime/ is generic controller machinery that knows no kind, and
// controllers/ never reach into the CLI.

const ROOT = resolve(__dirname, '../../operator');

interface Rule {
  from: string;
  forbidden: readonly string[];
  why: string;
}

const RULES: readonly Rule[] = [
  {
    from: 'api',
    forbidden: ['runtime', 'controllers', 'commands', 'environment', 'seed', 'parity', 'infra'],
    why: 'api/ is the leaf every layer reads',
  },
  {
    from: 'runtime',
    forbidden: ['api', 'controllers', 'commands'],
    why: 'runtime/ is generic machinery that knows no kind',
  },
  { from: 'controllers', forbidden: ['commands'], why: 'controllers are built from runtime/, never from the CLI' },
];

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+['"](\.[^'"]+)['"]/g;

/** `layer of file → layer of imported file` for every relative import that breaks a rule. */
function layerViolations(files: ReadonlyMap<string, string>): string[] {
  const layerOf = (path: string): string => path.split('/')[0] ?? '';
  const out: string[] = [];
  for (const [path, source] of files) {
    const rule = RULES.find((r) => r.from === layerOf(path));
    if (!rule) continue;
    for (const match of source.matchAll(IMPORT)) {
      const target = relative(ROOT, resolve(ROOT, dirname(path), match[1] ?? ''));
      if (rule.forbidden.includes(layerOf(target))) out.push(`${path} imports ${target} (${rule.why})`);
    }
  }
  return out;
}

/** Files of `operator/` that import each other, directly or through others: one cycle each, as a path. */
function importCycles(files: ReadonlyMap<string, string>): string[] {
  const edges = new Map<string, string[]>();
  for (const [path, source] of files) {
    const targets = [...source.matchAll(IMPORT)].map((m) => relative(ROOT, resolve(ROOT, dirname(path), m[1] ?? '')));
    edges.set(
      path,
      targets
        .map((t) => [`${t}.ts`, `${t}/index.ts`].find((c) => files.has(c)))
        .filter((t): t is string => t !== undefined),
    );
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, trail: string[]): void => {
    state.set(node, 'open');
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), node, next].join(' -> '));
      else if (!state.has(next)) visit(next, [...trail, node]);
    }
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node, []);
  return cycles;
}

function sourceFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) for (const [k, v] of sourceFiles(full)) files.set(k, v);
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts'))
      files.set(relative(ROOT, full), readFileSync(full, 'utf8'));
  }
  return files;
}

describe('import rules', () => {
  it('catch an import that crosses a layer the wrong way', () => {
    const planted = new Map([
      ['api/values/ratio.ts', "import { planEnvironment } from '../../environment/plan';\n"],
      ['runtime/informer.ts', "import type { Condition } from '../api/common';\nimport { x } from './workqueue';\n"],
      ['controllers/dataseed/index.ts', "export { run } from '../../commands/operator';\n"],
      ['environment/plan.ts', "import { z } from '../api/common';\n"],
    ]);
    expect(layerViolations(planted)).toEqual([
      'api/values/ratio.ts imports environment/plan (api/ is the leaf every layer reads)',
      'runtime/informer.ts imports api/common (runtime/ is generic machinery that knows no kind)',
      'controllers/dataseed/index.ts imports commands/operator (controllers are built from runtime/, never from the CLI)',
    ]);
  });

  it('hold in operator/', () => {
    expect(layerViolations(sourceFiles(ROOT))).toEqual([]);
  });

  it('find a cycle, and operator/ has none', () => {
    const planted = new Map([
      ['seed/run.ts', "import { SeedError } from './errors';\n"],
      ['seed/errors.ts', "import type { SeedReport } from './run';\n"],
      ['seed/plan.ts', "import { x } from './model';\n"],
      ['seed/model.ts', ''],
    ]);
    expect(importCycles(planted)).toEqual(['seed/run.ts -> seed/errors.ts -> seed/run.ts']);
    expect(importCycles(sourceFiles(ROOT))).toEqual([]);
  });
});
