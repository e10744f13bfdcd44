import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultOptions, up } from '../test/cluster/controlplane';
import { ProcessTable, sleep } from '../test/cluster/processes';
import { grantSecretRead, installOperatorIdentity } from '../test/setup/operator-identity';
import { createDatabase, startPostgres } from '../test/setup/postgres';
import { Client } from 'pg';
import { SHOP_SCHEMA_SQL, loadShop } from './shop/db/loader';

// `npm run demo`: the whole story on a laptop. A real control plane on
// loopback, the CRDs, the operator under its least-privilege identity, the
// shop as "production", then a preview of it that is copied, seeded with
// synthetic data from production's statistics, and checked for drift.
// Everything keeps running afterwards so you can look around; `npm run
// cluster:down` stops it all (the operator and PostgreSQL included).

const root = resolve(__dirname, '..');
const started = Date.now();
const step = (text: string) => console.log(`\n[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${text}`);
const kubectl = (args: string[], input?: string) =>
  execFileSync('kubectl', args, { input, stdio: ['pipe', 'pipe', 'inherit'] }).toString();
const show = (args: string[]) => process.stdout.write(kubectl(args));
/** The CLI as a user runs it, its progress and output shown as they come. */
const understudy = (args: string[]) =>
  execFileSync('node', [join(root, 'bin/understudy.js'), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
/** `kubectl create ...` as an apply, so running the demo again updates rather than fails. */
const applyCreated = (args: string[]) =>
  kubectl(['apply', '-f', '-'], kubectl(['create', ...args, '--dry-run=client', '-o', 'yaml']));

const PREVIEW_NAMESPACE = 'previews';
const PRODUCTION_NAMESPACE = 'shop';
const METRICS = '127.0.0.1:18080';
const HEALTH = '127.0.0.1:18081';

async function main(): Promise<void> {
  step('Starting the local control plane (the first run builds it from the Kubernetes Go modules, ~10 min)');
  const opts = defaultOptions();
  const cp = await up(opts, (line) => console.log(`       ${line}`));
  process.env.KUBECONFIG = cp.kubeconfig;
  process.env.PATH = `${cp.binDir}:${process.env.PATH ?? ''}`;

  step("Installing the CRDs and the operator's RBAC from the Helm chart");
  kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(root, 'crds')]);
  kubectl(['wait', '--for=condition=Established', '-f', join(root, 'crds')]);
  const operatorKubeconfig = installOperatorIdentity(cp.server, cp.stateDir);

  step("Starting the operator (as the chart's ServiceAccount, not as admin)");
  await startOperator(opts.stateDir, operatorKubeconfig);
  console.log(
    `       logs: ${join(opts.stateDir, 'logs', 'understudy-operator.log')}   metrics: http://${METRICS}/metrics`,
  );

  step('Deploying the shop as "production" in namespace shop (eight services, PostgreSQL, Redis, Ingress, HPAs)');
  kubectl(['apply', '-f', '-'], JSON.stringify(staticVolumes()));
  kubectl(['apply', '-f', join(root, 'examples/shop/k8s')]);
  kubectl(['wait', '-n', 'shop', '--for=condition=Available', 'deployment', '--all', '--timeout=180s']);
  show(['get', 'deployments', '-n', 'shop']);

  if (kubectlOk(['get', 'stagingenvironment', 'shop-preview', '-n', PREVIEW_NAMESPACE])) {
    step('Deleting the preview a previous demo left (the operator deletes its namespace, and waits until it is gone)');
    kubectl(['delete', 'stagingenvironment', 'shop-preview', '-n', PREVIEW_NAMESPACE, '--wait', '--timeout=180s']);
  }

  step(
    "As the cluster admin: the shop's Baseline (what may be copied, by whom, within which limits), and namespace previews labelled as one it allows",
  );
  kubectl(['apply', '-f', join(root, 'examples/shop/baseline.yaml')]);
  applyCreated(['namespace', PREVIEW_NAMESPACE]);
  kubectl(['label', 'namespace', PREVIEW_NAMESPACE, 'understudy.dev/previews=true', '--overwrite']);
  // The chart's rbac.secretNamespaces: Generate reads the names and keys of
  // the shop's Secrets, and production's database credentials live there too.
  await grantSecretRead(PRODUCTION_NAMESPACE);
  show(['get', 'baseline', 'shop']);

  step(
    'As a team: kubectl apply -f examples/shop/staging.yaml (it names the Baseline and chooses within it), then understudy dev wait',
  );
  kubectl(['apply', '-n', PREVIEW_NAMESPACE, '-f', join(root, 'examples/shop/staging.yaml')]);
  understudy(['dev', 'wait', 'shop-preview', '-n', PREVIEW_NAMESPACE, '--timeout', '3m']);
  show(['get', 'stagingenvironment', '-n', PREVIEW_NAMESPACE]);
  const env = JSON.parse(
    kubectl(['get', 'stagingenvironment', 'shop-preview', '-n', PREVIEW_NAMESPACE, '-o', 'json']),
  ) as { status: { namespace: string } };
  show(['get', 'deployments', '-n', env.status.namespace]);

  step("Seeding the preview's database with synthetic data built from production's statistics");
  // kwok simulates nodes, so the copied PostgreSQL pod runs no container: a
  // local PostgreSQL stands in for both production's and the preview's server.
  // Under /tmp: the server runs as the unprivileged postgres user, who cannot enter /root.
  const pg = await startPostgres({ dataDir: join(tmpdir(), 'understudy-demo-postgres'), port: 25432 });
  new ProcessTable(opts.stateDir).adopt('demo-postgres', pg.pid, 'postgres');
  const productionUrl = await createDatabase(pg.url, 'shop_production');
  const previewUrl = await createDatabase(pg.url, 'shop_preview');
  const counts = await loadShop(productionUrl, { users: 2000 });
  // The preview's database has the schema (the application's migrations ran) and no rows.
  await runSql(previewUrl, SHOP_SCHEMA_SQL);
  console.log(
    `       production: ${Object.entries(counts)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  );
  const ns = env.status.namespace;
  understudy([
    'profile',
    '--database',
    productionUrl,
    '--rules',
    join(root, 'examples/shop/db/rules.yaml'),
    '--configmap',
    `${ns}/shop-profile`,
  ]);
  applyCreated(['secret', 'generic', 'shop-preview-db', '-n', ns, `--from-literal=url=${previewUrl}`]);
  applyCreated([
    'configmap',
    'shop-seed-rules',
    '-n',
    ns,
    `--from-file=rules.yaml=${join(root, 'examples/shop/db/rules.yaml')}`,
  ]);
  // Production's read-only credentials stay in production's namespace; the admin names them in the Baseline, and a preview names only the database.
  applyCreated([
    'secret',
    'generic',
    'shop-production-db-readonly',
    '-n',
    PRODUCTION_NAMESPACE,
    `--from-literal=url=${productionUrl}`,
  ]);
  kubectl([
    'patch',
    'baseline',
    'shop',
    '--type=merge',
    '-p',
    JSON.stringify({
      spec: {
        data: {
          databases: [
            {
              name: 'shop',
              connectionSecretRef: { namespace: PRODUCTION_NAMESPACE, name: 'shop-production-db-readonly', key: 'url' },
            },
          ],
        },
      },
    }),
  ]);
  // The environment owns its seed and its parity check: both are templates of
  // its spec, created in its namespace, and Ready waits for the seed.
  kubectl([
    'patch',
    'stagingenvironment',
    'shop-preview',
    '-n',
    PREVIEW_NAMESPACE,
    '--type=merge',
    '-p',
    JSON.stringify({ spec: { dataSeeds: [demoDataSeed()], parityChecks: [demoParityCheck()] } }),
  ]);
  await waitFor('the seed to be created', () => kubectlOk(['get', 'dataseed', 'shop-synthetic', '-n', ns]));
  kubectl(['wait', '-n', ns, '--for=condition=Ready', 'dataseed/shop-synthetic', '--timeout=300s']);
  const generation = kubectl([
    'get',
    'stagingenvironment',
    'shop-preview',
    '-n',
    PREVIEW_NAMESPACE,
    '-o',
    'jsonpath={.metadata.generation}',
  ]).trim();
  kubectl([
    'wait',
    '-n',
    PREVIEW_NAMESPACE,
    `--for=jsonpath={.status.observedGeneration}=${generation}`,
    'stagingenvironment/shop-preview',
    '--timeout=60s',
  ]);
  kubectl([
    'wait',
    '-n',
    PREVIEW_NAMESPACE,
    '--for=condition=Ready',
    'stagingenvironment/shop-preview',
    '--timeout=120s',
  ]);
  show(['get', 'dataseed', '-n', ns]);
  const seed = JSON.parse(kubectl(['get', 'dataseed', 'shop-synthetic', '-n', ns, '-o', 'json'])) as {
    status: { tables?: Array<{ name: string; rows: number }>; fidelity?: unknown };
  };
  console.log(`       tables: ${(seed.status.tables ?? []).map((t) => `${t.name} ${t.rows}`).join(', ')}`);
  console.log(`       fidelity: ${JSON.stringify(seed.status.fidelity ?? {})}`);
  show(['get', 'stagingenvironment', '-n', PREVIEW_NAMESPACE]);

  step('Measuring how far the preview is from production');
  await waitFor(
    'the parity check to run',
    () => kubectlOk(['wait', '-n', ns, '--for=condition=Ready', 'paritycheck/shop-preview', '--timeout=5s']),
    120_000,
  );
  show(['get', 'paritycheck', '-n', ns]);
  const parity = JSON.parse(kubectl(['get', 'paritycheck', 'shop-preview', '-n', ns, '-o', 'json'])) as {
    status: {
      findings?: Array<{
        category: string;
        resource: string;
        path: string;
        severity: string;
        expected: boolean;
        message: string;
      }>;
    };
  };
  for (const f of (parity.status.findings ?? []).slice(0, 10)) {
    console.log(
      `       ${f.expected ? 'expected' : f.severity.padEnd(8)} ${f.category.padEnd(13)} ${f.resource} ${f.path}: ${f.message}`,
    );
  }

  step('Done. Everything keeps running:');
  console.log(`       export KUBECONFIG=${cp.kubeconfig} PATH=${cp.binDir}:$PATH`);
  console.log('       kubectl get understudy -A');
  console.log(
    `       kubectl delete stagingenvironment shop-preview -n ${PREVIEW_NAMESPACE}   # the operator deletes ${ns}`,
  );
  console.log('       npm run cluster:down                                      # stops everything');
}

