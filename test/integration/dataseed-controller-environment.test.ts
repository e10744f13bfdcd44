import { randomBytes } from 'node:crypto';
import { syntheticBaseline } from '../../bench/environment-baseline';
import type { DataSeedSpecInput } from '../../operator/api/dataseed';
import { parseOperatorOptions, runOperator } from '../../operator/commands/operator';
import { dataSeedController } from '../../operator/controllers/dataseed';
import { parityCheckController } from '../../operator/controllers/paritycheck';
import { stagingEnvironmentController } from '../../operator/controllers/stagingenvironment';
import { createLogger } from '../../operator/runtime/logger';
import type { Manager } from '../../operator/runtime/manager';
import { createNamespace, deleteNamespace, eventually, kubectl } from '../support/kube';
import { rowCounts, shopDatabase } from '../support/shop-db';
import { condition as seedCondition, getDataSeed, isReady, isStalled, shopFile, waitForSeed } from './dataseed-controller.fixture';
import { applyObjects, condition, deleteEnvironments, environment, getEnvironment, waitForCondition } from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// Both controllers together, as `understudy operator` runs them: an
// environment whose `dataSeeds` template fills a database is Ready only once
// that seed has succeeded. The database URL is a Secret of the baseline
// namespace (a non-production database set aside for previews), which the
// environment copies into its namespace with `secrets: CopyListed`; the
// profile and the rules are ConfigMaps of the baseline, copied like any other.

const id = randomBytes(3).toString('hex');
const baseline = `dseed-base-${id}`;
const target = `dseed-env-${id}`;

const seedSpec: DataSeedSpecInput = {
  source: { synthesize: { profile: { configMapRef: { name: 'shop-profile', key: 'profile.json' } }, scale: { ratio: '0.02', rows: { categories: 40, tags: 30 } }, seed: 5 } },
  target: { urlSecretRef: { name: 'seed-target-db', key: 'url' } },
  rulesFrom: { name: 'shop-seed-rules', key: 'rules.yaml' },
  runner: 'Inline',
};

// Configuration only: the copy against its baseline.
const paritySpec = (previews: string) => ({ staging: { namespace: target, environmentRef: { name: 'seeded', namespace: previews } }, production: { namespace: baseline } });

describe('a StagingEnvironment with a dataSeeds template', () => {
  let previews: string;
  let manager: Manager;
  let database: string;

  beforeAll(async () => {
    previews = createNamespace('dseed-previews');
    database = (await shopDatabase(`dseed_env_${id.replace(/-/g, '_')}`)).url;
    applyObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } },
      // Configuration only, no workloads: what gates Ready here is the seed, not how fast Deployments roll out.
      ...syntheticBaseline(baseline, 0, { partOf: 'mini' }),
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'seed-target-db', namespace: baseline }, stringData: { url: database } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-profile', namespace: baseline }, data: { 'profile.json': shopFile('profile.json') } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-seed-rules', namespace: baseline }, data: { 'rules.yaml': shopFile('rules.yaml') } },
    ]);
    // Both controllers, as the CLI builds them, scoped to the environment's
    // namespace only (as the chart's watchNamespaces does): the DataSeed in the
    // target namespace is still seeded, found through its environment label.
    const options = parseOperatorOptions({ kubeconfig: process.env.UNDERSTUDY_OPERATOR_KUBECONFIG, namespace: [previews], metricsBindAddress: '127.0.0.1:0', healthProbeBindAddress: '127.0.0.1:0', gracefulShutdownTimeout: 10 });
    manager = await runOperator(options, [(env) => stagingEnvironmentController(env), (env) => dataSeedController(env), (env) => parityCheckController(env)], createLogger({ level: 'warn' }));
  });
  afterAll(async () => {
    if (previews) await deleteEnvironments(previews);
    await manager?.stop();
    if (previews) deleteNamespace(previews);
    deleteNamespace(baseline);
  });

  it('waits for its seed: not Ready while the seed cannot reach its database, Ready once the seed succeeded', async () => {
    // Without the Secret copied, the seed cannot start and the environment says why.
    kubectl(['apply', '-f', '-'], JSON.stringify(environment('seeded', previews, { baseline: { namespace: baseline }, targetNamespace: target, secrets: { policy: 'Omit' }, dataSeeds: [{ name: 'shop-data', spec: seedSpec }], parityChecks: [{ name: 'parity', spec: paritySpec(previews) }] })));
    const stalled = await waitForSeed(target, 'shop-data', isStalled('ReferenceNotFound'));
    expect(seedCondition(stalled, 'Stalled')?.message).toContain(`Secret ${target}/seed-target-db not found`);
    const blocked = await waitForCondition('seeded', previews, 'DataSeeded', 'False');
    // The seed's controller retries by itself (status.nextAttemptAt), so the
    // environment is still seeding, not failed, and not Stalled.
    expect(seedCondition(stalled, 'Stalled') && (stalled.status as { nextAttemptAt?: string }).nextAttemptAt).toEqual(expect.any(String));
    expect(condition(blocked, 'DataSeeded')?.reason).toBe('Seeding');
    expect(condition(blocked, 'Ready')?.status).toBe('False');
    expect(condition(blocked, 'Stalled')?.status ?? 'False').toBe('False');

    kubectl(['patch', '-n', previews, 'stagingenvironment/seeded', '--type=merge', '-p', JSON.stringify({ spec: { secrets: { policy: 'CopyListed', names: ['seed-target-db'] } } })]);
    const ready = await waitForCondition('seeded', previews, 'Ready', 'True', 180_000);
    const seed = await getDataSeed(target, 'shop-data');
    expect(seed && isReady(1)(seed)).toBe(true);
    expect(condition(ready, 'DataSeeded')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    // The environment became Ready no sooner than its seed did.
    expect(Date.parse(ready.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime)).toBeGreaterThanOrEqual(Date.parse(seedCondition(seed, 'Ready')!.lastTransitionTime));
    const counts = await rowCounts(database);
    expect(counts['public.users']).toBe(200);
    expect(seed?.status?.totals?.rows).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    expect((await getEnvironment('seeded', previews))?.status?.phase).toBe('Ready');

    // Its ParityCheck ran while the copy was still seeding; it runs again once
    // the environment is Ready, so its result describes the finished staging.
    const readySince = ready.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime;
    const rerun = await eventually(async () => {
      const check = JSON.parse(kubectl(['get', 'paritycheck', 'parity', '-n', target, '-o', 'json'])) as { status?: { lastCheckedAt?: string; environmentReadySince?: string } };
      return check.status?.environmentReadySince === readySince ? check.status : undefined;
    }, { timeoutMs: 60_000, what: 'the ParityCheck to run again after the environment became Ready' });
    expect(Date.parse(rerun.lastCheckedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(readySince));
  });
});
