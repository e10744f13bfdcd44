import { parseOperatorOptions, runOperator } from '../../operator/commands/operator';
import { dataSeedController } from '../../operator/controllers/dataseed';
import { IMAGE_PULL_SECRETS_ENV } from '../../operator/controllers/dataseed/image';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { createLogger } from '../../operator/runtime/logger';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace, eventually } from '../support/kube';
import { metricValue } from '../support/operator-process';
import {
  admin,
  applyDataSeed,
  createConfigMap,
  createSecret,
  isReady,
  seedNamespace,
  waitForSeed,
} from './dataseed-controller.fixture';

jest.setTimeout(180_000);

// The chart's imagePullSecrets reach a seed Job through the environment the
// chart sets (UNDERSTUDY_IMAGE_PULL_SECRETS), the API server accepts the Job,
// and the finished seed shows in the seed metrics. kwok completes the pod.

describe('seed Jobs: pull secrets from the chart, and the seed metrics', () => {
  let ns: string;
  let manager: Manager;
  const previous = process.env[IMAGE_PULL_SECRETS_ENV];

  beforeAll(async () => {
    ns = await seedNamespace('seed-metrics', { managed: true });
    createSecret(ns, 'preview-db', { url: 'postgresql://shop@postgres.preview.svc:5432/shop' });
    createConfigMap(ns, 'items-sql', { 'seed.sql': 'SELECT 1' });
    process.env[IMAGE_PULL_SECRETS_ENV] = 'regcred,ghcr-pull';
    const options = parseOperatorOptions({
      kubeconfig: process.env.UNDERSTUDY_OPERATOR_KUBECONFIG,
      namespace: [ns],
      metricsBindAddress: '127.0.0.1:0',
      metricsSecure: false,
      healthProbeBindAddress: '0',
      gracefulShutdownTimeout: 10,
    });
    manager = await runOperator(
      options,
      [(env) => dataSeedController(env, { image: 'registry.example.com/understudy:test' })],
      createLogger({ level: 'warn' }),
    );
  });

  afterAll(async () => {
    await manager?.stop();
    if (previous === undefined) delete process.env[IMAGE_PULL_SECRETS_ENV];
    else process.env[IMAGE_PULL_SECRETS_ENV] = previous;
    if (ns) deleteNamespace(ns);
  });

  it('creates the Job with the pull secrets and counts the finished run by runner and result', async () => {
    await applyDataSeed(ns, 'shop', {
      source: { sql: { configMapRef: { name: 'items-sql', key: 'seed.sql' } } },
      target: { urlSecretRef: { name: 'preview-db', key: 'url' } },
      runner: 'Job',
    });
    const job = await eventually(
      () =>
        admin.get<KubernetesObject & { spec: { template: { spec: { imagePullSecrets?: unknown } } } }>({
          apiVersion: 'batch/v1',
          kind: 'Job',
          namespace: ns,
          name: 'shop-seed-1',
        }),
      { what: 'the seed Job' },
    );
    expect(job.spec.template.spec.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'ghcr-pull' }]);
    await waitForSeed(ns, 'shop', isReady(1));
    const text = await (await fetch(`${manager.metricsUrl}/metrics`)).text();
    expect(metricValue(text, 'understudy_seed_runs_total', { runner: 'Job', result: 'succeeded' })).toBe(1);
    // kwok completes the pod without running `understudy seed`: no rows or time were reported, so none are made up.
    expect(
      metricValue(text, 'understudy_seed_duration_seconds_count', { runner: 'Job', result: 'succeeded' }),
    ).toBeUndefined();
    expect(metricValue(text, 'understudy_seed_rows_total', { runner: 'Job' })).toBeUndefined();
    expect(metricValue(text, 'understudy_seed_failures_total', { runner: 'Job' })).toBeUndefined();
    expect(metricValue(text, 'workqueue_adds_total', { controller: 'dataseed', name: 'dataseed' })).toBeGreaterThan(0);
  });
});
