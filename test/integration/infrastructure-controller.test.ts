import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { derivedName } from '../../operator/infrastructure/postgres/sql';
import { stackNameOf } from '../../operator/infrastructure/request';
import { OPERATOR_NAMESPACE } from '../setup/operator-identity';
import { LOOPBACK_NETWORKS } from '../setup/postgres';
import { createNamespace, deleteNamespace, eventually, kubectl } from '../support/kube';
import { describeProcess, type OperatorProcess, spawnOperator } from '../support/operator-process';
import {
  backendFiles,
  infra,
  infraCondition,
  infrastructureBaseline,
  secretData,
  waitForInfra,
} from './infrastructure-fixtures';
import { databasesLike, pgQuery, rolesLike, testPgUrl } from './infrastructure-runner';
import {
  deleteBaseline,
  deleteEnvironments,
  environment,
  getEnvironment,
  waitForCondition,
} from './stagingenvironment-fixtures';

jest.setTimeout(420_000);

// The operator as shipped (`understudy operator`, compiled), the real pulumi
// engine, the real PostgreSQL: an environment whose Baseline defines the
// postgres-database program gets its own database and role, the connection
// Secret in its target namespace, and a DataSeed seeds that database through
// it. Deleting the environment destroys both before the namespace starts
// deleting, and leaves nothing on the server or in the backend. A failing
// program stalls its own environment with the engine's message, and another
// environment beside it is unaffected; a key the Baseline does not expose is
// refused, naming the field.

const id = randomBytes(3).toString('hex');

