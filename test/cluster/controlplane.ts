import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensurePki, IDENTITIES, kubeconfigYaml } from './pki';
import { ProcessTable, sleep } from './processes';

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (RBAC,
 * client certificates), kube-controller-manager, kube-scheduler and kwok with
 * a few untainted simulated nodes. Binaries come from build-controlplane.sh.
 */

export interface ControlPlaneOptions {
  stateDir: string;
  etcdPort: number;
  apiPort: number;
  nodes: number;
}

export interface ControlPlane {
  kubeconfig: string;
  server: string;
  stateDir: string;
  binDir: string;
}

const COMPONENTS = ['kwok', 'kube-scheduler', 'kube-controller-manager', 'kube-apiserver', 'etcd'] as const;

export function defaultOptions(): ControlPlaneOptions {
  const env = process.env;
  return {
    stateDir: env.UNDERSTUDY_CLUSTER_DIR ?? join(cacheRoot(), 'cluster'),
    etcdPort: Number(env.UNDERSTUDY_ETCD_PORT ?? 23790),
    apiPort: Number(env.UNDERSTUDY_API_PORT ?? 16443),
    nodes: Number(env.UNDERSTUDY_NODES ?? 3),
  };
}

function cacheRoot(): string {
  return process.env.UNDERSTUDY_CACHE ?? join(homedir(), '.cache', 'understudy');
}

/** Builds the binaries when they are not cached (idempotent, fast when cached). */
export function ensureBinaries(): string {
  const script = resolve(__dirname, 'build-controlplane.sh');
  execFileSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  const current = join(cacheRoot(), 'controlplane', 'current');
  return join(realpathSync(current), 'bin');
}

export function kubeconfigPath(opts: ControlPlaneOptions, identity = 'admin'): string {
  return join(opts.stateDir, `${identity}.kubeconfig`);
}

/** Starts the control plane, or returns the one already running. */
export async function up(
  opts = defaultOptions(),
  log: (line: string) => void = () => undefined,
): Promise<ControlPlane> {
  const binDir = ensureBinaries();
  const procs = new ProcessTable(opts.stateDir);
  const server = `https://127.0.0.1:${opts.apiPort}`;
  const pki = join(opts.stateDir, 'pki');
  const result: ControlPlane = { kubeconfig: kubeconfigPath(opts), server, stateDir: opts.stateDir, binDir };
  if (COMPONENTS.every((c) => procs.running(c) !== undefined) && (await healthy(pki, server))) {
    log('control plane already running');
    return result;
  }
  await down(opts);
  ensurePki(pki);
  for (const id of IDENTITIES) writeFileSync(kubeconfigPath(opts, id.name), kubeconfigYaml(pki, id.name, server));

  const started = Date.now();
  startEtcd(procs, binDir, opts);
  await waitFor('etcd', () => httpOk(`http://127.0.0.1:${opts.etcdPort}/health`), 30_000, procs);
  startApiServer(procs, binDir, opts, opts.apiPort, 'kube-apiserver');
  await waitFor('kube-apiserver', () => healthy(pki, server), 90_000, procs);
  startControllerManager(procs, binDir, opts);
  startScheduler(procs, binDir, opts);
  startKwok(procs, binDir, opts);
  createNodes(binDir, opts);
  await waitFor('nodes Ready', () => nodesReady(binDir, opts), 60_000, procs);
  await waitFor(
    'default ServiceAccount',
    () => kubectlOk(binDir, opts, ['get', 'serviceaccount', 'default', '-n', 'default']),
    60_000,
    procs,
  );
  log(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return result;
}

/** Stops every component and leaves nothing running; the state stays for the next `up`. */
export async function down(opts = defaultOptions()): Promise<void> {
  if (!existsSync(opts.stateDir)) return;
  const procs = new ProcessTable(opts.stateDir);
  const extra = procs.names().filter((n) => !(COMPONENTS as readonly string[]).includes(n));
  for (const name of [...extra, ...COMPONENTS]) await procs.stop(name);
}

/** Removes all state (etcd data, certificates) after stopping. */
export async function reset(opts = defaultOptions()): Promise<void> {
  await down(opts);
  rmSync(opts.stateDir, { recursive: true, force: true });
}

/**
 * A second kube-apiserver over the same etcd. Tests that need to restart
 * "the" API server point their operator at this one, so stopping it does not
 * disturb tests running beside them.
 */
export async function startExtraApiServer(
  opts: ControlPlaneOptions,
  port: number,
): Promise<{ kubeconfig: string; name: string }> {
  const binDir = join(realpathSync(join(cacheRoot(), 'controlplane', 'current')), 'bin');
  const procs = new ProcessTable(opts.stateDir);
  const name = `kube-apiserver-${port}`;
  const server = `https://127.0.0.1:${port}`;
  const pki = join(opts.stateDir, 'pki');
  if (procs.running(name) === undefined) startApiServer(procs, binDir, opts, port, name);
  await waitFor(name, () => healthy(pki, server), 90_000, procs);
  const kubeconfig = join(opts.stateDir, `admin-${port}.kubeconfig`);
  writeFileSync(kubeconfig, kubeconfigYaml(pki, 'admin', server));
  return { kubeconfig, name };
}

export async function stopComponent(
  opts: ControlPlaneOptions,
  name: string,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const procs = new ProcessTable(opts.stateDir);
  if (signal === 'SIGKILL') procs.kill(name, 'SIGKILL');
  await procs.stop(name);
}

function startEtcd(procs: ProcessTable, bin: string, o: ControlPlaneOptions): void {
  const data = join(o.stateDir, 'etcd');
  mkdirSync(data, { recursive: true });
  const client = `http://127.0.0.1:${o.etcdPort}`;
  const peer = `http://127.0.0.1:${o.etcdPort + 10}`;
  procs.start('etcd', join(bin, 'etcd'), [
    '--name=understudy',
    `--data-dir=${data}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=understudy=${peer}`,
    '--initial-cluster-state=new',
    '--unsafe-no-fsync',
    '--quota-backend-bytes=8589934592',
    '--log-level=warn',
  ]);
}

function startApiServer(procs: ProcessTable, bin: string, o: ControlPlaneOptions, port: number, name: string): void {
  const pki = join(o.stateDir, 'pki');
  procs.start(name, join(bin, 'kube-apiserver'), [
    `--etcd-servers=http://127.0.0.1:${o.etcdPort}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${pki}/apiserver.crt`,
    `--tls-private-key-file=${pki}/apiserver.key`,
    `--client-ca-file=${pki}/ca.crt`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki}/sa.pub`,
    `--service-account-signing-key-file=${pki}/sa.key`,
    '--service-cluster-ip-range=10.96.0.0/16',
    '--allow-privileged=true',
    '--profiling=false',
    // Short compaction so tests can provoke "410 Gone" on stale resourceVersions.
    '--etcd-compaction-interval=1m',
    `--cert-dir=${join(o.stateDir, 'apiserver-certs', name)}`,
    '--v=0',
  ]);
}

function startControllerManager(procs: ProcessTable, bin: string, o: ControlPlaneOptions): void {
  const pki = join(o.stateDir, 'pki');
  const kc = kubeconfigPath(o, 'controller-manager');
  procs.start('kube-controller-manager', join(bin, 'kube-controller-manager'), [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${o.apiPort + 1}`,
    '--leader-elect=false',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki}/sa.key`,
    `--root-ca-file=${pki}/ca.crt`,
    `--cluster-signing-cert-file=${pki}/ca.crt`,
    `--cluster-signing-key-file=${pki}/ca.key`,
    '--concurrent-gc-syncs=10',
    '--concurrent-namespace-syncs=5',
    // The default 20 qps makes the controller-manager, not the operator, the
    // bottleneck when hundreds of environments roll out at once.
    '--kube-api-qps=200',
    '--kube-api-burst=400',
    `--cert-dir=${join(o.stateDir, 'kcm-certs')}`,
  ]);
}

function startScheduler(procs: ProcessTable, bin: string, o: ControlPlaneOptions): void {
  const kc = kubeconfigPath(o, 'scheduler');
  procs.start('kube-scheduler', join(bin, 'kube-scheduler'), [
    `--kubeconfig=${kc}`,
    `--authentication-kubeconfig=${kc}`,
    `--authorization-kubeconfig=${kc}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${o.apiPort + 2}`,
    '--leader-elect=false',
    `--cert-dir=${join(o.stateDir, 'scheduler-certs')}`,
  ]);
}

function startKwok(procs: ProcessTable, bin: string, o: ControlPlaneOptions): void {
  procs.start('kwok', join(bin, 'kwok'), [
    `--kubeconfig=${kubeconfigPath(o, 'kwok')}`,
    '--manage-all-nodes=false',
    '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
    '--manage-nodes-with-label-selector=',
    '--manage-single-node=',
    '--cidr=10.0.0.0/16',
    '--node-ip=10.0.0.1',
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${o.apiPort + 3}`,
  ]);
}

