import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { shopService } from '../../operator/parity/testing/shop-fixture';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace, kubectl } from '../support/kube';
import {
  admin,
  applyBaseline,
  baselineName,
  conditionOf,
  deleteBaselines,
  eventsAbout,
  grantSecretRead,
  setEnv,
  shopNamespace,
  startOperator,
  waitForStatus,
  type ParityCheckObject,
} from './paritycheck-controller.fixture';
import {
  addEnv,
  aliceCan,
  aliceCreates,
  aliceReads,
  configMap,
  deleteOperatorSecrets,
  execKubeconfig,
  grantAlice,
  markerPath,
  operatorSecret,
  ran,
  remoteReaderKubeconfig,
  removeRemoteReader,
} from './paritycheck-controller-tenancy.fixture';

jest.setTimeout(180_000);

const RUN = randomBytes(3).toString('hex');
const isTrue = (type: string) => (c: ParityCheckObject) => conditionOf(c, type)?.status === 'True';
const stalledWith = (reason: string) => (c: ParityCheckObject) => conditionOf(c, 'Stalled')?.reason === reason;

// Issue 9, as an attacker would try it: alice may create and read ParityChecks
// in team-a, nothing else. A ParityCheck reaches production only through a
// Baseline that allows team-a; everything else is Stalled and reads nothing.
describe('ParityCheck tenancy: production only through a Baseline that allows the namespace', () => {
  let teamA: string;
  let teamB: string;
  let production: string;
  let manager: Manager;
  const marker = markerPath(RUN);
  const secrets = [`pct-remote-${RUN}`, `pct-exec-${RUN}`];
  const baselines = {
    teamB: baselineName('pct-team-b'),
    shop: baselineName('pct-shop'),
    typo: baselineName('pct-typo'),
    remote: baselineName('pct-remote'),
    remoteTypo: baselineName('pct-remote-typo'),
    exec: baselineName('pct-exec'),
  };
  const typo = `pct-prdo-${RUN}`;
  const nowhere = `pct-nowhere-${RUN}`;
  const target = `preview-pct-${RUN}-pr-1`;

  beforeAll(async () => {
    [teamA, teamB, production] = await Promise.all([
      shopNamespace('pct-team-a', {
        change: (objects) =>
          [
            setEnv('catalog', 'LOG_LEVEL', 'debug'),
            addEnv('checkout', 'STRIPE_API_KEY', 'sk_live_stagingAAAAAAAAAAAAAAAA'),
          ].forEach((f) => f(objects)),
      }),
      // Another team's configuration alice must never see: a `flags` ConfigMap like hers, with other values.
      shopNamespace('pct-team-b', { flags: 'team-b-private-value' }),
      shopNamespace('pct-prod', { change: addEnv('checkout', 'STRIPE_API_KEY', 'sk_live_productionBBBBBBBBBBBBBB') }),
    ]);
    await configMap(production, 'cache', {
      REDIS_URL: `redis://:pr0d-redis-pass@redis.${production}.svc:6379`,
      MODE: 'fast',
    });
    await configMap(teamA, 'cache', { REDIS_URL: `redis://:st4ging-redis-pass@redis.${teamA}.svc:6379`, MODE: 'slow' });
    // What an admin grants: workloads' Secret references are resolved on both sides (and compared by keyed hash).
    await Promise.all([grantSecretRead(teamA), grantSecretRead(production)]);
    grantAlice(teamA);
    const allowTeamA = { allowedNamespaces: { names: [teamA] } };
    await applyBaseline(baselines.teamB, { source: { namespace: teamB }, allowedNamespaces: { names: [teamB] } });
    await applyBaseline(baselines.shop, { source: { namespace: production }, ...allowTeamA });
    await applyBaseline(baselines.typo, { source: { namespace: typo }, ...allowTeamA });
    await operatorSecret(secrets[0]!, { config: remoteReaderKubeconfig(production) });
    await operatorSecret(secrets[1]!, { config: execKubeconfig(marker) });
    await applyBaseline(baselines.remote, {
      source: { namespace: production, cluster: { kubeconfigSecretRef: { name: secrets[0], key: 'config' } } },
      ...allowTeamA,
    });
    await applyBaseline(baselines.remoteTypo, {
      source: { namespace: nowhere, cluster: { kubeconfigSecretRef: { name: secrets[0], key: 'config' } } },
      ...allowTeamA,
    });
    await applyBaseline(baselines.exec, {
      source: { namespace: production, cluster: { kubeconfigSecretRef: { name: secrets[1], key: 'config' } } },
      ...allowTeamA,
    });
    manager = await startOperator([teamA]);
  });

  afterAll(async () => {
    await manager?.stop();
    await deleteBaselines(Object.values(baselines));
    await deleteOperatorSecrets(secrets);
    if (production) removeRemoteReader(production);
    rmSync(marker, { force: true });
    [teamA, teamB, production, typo, target].filter(Boolean).forEach(deleteNamespace);
  });

  it('alice can create ParityChecks in team-a and read nothing of team-b herself', () => {
    expect(aliceCan(['create', 'paritychecks.understudy.dev', '-n', teamA])).toBe(true);
    expect(aliceCan(['get', 'configmaps', '-n', teamB])).toBe(false);
    expect(aliceCan(['get', 'configmaps', '-n', production])).toBe(false);
  });

  it('a Baseline that does not allow team-a is Stalled/BaselineNotAllowed, and nothing of its production appears anywhere', async () => {
    await aliceCreates(teamA, 'peek', { baselineRef: { name: baselines.teamB } });
    await waitForStatus(teamA, 'peek', isTrue('Stalled'), "the check naming another team's Baseline to stall");
    const { object, text } = await aliceReads(teamA, 'peek');
    expect(conditionOf(object, 'Stalled')).toMatchObject({
      reason: 'BaselineNotAllowed',
      message: expect.stringContaining(`does not allow namespace ${teamA}`),
    });
    expect(conditionOf(object, 'Ready')).toMatchObject({ status: 'False', reason: 'BaselineNotAllowed' });
    expect(conditionOf(object, 'InParity')).toMatchObject({ status: 'Unknown' });
    expect(object.status).not.toHaveProperty('findings');
    expect(object.status).not.toHaveProperty('summary');
    expect(text).not.toContain('team-b-private-value');
    const events = JSON.stringify(await eventsAbout(object));
    expect(events).toContain('BaselineNotAllowed');
    expect(events).not.toContain('team-b-private-value');
  });

  it('the old fields reach nothing: production.namespace and a kubeconfig whose exec would run in the operator are not part of a ParityCheck', async () => {
    await admin.apply(
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'evil', namespace: teamA },
        stringData: { config: execKubeconfig(marker) },
      } as never,
      { force: true },
    );
    const evil = { name: 'evil', key: 'config' };
    await aliceCreates(
      teamA,
      'old-api',
      {
        baselineRef: { name: baselines.shop },
        staging: { namespace: teamB, kubeconfigSecretRef: evil },
        production: { namespace: teamB, kubeconfigSecretRef: evil },
      },
      false,
    );
    const check = await waitForStatus(
      teamA,
      'old-api',
      isTrue('Ready'),
      'the check with old fields to run against its Baseline',
    );
    expect(check.spec).not.toHaveProperty('production');
    expect(ran(marker)).toBe(false);
    const { text } = await aliceReads(teamA, 'old-api');
    expect(text).not.toContain('team-b-private-value');
    expect(text).not.toContain('from-exec');
    // Staging was team-a and production the Baseline's: alice's own LOG_LEVEL change is what differs.
    expect(check.status?.findings?.map((f) => f.path)).toContain('spec.template.spec.containers[app].env[LOG_LEVEL]');
  });

  it("shows production's configuration as the Baseline exposes it, but credentials only as keyed hashes", async () => {
    await aliceCreates(teamA, 'shop', { baselineRef: { name: baselines.shop } });
    await waitForStatus(teamA, 'shop', isTrue('Ready'), 'the allowed check to run');
    const { object, text } = await aliceReads(teamA, 'shop');
    const finding = (resource: string, path: string) =>
      object.status?.findings?.find((f) => f.resource === resource && f.path === path);
    expect(finding('ConfigMap/cache', 'data.MODE')).toMatchObject({ staging: 'slow', production: 'fast' });
    expect(finding('Deployment/catalog', 'spec.template.spec.containers[app].env[LOG_LEVEL]')).toMatchObject({
      staging: 'debug',
      production: 'info',
    });
    const redis = finding('ConfigMap/cache', 'data.REDIS_URL');
    expect(redis?.production).toMatch(new RegExp(`^redis://:hmac:[0-9a-f]{64}@redis\\.${production}\\.svc:6379$`));
    const stripe = finding('Deployment/checkout', 'spec.template.spec.containers[app].env[STRIPE_API_KEY]');
    expect(stripe?.production).toMatch(/^hmac:[0-9a-f]{64}$/);
    for (const secret of ['pr0d-redis-pass', 'st4ging-redis-pass', 'sk_live_production', 'sk_live_staging'])
      expect(text).not.toContain(secret);
    expect(JSON.stringify(await eventsAbout(object))).not.toContain('pr0d-redis-pass');
  });

  it('a production namespace that does not exist is Stalled/ProductionNotFound, never in parity, until it exists', async () => {
    await aliceCreates(teamA, 'typo', { baselineRef: { name: baselines.typo } });
    const stalled = await waitForStatus(
      teamA,
      'typo',
      stalledWith('ProductionNotFound'),
      'the check on a missing production namespace to stall',
    );
    expect(conditionOf(stalled, 'Stalled')?.message).toContain(typo);
    expect(conditionOf(stalled, 'InParity')).toMatchObject({ status: 'Unknown', reason: 'ProductionNotFound' });
    expect(stalled.status?.lastCheckedAt).toBeUndefined();

    // The namespace appearing wakes the check (it watches Namespaces). Empty, it is still nothing to compare with: never parity.
    kubectl(['create', 'namespace', typo]);
    const empty = await waitForStatus(
      teamA,
      'typo',
      stalledWith('SourceUnavailable'),
      'the check to look again once production exists',
    );
    expect(conditionOf(empty, 'Stalled')?.message).toContain(
      `none of the compared kinds in namespace ${typo}; nothing to compare with`,
    );
    expect(conditionOf(empty, 'InParity')).toMatchObject({ status: 'Unknown' });
  });

  it('a staging environment that does not exist is Stalled/StagingNotFound', async () => {
    await aliceCreates(teamA, 'no-env', {
      baselineRef: { name: baselines.shop },
      staging: { environmentRef: { name: 'nope' } },
    });
    const stalled = await waitForStatus(
      teamA,
      'no-env',
      stalledWith('StagingNotFound'),
      'the check on a missing environment to stall',
    );
    expect(conditionOf(stalled, 'Stalled')?.message).toBe(
      `spec.staging.environmentRef.name: StagingEnvironment ${teamA}/nope does not exist`,
    );
    expect(conditionOf(stalled, 'InParity')).toMatchObject({ status: 'Unknown' });
  });

  it("reads production in another cluster only through a safe kubeconfig in the operator's namespace; exec is refused and never runs", async () => {
    await aliceCreates(teamA, 'remote', { baselineRef: { name: baselines.remote } });
    const remote = await waitForStatus(teamA, 'remote', isTrue('Ready'), 'the remote check to run');
    expect(remote.status?.findings?.map((f) => f.path)).toContain('spec.template.spec.containers[app].env[LOG_LEVEL]');

    await aliceCreates(teamA, 'remote-typo', { baselineRef: { name: baselines.remoteTypo } });
    const missing = await waitForStatus(
      teamA,
      'remote-typo',
      stalledWith('ProductionNotFound'),
      'the remote check on a missing namespace to stall',
    );
    expect(conditionOf(missing, 'InParity')).toMatchObject({ status: 'Unknown' });

    await aliceCreates(teamA, 'exec', { baselineRef: { name: baselines.exec } });
    const refused = await waitForStatus(
      teamA,
      'exec',
      stalledWith('InvalidBaseline'),
      'the exec kubeconfig to be refused',
    );
    expect(conditionOf(refused, 'Stalled')?.message).toMatch(/exec/);
    expect(ran(marker)).toBe(false);
    expect(JSON.stringify(refused.status)).not.toContain('from-exec');
  });

  it('takes staging from an environment: from its namespace, or from its target namespace acting for it', async () => {
    const image = 'registry.example.com/shop/checkout:pr-1';
    const environment = await admin.create<KubernetesObject>({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'StagingEnvironment',
      metadata: { name: 'pr-1', namespace: teamA },
      spec: { baselineRef: { name: baselines.shop }, services: [{ name: 'checkout', image }] },
    } as KubernetesObject);
    // What the StagingEnvironment controller would have made: its target namespace, labelled and annotated as its own, with a copy inside.
    const labels = {
      'app.kubernetes.io/managed-by': 'understudy',
      'understudy.dev/environment': 'pr-1',
      'understudy.dev/environment-namespace': teamA,
    };
    const annotations = {
      'understudy.dev/owner': `${teamA}/pr-1`,
      'understudy.dev/owner-uid': environment.metadata!.uid!,
    };
    await admin.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: target, labels, annotations } });
    for (const object of ['catalog', 'checkout'].flatMap((name) =>
      shopService(name, { namespace: target, replicas: 2, ...(name === 'checkout' ? { image } : {}) }),
    ))
      await admin.apply(object as KubernetesObject);
    await grantSecretRead(target);
    await admin.mergePatch(
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'StagingEnvironment', namespace: teamA, name: 'pr-1' },
      { status: { namespace: target } },
      { subresource: 'status' },
    );

    const declaredImage = (c: ParityCheckObject) =>
      c.status?.findings?.find((f) => f.path === 'spec.template.spec.containers[app].image');
    await aliceCreates(teamA, 'env', {
      baselineRef: { name: baselines.shop },
      staging: { environmentRef: { name: 'pr-1' } },
    });
    const fromEnvironmentNamespace = await waitForStatus(
      teamA,
      'env',
      isTrue('Ready'),
      "the check of the environment's copy to run",
    );
    expect(declaredImage(fromEnvironmentNamespace)).toMatchObject({
      staging: image,
      expected: true,
      message: expect.stringContaining(`${teamA}/pr-1`),
    });

    // A child in the target namespace: the Baseline allows team-a, not the target namespace, and the check acts for team-a.
    await admin.create({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'ParityCheck',
      metadata: { name: 'child', namespace: target, labels },
      spec: { baselineRef: { name: baselines.shop }, staging: { environmentRef: { name: 'pr-1' } } },
    } as KubernetesObject);
    const child = await waitForStatus(target, 'child', isTrue('Ready'), 'the check in the target namespace to run');
    expect(declaredImage(child)).toMatchObject({ staging: image, expected: true });
  });

  it('a Baseline that stops allowing team-a blocks its check at once and takes back what it showed', async () => {
    await waitForStatus(teamA, 'shop', isTrue('Ready'), 'the allowed check');
    await applyBaseline(baselines.shop, { source: { namespace: production }, allowedNamespaces: { names: [teamB] } });
    await waitForStatus(
      teamA,
      'shop',
      stalledWith('BaselineNotAllowed'),
      'the check to be blocked once the Baseline no longer allows team-a',
    );
    const { object, text } = await aliceReads(teamA, 'shop');
    expect(object.status).not.toHaveProperty('findings');
    expect(text).not.toContain('fast');
    expect(text).not.toContain('hmac:');
  });
});
