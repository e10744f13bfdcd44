import { randomBytes } from 'node:crypto';
import { syntheticBaseline } from '../../bench/environment-baseline';
import type { DataSeedSpecInput } from '../../operator/api/dataseed';
import { parseOperatorOptions, runOperator } from '../../operator/commands/operator';
import { dataSeedController } from '../../operator/controllers/dataseed';
import { stagingEnvironmentController } from '../../operator/controllers/stagingenvironment';
import { createLogger } from '../../operator/runtime/logger';
import type { Manager } from '../../operator/runtime/manager';
import { grantSecretRead } from '../setup/operator-identity';
import { LOOPBACK_NETWORKS } from '../setup/postgres';
import { createNamespace, deleteNamespace, kubectl } from '../support/kube';
import { rowCounts, shopDatabase } from '../support/shop-db';
import {
  condition as seedCondition,
  getDataSeed,
  isReady,
  isStalled,
  productionCredentials,
  shopFile,
  waitForSeed,
} from './dataseed-controller.fixture';
import {
  applyBaseline,
  applyObjects,
  condition,
  deleteBaseline,
  deleteEnvironments,
  environment,
  getEnvironment,
  waitForCondition,
} from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// Both controllers together, as `understudy operator` runs them: an
// environment whose `dataSeeds` template fills a database is Ready only once
// that seed has succeeded. The seed synthesizes from production profiled live
// through the environment's Baseline: its DataSeed lives in the target
// namespace, which the Baseline does not list, and is let through on behalf
// of the environment's namespace, which it does. Production's credentials
// stay in an admin namespace. The preview's database URL is a Secret of the
// baseline namespace (a non-production database set aside for previews),
// copied with `secrets: CopyListed`; the rules are a ConfigMap copied like any other.

const id = randomBytes(3).toString('hex');
const baseline = `dseed-base-${id}`;
const baselineName = `dseed-env-${id}`;

describe('a StagingEnvironment with a dataSeeds template', () => {
  let previews: string;
  let target: string;
  let credentials: string;
  let manager: Manager;
  let database: string;

  beforeAll(async () => {
    previews = createNamespace('dseed-previews');
    target = `${previews}-seeded`;
    database = (await shopDatabase(`dseed_env_${id}`)).url;
    const production = (await shopDatabase(`dseed_env_prod_${id}`, 400)).url;
    const prod = await productionCredentials('dseed-env-prod', { shop: production });
    credentials = prod.namespace;
    applyObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } },
      // Configuration only, no workloads: what gates Ready here is the seed, not how fast Deployments roll out.
      ...syntheticBaseline(baseline, 0, { partOf: 'mini' }),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'seed-target-db', namespace: baseline },
        stringData: { url: database },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'shop-seed-rules', namespace: baseline },
        data: { 'rules.yaml': shopFile('rules.yaml') },
      },
    ]);
    // CopyListed reads the baseline namespace's Secrets: an admin grants it.
    await grantSecretRead(baseline);
    applyBaseline(baselineName, [previews], {
      source: { namespace: baseline },
      secrets: { maxPolicy: 'CopyListed', copyable: ['seed-target-db'] },
      data: { databases: prod.databases },
    });
    // Both controllers, as the CLI builds them, scoped to the environment's
    // namespace only (as the chart's watchNamespaces does): the DataSeed in the
    // target namespace is still seeded, found through its environment label.
    const options = parseOperatorOptions({
      kubeconfig: process.env.UNDERSTUDY_OPERATOR_KUBECONFIG,
      namespace: [previews],
      tenantDatabaseNetworks: LOOPBACK_NETWORKS,
      metricsBindAddress: '127.0.0.1:0',
      healthProbeBindAddress: '127.0.0.1:0',
      gracefulShutdownTimeout: 10,
    });
    manager = await runOperator(
      options,
      [(env) => stagingEnvironmentController(env), (env) => dataSeedController(env)],
      createLogger({ level: 'warn' }),
    );
  });
  afterAll(async () => {
    if (previews) await deleteEnvironments(previews);
    await manager?.stop();
    deleteBaseline(baselineName);
    for (const ns of [previews, baseline, credentials]) if (ns) deleteNamespace(ns);
  });

  it('waits for its seed: not Ready while the seed cannot reach its database, Ready once the seed succeeded', async () => {
    const seedSpec: DataSeedSpecInput = {
      baselineRef: { name: baselineName },
      source: { synthesize: { profile: { fromBaseline: { database: 'shop' } }, scale: { ratio: '0.5' }, seed: 5 } },
      target: { urlSecretRef: { name: 'seed-target-db', key: 'url' } },
      rulesFrom: { name: 'shop-seed-rules', key: 'rules.yaml' },
    };
    // Without the Secret copied, the seed cannot start and the environment says why.
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(
        environment('seeded', previews, {
          baselineRef: { name: baselineName },
          secrets: { policy: 'Omit' },
          dataSeeds: [{ name: 'shop-data', spec: seedSpec }],
        }),
      ),
    );
    // Past the Baseline (on behalf of the environment's namespace), stopped by the missing Secret.
    const stalled = await waitForSeed(target, 'shop-data', isStalled('ReferenceNotFound'));
    expect(seedCondition(stalled, 'Stalled')?.message).toContain(`Secret ${target}/seed-target-db not found`);
    const blocked = await waitForCondition('seeded', previews, 'DataSeeded', 'False');
    // The seed's controller retries by itself (status.nextAttemptAt), so the
    // environment is still seeding, not failed, and not Stalled.
    expect(seedCondition(stalled, 'Stalled') && (stalled.status as { nextAttemptAt?: string }).nextAttemptAt).toEqual(
      expect.any(String),
    );
    expect(condition(blocked, 'DataSeeded')?.reason).toBe('Seeding');
    expect(condition(blocked, 'Ready')?.status).toBe('False');
    expect(condition(blocked, 'Stalled')?.status ?? 'False').toBe('False');
    // Production's credentials never entered the preview.
    expect(kubectl(['get', 'secrets', '-n', target, '-o', 'name'])).not.toContain('shop-readonly');

    kubectl([
      'patch',
      '-n',
      previews,
      'stagingenvironment/seeded',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { secrets: { policy: 'CopyListed', names: ['seed-target-db'] } } }),
    ]);
    const ready = await waitForCondition('seeded', previews, 'Ready', 'True', 180_000);
    const seed = await getDataSeed(target, 'shop-data');
    expect(seed && isReady(1)(seed)).toBe(true);
    expect(condition(ready, 'DataSeeded')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    // The environment became Ready no sooner than its seed did.
    expect(
      Date.parse(ready.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime),
    ).toBeGreaterThanOrEqual(Date.parse(seedCondition(seed, 'Ready')!.lastTransitionTime));
    const counts = await rowCounts(database);
    expect(counts['public.users']).toBe(200);
    expect(seed?.status?.totals?.rows).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    expect((await getEnvironment('seeded', previews))?.status?.phase).toBe('Ready');
  });
});