function createNodes(bin: string, o: ControlPlaneOptions): void {
  const docs = Array.from(
    { length: o.nodes },
    (_, i) => `apiVersion: v1
kind: Node
metadata:
  name: kwok-node-${i}
  annotations:
    node.alpha.kubernetes.io/ttl: "0"
    kwok.x-k8s.io/node: fake
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-${i}
    type: kwok
status:
  allocatable: {cpu: "64", memory: 256Gi, pods: "250"}
  capacity: {cpu: "64", memory: 256Gi, pods: "250"}
`,
  ).join('---\n');
  execFileSync(join(bin, 'kubectl'), ['--kubeconfig', kubeconfigPath(o), 'apply', '-f', '-'], {
    input: docs,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function kubectlOk(bin: string, o: ControlPlaneOptions, args: string[]): boolean {
  try {
    execFileSync(join(bin, 'kubectl'), ['--kubeconfig', kubeconfigPath(o), ...args], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function nodesReady(bin: string, o: ControlPlaneOptions): boolean {
  try {
    const out = execFileSync(
      join(bin, 'kubectl'),
      [
        '--kubeconfig',
        kubeconfigPath(o),
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ],
      { stdio: 'pipe' },
    ).toString();
    const lines = out.split('\n').filter(Boolean);
    return lines.length >= o.nodes && lines.every((l) => l === 'True');
  } catch {
    return false;
  }
}

async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  procs: ProcessTable,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  const logName = what.split(' ')[0] ?? what;
  const logFile = procs.logFile(logName);
  const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n') : '(no log)';
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s; last log lines:\n${tail}`);
}

function httpOk(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.ok,
    () => false,
  );
}

/** /readyz with the admin client certificate: true once RBAC bootstrap and every post-start hook finished. */
export function healthy(pkiDir: string, server: string): Promise<boolean> {
  if (!existsSync(join(pkiDir, 'admin.crt'))) return Promise.resolve(false);
  return new Promise((resolveReady) => {
    const req = request(
      `${server}/readyz`,
      {
        ca: readFileSync(join(pkiDir, 'ca.crt')),
        cert: readFileSync(join(pkiDir, 'admin.crt')),
        key: readFileSync(join(pkiDir, 'admin.key')),
        timeout: 2000,
      },
      (res) => {
        res.resume();
        resolveReady(res.statusCode === 200);
      },
    );
    req.on('error', () => resolveReady(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}