async function startOperator(stateDir: string, kubeconfig: string): Promise<void> {
  const procs = new ProcessTable(stateDir);
  if (procs.running('understudy-operator') === undefined) {
    procs.start('understudy-operator', process.execPath, [
      join(root, 'bin/understudy.js'),
      'operator',
      `--kubeconfig=${kubeconfig}`,
      `--metrics-bind-address=${METRICS}`,
      '--no-metrics-secure',
      `--health-probe-bind-address=${HEALTH}`,
      // Scoped like a team's install (the chart's watchNamespaces), which also
      // keeps it off the namespaces of a test run sharing this control plane.
      `--namespace=${PREVIEW_NAMESPACE}`,
      // The demo's databases are on this machine's loopback, which an operator in a cluster (its own pod) refuses.
      '--tenant-database-networks=127.0.0.0/8,::1',
    ]);
  }
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://${HEALTH}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(250);
  }
  const log = join(stateDir, 'logs', 'understudy-operator.log');
  throw new Error(
    `the operator did not become ready; last lines of ${log}:\n${existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : ''}`,
  );
}

async function runSql(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The local control plane has no storage provisioner, so the shop's claims
 * (PostgreSQL 200Gi, Redis 20Gi, storage class fast-ssd) bind to static
 * volumes: one pair for production, more for its copies. Nothing is written
 * to them, since kwok runs no containers.
 */
function staticVolumes(copies = 4): unknown {
  const items = Array.from({ length: copies }, (_, c) =>
    ['20Gi', '200Gi'].map((size, i) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `demo-fast-ssd-${c}-${i}`, labels: { 'understudy.dev/demo': 'true' } },
      spec: {
        capacity: { storage: size },
        accessModes: ['ReadWriteOnce'],
        storageClassName: 'fast-ssd',
        hostPath: { path: `/tmp/understudy-demo/${c}-${i}` },
      },
    })),
  ).flat();
  return { apiVersion: 'v1', kind: 'List', items };
}

