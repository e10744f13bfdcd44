import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Client } from 'pg';

/** A PostgreSQL server from Debian's packages, on loopback, with its own data directory. */
/**
 * The test databases listen on loopback, which the operator refuses for a tenant's database by default (in a
 * cluster, its loopback is its own pod). An operator in these tests allows it as an admin would: with
 * --tenant-database-networks, as the demo does on a laptop.
 */
export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1'];

export interface PostgresServer {
  url: string;
  port: number;
  dataDir: string;
  pid: number;
}

function pgBinDir(): string {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return join(root, versions[0]!, 'bin');
}

// initdb and postgres refuse to run as root, so the server runs as the
// unprivileged `postgres` user when we are root.
function asServerUser(cmd: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [cmd, args];
  return ['runuser', ['-u', 'postgres', '--', cmd, ...args]];
}

export async function startPostgres(opts: { dataDir: string; port: number }): Promise<PostgresServer> {
  const bin = pgBinDir();
  const { dataDir, port } = opts;
  const existing = readPid(dataDir);
  if (existing && isAlive(existing)) {
    const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    await waitReady(url, 30_000, dataDir);
    return { url, port, dataDir, pid: existing };
  }
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    if (process.getuid?.() === 0) {
      // The server user must be able to reach its data directory (mkdtemp makes 0700 parents).
      chmodSync(dirname(dataDir), 0o755);
      execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
    }
    const [cmd, args] = asServerUser(join(bin, 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
    ]);
    execFileSync(cmd, args, { stdio: 'pipe' });
    // Tuned for throwaway test data: durability is not needed, speed is.
    writeFileSync(
      join(dataDir, 'postgresql.auto.conf'),
      [
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        "shared_buffers = '256MB'",
        'max_connections = 200',
        "max_wal_size = '2GB'",
      ].join('\n') + '\n',
    );
  }
  const [cmd, args] = asServerUser(join(bin, 'postgres'), [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dataDir,
  ]);
  const child = spawn(cmd, args, { detached: true, stdio: ['ignore', 'ignore', 'ignore'] });
  child.unref();
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  await waitReady(url, 60_000, dataDir);
  return { url, port, dataDir, pid: readPid(dataDir) ?? child.pid ?? 0 };
}

export function stopPostgres(dataDir: string): void {
  const pid = readPid(dataDir);
  if (pid && isAlive(pid)) {
    process.kill(pid, 'SIGINT'); // fast shutdown
    const deadline = Date.now() + 20_000;
    while (isAlive(pid) && Date.now() < deadline) execFileSync('sleep', ['0.1']);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
}

function readPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'postmaster.pid');
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
  return Number.isFinite(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits until the server on `url` answers, and checks it is the one serving
 * `dataDir`: when the port is taken, our server exits at once and another
 * one (a second run's, another session's) would otherwise answer in its place.
 */
async function waitReady(url: string, timeoutMs: number, dataDir: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const client = new Client({ connectionString: url });
    try {
      await client.connect();
      const { rows } = await client.query<{ data_directory: string }>('show data_directory');
      const serving = rows[0]?.data_directory;
      if (serving !== undefined && realpathSync(serving) !== realpathSync(dataDir)) {
        throw new PortTakenError(
          `port ${new URL(url).port} is already served by another PostgreSQL (data directory ${serving}), not the one in ${dataDir}: choose a free port`,
        );
      }
      return;
    } catch (err) {
      if (err instanceof PortTakenError) throw err;
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new Error(`PostgreSQL at ${url} did not become ready: ${String(lastError)}`);
}

class PortTakenError extends Error {}

/** A fresh database for one test, so tests never share state. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
