import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticBaseline } from '../../bench/environment-baseline';
import type { InfrastructureStatus } from '../../operator/api/infrastructure';
import { errorMessage } from '../../operator/runtime/error-message';
import { OPERATOR_NAMESPACE } from '../setup/operator-identity';
import { eventually, kubectl } from '../support/kube';
import { productionCredentials } from './dataseed-controller.fixture';
import { testPgUrl } from './infrastructure-runner';
import { applyBaseline, applyObjects, getEnvironment, type Environment } from './stagingenvironment-fixtures';

// Shared by the infrastructure controller tests: a Baseline whose
// infrastructure is the built-in postgres-database program against the test
// PostgreSQL (registered as a Baseline database, its admin URL in an admin
// namespace), a file:// backend, a passphrase Secret in the operator's namespace.

export const SEED_SQL =
  'CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL); INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 250) g;';

export async function infrastructureBaseline(o: {
  name: string;
  previews: string;
  source: string;
  backendDir: string;
  id: string;
}): Promise<void> {
  const server = await productionCredentials(`infra-server-${o.id}`, { pg: testPgUrl() });
  applyObjects([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.source } },
    ...syntheticBaseline(o.source, 0, { partOf: 'mini' }),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'seed-sql', namespace: o.source },
      data: { 'seed.sql': SEED_SQL },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `pulumi-${o.id}`, namespace: OPERATOR_NAMESPACE },
      stringData: { passphrase: `passphrase-${o.id}` },
    },
  ]);
  applyBaseline(o.name, [o.previews], {
    source: { namespace: o.source },
    data: { databases: server.databases },
    infrastructure: {
      pulumi: {
        program: { builtIn: 'postgres-database' },
        backend: { url: `file://${o.backendDir}` },
        passphraseSecretRef: { name: `pulumi-${o.id}`, key: 'passphrase' },
        config: { server: 'pg' },
        exposedConfig: [{ key: 'template', pattern: '[a-z_]+' }],
        runner: 'Inline',
      },
    },
  });
}

export function infra(env: Environment | undefined): InfrastructureStatus | undefined {
  return env?.status?.infrastructure;
}

export function infraCondition(env: Environment | undefined, type: string) {
  return infra(env)?.conditions?.find((c) => c.type === type);
}

export function waitForInfra(
  name: string,
  namespace: string,
  accept: (s: InfrastructureStatus) => boolean,
  what: string,
  timeoutMs = 150_000,
): Promise<Environment> {
  // A timeout names the infrastructure status last seen: its conditions say why it never got there.
  let seen: InfrastructureStatus | undefined;
  return eventually(
    async () => {
      const env = await getEnvironment(name, namespace);
      const s = infra(env);
      seen = s ?? seen;
      return env && s && accept(s) ? env : undefined;
    },
    { timeoutMs, intervalMs: 200, what },
  ).catch((error: unknown) => {
    throw new Error(`${errorMessage(error)}; status.infrastructure: ${JSON.stringify(seen)}`);
  });
}

export function secretData(namespace: string, name: string): Record<string, string> | undefined {
  try {
    const secret = JSON.parse(kubectl(['get', 'secret', '-n', namespace, name, '-o', 'json'])) as {
      data?: Record<string, string>;
    };
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  } catch {
    return undefined;
  }
}

/** Files of the backend that name a stack (checkpoints, backups, history, locks). */
export function backendFiles(dir: string, stack: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).filter(
    (path) => path.includes(stack) && statSync(join(dir, path)).isFile(),
  );
}

/** The runner processes (operator/infrastructure/child.js) whose parent is `parent`. */
export function runnersOf(parent: number): number[] {
  return processesOf(parent, 'infrastructure/child.js');
}

/** Dynamic-provider processes left without their engine (re-parented to init). */
export function orphanedProviders(): number[] {
  return processesOf(1, 'cmd/dynamic-provider');
}

function processesOf(parent: number, command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(command)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}