describe('the infrastructure controller', () => {
  const backendDir = mkdtempSync(join(tmpdir(), 'understudy-infra-state-'));
  const baselineName = `infra-${id}`;
  const source = `infra-src-${id}`;
  let previews: string;
  let operator: OperatorProcess;

  beforeAll(async () => {
    previews = createNamespace('infra-previews');
    await infrastructureBaseline({ name: baselineName, previews, source, backendDir, id });
    operator = spawnOperator(
      `infra-${id}`,
      [
        `--kubeconfig=${process.env.UNDERSTUDY_OPERATOR_KUBECONFIG}`,
        `--namespace=${previews}`,
        // The stack's database is on the test server's loopback, where a DataSeed seeds it.
        `--tenant-database-networks=${LOOPBACK_NETWORKS.join(',')}`,
        '--metrics-bind-address=0',
        '--health-probe-bind-address=127.0.0.1:0',
        '--graceful-shutdown-timeout=5',
      ],
      { POD_NAMESPACE: OPERATOR_NAMESPACE },
    );
  });
  afterAll(async () => {
    if (previews) await deleteEnvironments(previews, 180_000).catch(() => undefined);
    operator?.kill();
    await operator?.exited;
    deleteBaseline(baselineName);
    for (const ns of [previews, source]) if (ns) deleteNamespace(ns);
  });

  it('creates a database and role per environment, hands it over as a Secret a DataSeed seeds through, and destroys it before the namespace goes', async () => {
    const seed = {
      runner: 'Inline',
      source: { sql: { configMapRef: { name: 'seed-sql', key: 'seed.sql' } } },
      target: { urlSecretRef: { name: 'infrastructure', key: 'url' } },
    };
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        environment('db', previews, {
          baselineRef: { name: baselineName },
          dataSeeds: [{ name: 'items', spec: seed }],
        }),
      ),
    );
    const up = await waitForInfra(
      'db',
      previews,
      (s) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      'infrastructure Ready',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeProcess(operator)}`);
    });
    const env = await getEnvironment('db', previews);
    const target = env!.status!.namespace!;
    const name = derivedName(stackNameOf({ namespace: previews, name: 'db', uid: env!.metadata.uid! }));
    expect(infra(up)).toMatchObject({
      lastOperation: 'up',
      lastResult: 'Succeeded',
      outputSecret: 'infrastructure',
      outputs: ['database', 'host', 'password', 'port', 'url', 'username'],
    });
    expect(infra(up)?.stack).toBe(
      `understudy-postgres-database/${stackNameOf({ namespace: previews, name: 'db', uid: env!.metadata.uid! })}`,
    );
    expect(infra(up)?.lastDurationSeconds).toBeGreaterThan(0);
    // Output names in the status, never values.
    const secret = secretData(target, 'infrastructure');
    expect(secret).toMatchObject({ database: name, username: name });
    expect(JSON.stringify(env!.status)).not.toContain(secret!.password!);
    expect(await databasesLike(testPgUrl(), name)).toEqual([name]);
    expect(await rolesLike(testPgUrl(), name)).toEqual([name]);

    // The DataSeed in the target namespace seeds the new database through the Secret; the environment is Ready after it.
    await waitForCondition('db', previews, 'Ready', 'True', 180_000);
    expect(await pgQuery(secret!.url!, 'SELECT count(*)::int AS n, current_user AS u FROM items')).toEqual([
      { n: 250, u: name },
    ]);

    // Delete: the namespace must not start deleting while the stack is not destroyed.
    kubectl(['delete', 'stagingenvironment', '-n', previews, 'db', '--wait=false']);
    let violated = '';
    await eventually(
      async () => {
        // The namespace first, then the environment: a namespace seen deleting and a finalizer seen after it means the order was broken.
        const ns = JSON.parse(kubectl(['get', 'namespace', target, '-o', 'json', '--ignore-not-found']) || '{}') as {
          metadata?: { deletionTimestamp?: string };
        };
        const current = await getEnvironment('db', previews);
        if (!current) return true;
        const holding = current.metadata.finalizers?.includes('understudy.dev/infrastructure-destroy');
        if (holding && ns.metadata?.deletionTimestamp)
          violated = `namespace ${target} started deleting while the stack was not destroyed`;
        return false;
      },
      { timeoutMs: 180_000, intervalMs: 250, what: 'environment db gone' },
    );
    expect(violated).toBe('');
    expect(await databasesLike(testPgUrl(), name)).toEqual([]);
    expect(await rolesLike(testPgUrl(), name)).toEqual([]);
    expect(backendFiles(backendDir, stackNameOf({ namespace: previews, name: 'db', uid: env!.metadata.uid! }))).toEqual(
      [],
    );
  });

  it('destroys the stack first when the environment expires under expiryPolicy Retain, keeping the resource', async () => {
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        environment('short', previews, { baselineRef: { name: baselineName }, ttl: '40s', expiryPolicy: 'Retain' }),
      ),
    );
    await waitForInfra(
      'short',
      previews,
      (s) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      'short up',
    );
    const env = await getEnvironment('short', previews);
    const target = env!.status!.namespace!;
    const name = derivedName(stackNameOf({ namespace: previews, name: 'short', uid: env!.metadata.uid! }));
    expect(await databasesLike(testPgUrl(), name)).toEqual([name]);
    // Expired: the stack is destroyed, the finalizer goes, then the namespace; the resource stays.
    await waitForInfra(
      'short',
      previews,
      (s) => s.lastOperation === 'destroy' && s.lastResult === 'Succeeded',
      'short destroyed',
      180_000,
    );
    // The status says so first; the finalizer goes in the next write.
    await eventually(
      async () =>
        !(await getEnvironment('short', previews))?.metadata.finalizers?.includes(
          'understudy.dev/infrastructure-destroy',
        ),
      { timeoutMs: 30_000, what: 'the infrastructure finalizer released' },
    );
    expect(await databasesLike(testPgUrl(), name)).toEqual([]);
    expect(await rolesLike(testPgUrl(), name)).toEqual([]);
    await eventually(() => kubectl(['get', 'namespace', target, '--ignore-not-found', '-o', 'name']).trim() === '', {
      timeoutMs: 120_000,
      what: `namespace ${target} gone`,
    });
    expect((await getEnvironment('short', previews))?.status?.phase).toBe('Expired');
  });

  it("stalls an environment whose program fails with the engine's message, and another environment is unaffected", async () => {
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        environment('broken', previews, {
          baselineRef: { name: baselineName },
          infrastructure: { config: { template: 'no_such_golden' } },
        }),
      ),
    );
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(environment('fine', previews, { baselineRef: { name: baselineName } })),
    );
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        environment('greedy', previews, {
          baselineRef: { name: baselineName },
          infrastructure: { config: { server: 'production' } },
        }),
      ),
    );
    const broken = await waitForInfra(
      'broken',
      previews,
      (s) => s.conditions?.some((c) => c.type === 'Stalled') ?? false,
      'broken Stalled',
    );
    expect(infraCondition(broken, 'Stalled')).toMatchObject({ status: 'True', reason: 'UpdateFailed' });
    expect(infraCondition(broken, 'Stalled')?.message).toContain('template database "no_such_golden" does not exist');
    // And an Event on the environment says so.
    await eventually(
      () =>
        kubectl([
          'get',
          'events',
          '-n',
          previews,
          '--field-selector',
          'reason=InfrastructureFailed',
          '-o',
          'name',
        ]).trim().length > 0,
      { timeoutMs: 20_000, what: 'an InfrastructureFailed Event' },
    );
    const greedy = await waitForInfra(
      'greedy',
      previews,
      (s) => s.conditions?.some((c) => c.type === 'Stalled') ?? false,
      'greedy Stalled',
    );
    expect(infraCondition(greedy, 'Stalled')).toMatchObject({
      reason: 'ExceedsBaseline',
      message: 'spec.infrastructure.config.server: the Baseline does not expose this key (it exposes template)',
    });
    const fine = await waitForInfra(
      'fine',
      previews,
      (s) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      'fine Ready',
    );
    expect(infraCondition(fine, 'Stalled')).toBeUndefined();
    // The environment itself is not Ready while its infrastructure failed: it says so, and its neighbour is Ready.
    const stalledEnv = await waitForCondition('broken', previews, 'Stalled', 'True', 60_000);
    expect(stalledEnv.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InfrastructureFailed',
    });
    expect(stalledEnv.status?.conditions?.find((c) => c.type === 'Ready')?.message).toContain('no_such_golden');
    await waitForCondition('fine', previews, 'Ready', 'True', 60_000);
    // The failed create left nothing behind on the server.
    const brokenEnv = await getEnvironment('broken', previews);
    const brokenName = derivedName(stackNameOf({ namespace: previews, name: 'broken', uid: brokenEnv!.metadata.uid! }));
    expect(await databasesLike(testPgUrl(), brokenName)).toEqual([]);
    expect(await rolesLike(testPgUrl(), brokenName)).toEqual([]);
  });
});