function demoDataSeed(): { name: string; spec: unknown } {
  return {
    name: 'shop-synthetic',
    spec: {
      source: {
        synthesize: {
          profile: { configMapRef: { name: 'shop-profile', key: 'profile.json' } },
          // Reference tables keep their full size; the rest is a tenth of production.
          scale: { ratio: '0.1', rows: { categories: 40, tags: 30 } },
          seed: 1234,
        },
      },
      target: { urlSecretRef: { name: 'shop-preview-db', key: 'url' } },
      rulesFrom: { name: 'shop-seed-rules', key: 'rules.yaml' },
      mode: 'Strict',
      reset: 'Truncate',
      runner: 'Inline',
    },
  };
}

/** Created in the preview's namespace with the environment's Baseline: production is the Baseline's namespace and its database named shop. */
function demoParityCheck(): { name: string; spec: unknown } {
  return {
    name: 'shop-preview',
    spec: {
      staging: { environmentRef: { name: 'shop-preview' } },
      categories: {
        configuration: {},
        schema: {
          staging: { connectionSecretRef: { name: 'shop-preview-db', key: 'url' } },
          production: { database: 'shop' },
        },
        data: { expectedRowRatio: '0.1' },
      },
      ignore: [
        {
          path: '**',
          category: 'data',
          resource: 'Table/public.categories',
          reason: 'reference tables are seeded at full size on purpose',
        },
        {
          path: '**',
          category: 'data',
          resource: 'Table/public.tags',
          reason: 'reference tables are seeded at full size on purpose',
        },
      ],
    },
  };
}

function kubectlOk(args: string[]): boolean {
  try {
    execFileSync('kubectl', args, { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return;
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}`);
}

main().catch((err: unknown) => {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
