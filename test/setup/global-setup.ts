import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultOptions, up } from '../cluster/controlplane';
import { ProcessTable } from '../cluster/processes';
import { registerClusterUser } from './cluster-users';
import { startPostgres } from './postgres';
import { OPERATOR_NAMESPACE, installOperatorIdentity } from './operator-identity';

/**
 * One real control plane and one PostgreSQL for the whole integration run.
 * A control plane already started with `npm run cluster:up` is reused and
 * left running; one started here is stopped by the teardown.
 */
export default async function globalSetup(): Promise<void> {
  const opts = defaultOptions();
  const wasRunning = new ProcessTable(opts.stateDir).running('kube-apiserver') !== undefined;
  const cp = await up(opts, (line) => process.stderr.write(`[cluster] ${line}\n`));
  process.env.KUBECONFIG = cp.kubeconfig;
  process.env.UNDERSTUDY_CLUSTER_DIR = cp.stateDir;
  process.env.UNDERSTUDY_BIN_DIR = cp.binDir;
  process.env.PATH = `${cp.binDir}:${process.env.PATH ?? ''}`;
  process.env.UNDERSTUDY_STARTED_CLUSTER = wasRunning ? '' : '1';
  registerClusterUser(cp.stateDir);

  const crdDir = resolve(__dirname, '../../crds');
  if (existsSync(crdDir) && readdirSync(crdDir).some((f) => f.endsWith('.yaml'))) {
    execFileSync('kubectl', ['apply', '--server-side', '--force-conflicts', '-f', crdDir], { stdio: 'pipe' });
    execFileSync('kubectl', ['wait', '--for=condition=Established', '--timeout=60s', '-f', crdDir], { stdio: 'pipe' });
  }
  process.env.UNDERSTUDY_OPERATOR_KUBECONFIG = installOperatorIdentity(cp.server, cp.stateDir);
  process.env.UNDERSTUDY_OPERATOR_NAMESPACE = OPERATOR_NAMESPACE;

  const pgDir = mkdtempSync(join(tmpdir(), 'understudy-pg-'));
  const port = process.env.UNDERSTUDY_TEST_PG_PORT ? Number(process.env.UNDERSTUDY_TEST_PG_PORT) : await freePort();
  const pg = await startPostgres({ dataDir: join(pgDir, 'data'), port });
  process.env.UNDERSTUDY_TEST_PG_URL = pg.url;
  process.env.UNDERSTUDY_TEST_PG_DIR = pg.dataDir;
  writeFileSync(join(pgDir, 'url'), pg.url);
}

/** A loopback port nobody listens on, so concurrent runs (and a developer's own servers) never clash. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}
