import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');

/** A free loopback port, for servers a test starts itself (an extra kube-apiserver). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** The same credentials pointed at another API server of the same cluster (written beside the original). */
export function kubeconfigForServer(kubeconfigPath: string, server: string, suffix: string): string {
  const text = readFileSync(kubeconfigPath, 'utf8').replace(
    /server: *"?https:\/\/127\.0\.0\.1:\d+"?/g,
    `server: "${server}"`,
  );
  const path = `${kubeconfigPath}.${suffix}`;
  writeFileSync(path, text);
  return path;
}

export interface OperatorProcess {
  child: ChildProcess;
  name: string;
  /** Every JSON log line so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts `node bin/understudy.js operator ...` (the compiled CLI, so `npm run
 * build` must have run), with POD_NAME set so its leader-election identity
 * starts with `name_`.
 */
export function spawnOperator(name: string, args: string[], env: NodeJS.ProcessEnv = {}): OperatorProcess {
  const child = spawn(process.execPath, [join(REPO, 'bin', 'understudy.js'), 'operator', ...args], {
    cwd: REPO,
    env: { ...process.env, LOG_LEVEL: 'info', POD_NAME: name, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return {
    child,
    name,
    exited,
    output: () => out,
    lines: () =>
      out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .flatMap((l) => {
          try {
            return [JSON.parse(l) as Record<string, unknown>];
          } catch {
            return [];
          }
        }),
    kill: (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Fails the test with the process's own words when it died early. */
export function describeProcess(p: OperatorProcess): string {
  return `${p.name} (pid ${p.child.pid}, exit ${p.child.exitCode ?? p.child.signalCode ?? 'running'}):\n${p.output().split('\n').slice(-20).join('\n')}`;
}

/** Follows reconciles of the echo controller: how many, and whether one key ever ran twice at once. */
export class ReconcileRecorder {
  readonly counts = new Map<string, number>();
  readonly active = new Set<string>();
  overlaps = 0;
  total = 0;

  readonly hook = (key: string, phase: 'start' | 'end'): void => {
    if (phase === 'start') {
      if (this.active.has(key)) this.overlaps++;
      this.active.add(key);
      this.total++;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    } else {
      this.active.delete(key);
    }
  };

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/** Parses one sample of a Prometheus text exposition, e.g. `controller_runtime_reconcile_total{controller="x",result="success"}`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return undefined;
}

/**
 * Compacts etcd to its current revision through etcd's JSON gateway, so every
 * resourceVersion seen so far is history the API server can no longer serve:
 * a watch resuming from one gets 410 Gone.
 */
export async function compactEtcd(etcdPort: number): Promise<number> {
  const base = `http://127.0.0.1:${etcdPort}/v3/kv`;
  const range = await fetch(`${base}/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from('/').toString('base64'), limit: 1 }),
  });
  if (!range.ok) throw new Error(`etcd range failed: HTTP ${range.status} ${await range.text()}`);
  const revision = Number(((await range.json()) as { header?: { revision?: string } }).header?.revision);
  if (!Number.isFinite(revision)) throw new Error('etcd did not report a revision');
  const compaction = await fetch(`${base}/compaction`, {
    method: 'POST',
    body: JSON.stringify({ revision: String(revision), physical: true }),
  });
  const text = await compaction.text();
  // An already-compacted revision is fine: the API server's own compactor may have got there first.
  if (!compaction.ok && !text.includes('compacted'))
    throw new Error(`etcd compaction failed: HTTP ${compaction.status} ${text}`);
  return revision;
}
