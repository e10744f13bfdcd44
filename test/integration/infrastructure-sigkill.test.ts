import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { derivedName } from '../../operator/infrastructure/postgres/sql';
import { stackNameOf } from '../../operator/infrastructure/request';
import { OPERATOR_NAMESPACE } from '../setup/operator-identity';
import { createNamespace, deleteNamespace, eventually, kubectl } from '../support/kube';
import { describeProcess, type OperatorProcess, spawnOperator } from '../support/operator-process';
import {
  backendFiles,
  infra,
  infraCondition,
  infrastructureBaseline,
  orphanedProviders,
  runnersOf,
  secretData,
  waitForInfra,
} from './infrastructure-fixtures';
import { databasesLike, rolesLike, testPgUrl } from './infrastructure-runner';
import { deleteBaseline, deleteEnvironments, environment, getEnvironment } from './stagingenvironment-fixtures';

jest.setTimeout(420_000);

// SIGKILL of the runner (its whole process group: the runner, the pulumi
// engine and the dynamic provider, as a node or pod crash would) in the
// middle of `up` and in the middle of `destroy`. The provider pauses inside
// create (between the role and the database) and inside delete, so the kill
// lands mid-operation: the engine's lock and a pending operation are left in
// the backend. The next run clears both and converges: one database, one
// role; after the delete, none, and nothing of the stack in the backend.

const id = randomBytes(3).toString('hex');

describe('a runner killed mid-operation', () => {
  const backendDir = mkdtempSync(join(tmpdir(), 'understudy-infra-kill-'));
  const baselineName = `infra-kill-${id}`;
  const source = `infra-kill-src-${id}`;
  let previews: string;
  let operator: OperatorProcess;

  beforeAll(async () => {
    previews = createNamespace('infra-kill');
    await infrastructureBaseline({ name: baselineName, previews, source, backendDir, id });
    operator = spawnOperator(
      `infra-kill-${id}`,
      [
        `--kubeconfig=${process.env.UNDERSTUDY_OPERATOR_KUBECONFIG}`,
        `--namespace=${previews}`,
        '--metrics-bind-address=0',
        '--health-probe-bind-address=127.0.0.1:0',
        '--graceful-shutdown-timeout=5',
      ],
      { POD_NAMESPACE: OPERATOR_NAMESPACE, UNDERSTUDY_TEST_PROVIDER_PAUSE_MS: '4000' },
    );
  });
  afterAll(async () => {
    if (previews) await deleteEnvironments(previews, 180_000).catch(() => undefined);
    operator?.kill();
    await operator?.exited;
    deleteBaseline(baselineName);
    for (const ns of [previews, source]) if (ns) deleteNamespace(ns);
  });

  /** Waits until the runner is inside `step`, then kills its process group; returns the runner's pid. */
  async function killDuring(step: string): Promise<number> {
    await waitForInfra(
      'crash',
      previews,
      (s) => (s.progress ?? '').includes(step),
      `progress "${step}"`,
      180_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeProcess(operator)}`);
    });
    const [runner] = await eventually(
      () => {
        const pids = runnersOf(operator.child.pid!);
        return pids.length > 0 ? pids : undefined;
      },
      { timeoutMs: 10_000, what: 'the runner process' },
    );
    process.kill(-runner!, 'SIGKILL');
    return runner!;
  }

  it('recovers after a kill during up and during destroy, leaving exactly one database, then none', async () => {
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(environment('crash', previews, { baselineRef: { name: baselineName } })),
    );
    const killedUp = await killDuring('creating database');
    const ready = await waitForInfra(
      'crash',
      previews,
      (s) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      'Ready after the kill',
      180_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeProcess(operator)}`);
    });
    expect(runnersOf(operator.child.pid!)).not.toContain(killedUp);
    // The dynamic provider (in a process group of its own) died with its engine: none is left behind.
    await eventually(() => orphanedProviders().length === 0, {
      timeoutMs: 10_000,
      what: 'no orphaned dynamic-provider process',
    });
    // The run after the kill said what it cleared: the dead engine's lock and its pending create.
    expect(infraCondition(ready, 'Ready')?.message).toMatch(
      /recovered: removed 1 stale lock.*recovered: cleared 1 pending operation/,
    );
    const env = await getEnvironment('crash', previews);
    const stack = stackNameOf({ namespace: previews, name: 'crash', uid: env!.metadata.uid! });
    const name = derivedName(stack);
    expect(await databasesLike(testPgUrl(), `${name}%`)).toEqual([name]);
    expect(await rolesLike(testPgUrl(), `${name}%`)).toEqual([name]);
    expect(secretData(env!.status!.namespace!, 'infrastructure')).toMatchObject({ database: name });
    expect(infra(ready)?.lastResult).toBe('Succeeded');

    kubectl(['delete', 'stagingenvironment', '-n', previews, 'crash', '--wait=false']);
    await killDuring('deleting database');
    await eventually(async () => (await getEnvironment('crash', previews)) === undefined, {
      timeoutMs: 180_000,
      what: 'environment crash gone',
    });
    await eventually(() => orphanedProviders().length === 0, {
      timeoutMs: 10_000,
      what: 'no orphaned dynamic-provider process',
    });
    expect(await databasesLike(testPgUrl(), `${name}%`)).toEqual([]);
    expect(await rolesLike(testPgUrl(), `${name}%`)).toEqual([]);
    expect(backendFiles(backendDir, stack)).toEqual([]);
  });
});
