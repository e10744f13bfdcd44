import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { KubeConfig } from '../../operator/runtime/client-node';

const execFileAsync = promisify(execFile);

/** Admin access to the test control plane started by the jest global setup. */
export function adminKubeConfig(): KubeConfig {
  const path = process.env.KUBECONFIG;
  if (!path) throw new Error('KUBECONFIG is not set: integration tests run under the jest global setup');
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** The operator's least-privilege identity (the chart's RBAC), as in a real install. */
export function operatorKubeConfig(): KubeConfig {
  const path = process.env.UNDERSTUDY_OPERATOR_KUBECONFIG;
  if (!path)
    throw new Error('UNDERSTUDY_OPERATOR_KUBECONFIG is not set: integration tests run under the jest global setup');
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** A DNS-1123 name unique to this run, so concurrent tests never share objects. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase().slice(0, 63);
}

export function kubectl(args: string[], input?: string): string {
  return execFileSync('kubectl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], env: process.env }).toString();
}

export async function kubectlAsync(
  args: string[],
  input?: string,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const child = execFileAsync('kubectl', args, { env: process.env, maxBuffer: 64 * 1024 * 1024 });
    if (input !== undefined) {
      child.child.stdin?.end(input);
    }
    const { stdout, stderr } = await child;
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

/**
 * Labels of a namespace the operator may write in: the chart's admission
 * policy refuses its writes anywhere else. Tests of the runtime machinery
 * (no StagingEnvironment involved) play the admin who grants that.
 */
export const OPERATOR_WRITABLE: Readonly<Record<string, string>> = { 'app.kubernetes.io/managed-by': 'understudy' };

export function createNamespace(prefix: string, labels: Record<string, string> = {}): string {
  const name = uniqueName(prefix);
  const labelYaml = Object.entries(labels)
    .map(([k, v]) => `    ${k}: "${v}"`)
    .join('\n');
  kubectl(
    ['apply', '-f', '-'],
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n${labelYaml ? `  labels:\n${labelYaml}\n` : ''}`,
  );
  return name;
}

export function deleteNamespace(name: string): void {
  kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
}

/** Polls until `check` returns a value other than undefined/false, or fails with the last observation. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
  throw new Error(
    `timed out waiting for ${opts.what ?? 'condition'}; last observation: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/** Polls an object until `accept` holds; a timeout reports the object's last status, which says why. */
export async function waitForObject<T extends { status?: unknown }>(
  read: () => Promise<T | undefined>,
  accept: (object: T) => boolean,
  opts: { what: string; timeoutMs: number },
): Promise<T> {
  let last: T | undefined;
  try {
    return await eventually(
      async () => {
        last = await read();
        return last && accept(last) ? last : undefined;
      },
      { timeoutMs: opts.timeoutMs, intervalMs: 250, what: opts.what },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nlast status: ${JSON.stringify(last?.status, null, 1)}`, { cause: err });
  }
}
