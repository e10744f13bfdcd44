import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';

const BUILD_SCRIPT = resolve(__dirname, '../tools/build-tools.sh');
let binDir: string | undefined;

/**
 * A Go tool the tests run (lua-health, actionlint), or Argo CD's CRDs, from
 * test/tools/build-tools.sh into ~/.cache/understudy/tools. The script is
 * idempotent and prints the bin directory last, so a cached build costs one
 * short process and a missing one is built here rather than skipped.
 */
export function testTool(name: 'lua-health' | 'actionlint' | 'argocd-crds'): string {
  if (!binDir) {
    const out = execFileSync('bash', [BUILD_SCRIPT], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 10 * 60_000,
    });
    binDir = out.trim().split('\n').pop() ?? '';
  }
  // Argo CD's CRDs sit beside bin/, as a directory of YAML files.
  return name === 'argocd-crds' ? join(binDir, '..', name) : join(binDir, name);
}
