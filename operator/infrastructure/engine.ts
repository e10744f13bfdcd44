import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Where the `pulumi` engine is and what its processes need. The engine is a
// Go binary built by test/cluster/build-pulumi.sh (cached under
// ~/.cache/understudy/pulumi/) or baked into the image; UNDERSTUDY_PULUMI_ROOT
// points at its installation (a directory with bin/pulumi and the
// dynamic-provider launcher beside it, where the engine looks first).

export const PULUMI_ROOT_ENV = 'UNDERSTUDY_PULUMI_ROOT';

export function engineRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[PULUMI_ROOT_ENV]?.trim();
  if (fromEnv) return fromEnv;
  const cache = env.UNDERSTUDY_CACHE?.trim() || join(homedir(), '.cache', 'understudy');
  return join(cache, 'pulumi', 'current');
}

export function engineProblem(root: string): string | undefined {
  if (!existsSync(join(root, 'bin', 'pulumi')))
    return `the pulumi engine is not installed at ${root}/bin/pulumi (build it with test/cluster/build-pulumi.sh, or set ${PULUMI_ROOT_ENV})`;
  if (!existsSync(join(root, 'bin', 'pulumi-resource-pulumi-nodejs')))
    return `the dynamic-provider launcher is missing beside ${root}/bin/pulumi`;
  return undefined;
}

/** node_modules holding @pulumi/pulumi and pg, found from this file (operator/ under tsx, dist/operator/ compiled). */
export function nodeModulesDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', '@pulumi', 'pulumi', 'package.json'))) return join(dir, 'node_modules');
  }
  throw new Error('cannot find node_modules with @pulumi/pulumi above ' + __dirname);
}

/**
 * Environment of every engine process. The dynamic provider runs in its own
 * Node process: the launcher finds the SDK's provider script through
 * UNDERSTUDY_PULUMI_DYNAMIC_PROVIDER, and the serialized provider resolves
 * `require` through NODE_PATH. PULUMI_HOME is private to the operator, so a
 * user's ~/.pulumi (credentials, plugins) is never used.
 */
export function engineEnv(extra: Record<string, string>, root = engineRoot()): Record<string, string> {
  const modules = nodeModulesDir();
  return {
    PATH: `${join(root, 'bin')}:${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    NODE_PATH: modules,
    UNDERSTUDY_PULUMI_DYNAMIC_PROVIDER: join(modules, '@pulumi', 'pulumi', 'cmd', 'dynamic-provider', 'index.js'),
    // The launcher runs the provider with this very node (distroless images have no `node` on PATH).
    UNDERSTUDY_NODE: process.execPath,
    PULUMI_SKIP_UPDATE_CHECK: 'true',
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: 'true',
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: 'true',
    PULUMI_HOME: process.env.UNDERSTUDY_PULUMI_HOME ?? join(tmpdir(), 'understudy-pulumi-home'),
    ...extra,
  };
}
