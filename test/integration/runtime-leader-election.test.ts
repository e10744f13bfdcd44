import { OPERATOR_WRITABLE } from '../support/kube';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { type KubernetesObject, loadKubeConfig } from '../../operator/runtime/client-node';
import type { LeaseObject } from '../../operator/runtime/leader-election';
import { KubeClient } from '../../operator/runtime/kube-client';
import { RUNTIME_TEST_LABEL, echoName } from '../../operator/runtime/testing/configmap-echo';
import { createNamespace, deleteNamespace, eventually, uniqueName } from '../support/kube';
import { type OperatorProcess, describeProcess, spawnOperator } from '../support/operator-process';

jest.setTimeout(180_000);

const LEASE_NAMESPACE = process.env.UNDERSTUDY_OPERATOR_NAMESPACE ?? 'understudy-system';

// Two real operator processes (the compiled CLI, with the chart's RBAC) campaign
// for one Lease. Only the leader reconciles; SIGKILL on it hands over within
// the lease duration; SIGTERM on the next one releases the Lease at once.
describe('runtime: leader election between two operator processes', () => {
  let ns: string;
  let leaseName: string;
  const processes: OperatorProcess[] = [];
  const admin = () => new KubeClient(loadKubeConfig(process.env.KUBECONFIG));

  beforeAll(() => {
    if (!existsSync(resolve(__dirname, '../../dist/operator/cli.js')))
      throw new Error('dist/ is missing: run `npm run build` (npm test does) before the integration tests');
    ns = createNamespace('rt-leader', OPERATOR_WRITABLE);
    leaseName = uniqueName('rt-leader');
  });

  afterAll(async () => {
    for (const p of processes) p.kill('SIGKILL');
    await Promise.all(processes.map((p) => p.exited));
    await admin().delete({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      namespace: LEASE_NAMESPACE,
      name: leaseName,
    });
    if (ns) deleteNamespace(ns);
  });

  const start = (name: string): OperatorProcess => {
    const p = spawnOperator(name, [
      `--kubeconfig=${process.env.UNDERSTUDY_OPERATOR_KUBECONFIG}`,
      `--namespace=${ns}`,
      '--leader-elect',
      `--leader-election-namespace=${LEASE_NAMESPACE}`,
      `--leader-election-id=${leaseName}`,
      '--metrics-bind-address=127.0.0.1:0',
      '--health-probe-bind-address=127.0.0.1:0',
      '--graceful-shutdown-timeout=5',
      '--test-controller=configmap-echo',
    ]);
    processes.push(p);
    return p;
  };
  const holder = async (): Promise<string> =>
    (
      await admin().get<LeaseObject>({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        namespace: LEASE_NAMESPACE,
        name: leaseName,
      })
    )?.spec?.holderIdentity ?? '';
  const echo = () =>
    admin().get<KubernetesObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: echoName('elect'),
    });
  const healthUrl = (p: OperatorProcess): string | undefined =>
    p.lines().find((l) => l.msg === 'operator running')?.health as string | undefined;

  it('elects one leader, fails over within 20 s of a SIGKILL, and releases the lease on SIGTERM', async () => {
    const a = start('op-a');
    const b = start('op-b');
    const byName = (identity: string) => [a, b].find((p) => identity.startsWith(`${p.name}_`));

    const first = await eventually(async () => byName(await holder()), { what: 'a leader', timeoutMs: 60_000 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n${describeProcess(a)}\n${describeProcess(b)}`);
      },
    );
    const standby = first === a ? b : a;
    const firstIdentity = await holder();

    // Only the leader reconciles: the echo names it.
    await admin().create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'elect', namespace: ns, labels: { [RUNTIME_TEST_LABEL]: 'source' } },
      data: { value: '1' },
    } as KubernetesObject);
    const firstEcho = await eventually(async () => (await echo())?.data?.value === '1' && (await echo()), {
      what: 'echo from the leader',
    });
    expect(firstEcho.data?.reconciledBy).toBe(firstIdentity);
    expect(standby.lines().some((l) => l.msg === 'acquired the lease, leading')).toBe(false);
    // A standby is ready: its caches are warm and it can reach the API server.
    const standbyHealth = await eventually(() => healthUrl(standby), { what: 'standby health address' });
    await eventually(async () => (await fetch(`${standbyHealth}/readyz`)).status === 200, { what: 'standby ready' });

    first.kill('SIGKILL');
    const killedAt = Date.now();
    const secondIdentity = await eventually(
      async () => {
        const identity = await holder();
        return identity.startsWith(`${standby.name}_`) ? identity : undefined;
      },
      { what: 'the standby taking over', timeoutMs: 30_000, intervalMs: 250 },
    );
    const takeoverMs = Date.now() - killedAt;
    if (process.env.UNDERSTUDY_TEST_VERBOSE)
      process.stderr.write(`leader election: takeover ${takeoverMs} ms after SIGKILL\n`);
    expect(takeoverMs).toBeLessThan(20_000);

    await admin().mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'elect' },
      { data: { value: '2' } },
    );
    const secondEcho = await eventually(async () => (await echo())?.data?.value === '2' && (await echo()), {
      what: 'echo from the new leader',
    });
    expect(secondEcho.data?.reconciledBy).toBe(secondIdentity);

    standby.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([
      standby.exited,
      new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 15_000))),
    ]);
    clearTimeout(timer);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await holder()).toBe('');
  });
});
