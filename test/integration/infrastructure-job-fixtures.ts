import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RUN_LABEL, runLabelOf } from '../../operator/controllers/infrastructure/job-manifest';
import { engineRoot } from '../../operator/infrastructure/engine';
import { OPERATOR_NAMESPACE } from '../setup/operator-identity';
import { adminKubeConfig, eventually, kubectl, kubectlAsync } from '../support/kube';
import { secretData } from './infrastructure-fixtures';
import { getEnvironment } from './stagingenvironment-fixtures';

// Helpers of infrastructure-job-runner.test.ts: find a run's Jobs, ask the
// API server what a run's identity may do, and play a Job's pod on this host.

const CLI = resolve(__dirname, '../../bin/understudy.js');

export type Json = Record<string, any>; // any: manifests read field by field

export function jobsOf(key: string): Json[] {
  const out = kubectl(['get', 'jobs', '-n', OPERATOR_NAMESPACE, '-l', `${RUN_LABEL}=${runLabelOf(key)}`, '-o', 'json']);
  return (JSON.parse(out) as { items: Json[] }).items.filter((j) => !j.metadata.deletionTimestamp);
}

export function waitForJob(key: string, action: string): Promise<Json> {
  return eventually(
    () => jobsOf(key).find((j) => j.metadata.annotations['understudy.dev/action'] === action && !j.spec.suspend),
    { timeoutMs: 120_000, what: `the ${action} Job of ${key}` },
  );
}

export async function canI(account: string, args: string[]): Promise<boolean> {
  const out = await kubectlAsync([
    'auth',
    'can-i',
    ...args,
    `--as=system:serviceaccount:${OPERATOR_NAMESPACE}:${account}`,
  ]);
  return out.stdout.trim() === 'yes';
}

/** A kubeconfig holding a token of the Job's ServiceAccount: what the pod's mounted token would be. */
export function podKubeconfig(dir: string, account: string): string {
  const token = kubectl(['create', 'token', account, '-n', OPERATOR_NAMESPACE, '--duration=10m']).trim();
  const cluster = adminKubeConfig().getCurrentCluster()!;
  const ca = cluster.caData
    ? `certificate-authority-data: ${cluster.caData}`
    : `certificate-authority: ${cluster.caFile}`;
  const path = join(dir, `${account}.kubeconfig`);
  writeFileSync(
    path,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "${cluster.server}", ${ca}}}]
users: [{name: pod, user: {token: "${token}"}}]
contexts: [{name: pod, context: {cluster: c, user: pod}}]
current-context: pod
`,
    { mode: 0o600 },
  );
  return path;
}

/** Plays the Job's pod: its request (as mounted), its token, its command. */
export function runPod(job: Json, dir: string): Promise<{ code: number; output: string }> {
  const name: string = job.metadata.name;
  const request = secretData(OPERATOR_NAMESPACE, `${name}-request`)!['request.json']!;
  const requestFile = join(dir, `${name}.json`);
  writeFileSync(requestFile, request, { mode: 0o600 });
  const args = [...job.spec.template.spec.containers[0].args] as string[];
  args[args.indexOf('--request') + 1] = requestFile;
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args, '--kubeconfig', podKubeconfig(dir, name)],
      {
        env: {
          PATH: process.env.PATH,
          HOME: dir,
          UNDERSTUDY_PULUMI_HOME: join(dir, 'pulumi-home'),
          // The engine the other infrastructure tests use; the image has its own under /opt/pulumi.
          UNDERSTUDY_PULUMI_ROOT: engineRoot(),
        },
        timeout: 180_000,
      },
      (error, stdout, stderr) =>
        done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
    child.stdin?.end();
  });
}

export const isReady = (s: { conditions?: Array<{ type: string; status: string }> }) =>
  s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Removes the infrastructure finalizer (and only it) from a deleting environment, as the CannotDestroy message tells an admin to. */
export async function releaseInfrastructure(namespace: string, name: string): Promise<void> {
  await eventually(
    async () => {
      const env = await getEnvironment(name, namespace);
      const index = env?.metadata.finalizers?.indexOf('understudy.dev/infrastructure-destroy') ?? -1;
      if (index < 0) return true;
      const path = `/metadata/finalizers/${index}`;
      // `test` first: the StagingEnvironment controller may remove its own finalizer meanwhile.
      await kubectlAsync([
        'patch',
        'stagingenvironment',
        '-n',
        namespace,
        name,
        '--type=json',
        '-p',
        JSON.stringify([
          { op: 'test', path, value: 'understudy.dev/infrastructure-destroy' },
          { op: 'remove', path },
        ]),
      ]);
      return false;
    },
    { timeoutMs: 30_000, what: `the infrastructure finalizer of ${name} removed` },
  );
}
