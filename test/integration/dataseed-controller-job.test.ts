import type { DataSeedSpecInput } from '../../operator/api/dataseed';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace, eventually, kubectlAsync } from '../support/kube';
import {
  admin,
  applyDataSeed,
  condition,
  createConfigMap,
  createSecret,
  getDataSeed,
  isReady,
  isStalled,
  seedEvents,
  seedNamespace,
  startOperator,
  waitForSeed,
} from './dataseed-controller.fixture';

jest.setTimeout(240_000);

// runner: Job against the real control plane. kwok plays the kubelet: it
// marks the seed pod Succeeded without running the image, so what is tested
// here is what the controller does — the Job it creates (image, args,
// security context, owner, identity), the permissions of that identity as
// the API server decides them, and how the Job's end becomes conditions.
// The pod's own work (`understudy seed --resource --write-status`) is tested
// in seed-resource.test.ts. The operator writes only in namespaces labelled
// as its own (a preview's target namespace), so these namespaces are.

const IMAGE = 'registry.example.com/understudy:test';

type Json = Record<string, any>; // any: Job and Role manifests read field by field

function sqlSeed(targetSecret: string, key = 'seed.sql'): DataSeedSpecInput {
  return {
    source: { sql: { configMapRef: { name: 'items-sql', key } } },
    target: { urlSecretRef: { name: targetSecret, key: 'url' } },
    runner: 'Job',
  };
}

async function getJob(namespace: string, name: string): Promise<Json | undefined> {
  return admin.get<KubernetesObject & Json>({ apiVersion: 'batch/v1', kind: 'Job', namespace, name });
}

async function canI(namespace: string, account: string, args: string[]): Promise<boolean> {
  const out = await kubectlAsync([
    'auth',
    'can-i',
    ...args,
    '-n',
    namespace,
    `--as=system:serviceaccount:${namespace}:${account}`,
  ]);
  return out.stdout.trim() === 'yes';
}

describe('the DataSeed controller, Job runner', () => {
  let ns: string;
  let manager: Manager;

  beforeAll(async () => {
    ns = await seedNamespace('dseed-job', { managed: true });
    createSecret(ns, 'preview-db', { url: 'postgresql://shop@postgres.preview.svc:5432/shop' });
    createSecret(ns, 'unrelated', { token: 'not for the seed pod' });
    createConfigMap(ns, 'items-sql', { 'seed.sql': 'SELECT 1', 'other.sql': 'SELECT 2' });
    manager = await startOperator([ns], { image: IMAGE });
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it('creates a non-root, read-only seed Job of the operator image, owned by the DataSeed, whose completion makes it Ready', async () => {
    const created = await applyDataSeed(ns, 'shop', sqlSeed('preview-db'));
    const job = await eventually(() => getJob(ns, 'shop-seed-1'), { what: 'the seed Job' });
    expect(job.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'DataSeed',
        name: 'shop',
        uid: created.metadata!.uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(job.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'understudy',
      'understudy.dev/dataseed': 'shop',
    });
    expect(job.spec.backoffLimit).toBe(0);
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe('shop-seed');
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [container] = pod.containers;
    expect(container.image).toBe(IMAGE);
    expect(container.args).toEqual(['seed', '--resource', `${ns}/shop`, '--write-status', '--output', 'json']);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.terminationMessagePolicy).toBe('FallbackToLogsOnError');

    // The pod may read its DataSeed and what it names, write its status, and nothing else.
    expect(await canI(ns, 'shop-seed', ['get', 'dataseeds.understudy.dev/shop'])).toBe(true);
    expect(await canI(ns, 'shop-seed', ['patch', 'dataseeds.understudy.dev/shop', '--subresource=status'])).toBe(true);
    expect(await canI(ns, 'shop-seed', ['get', 'secret/preview-db'])).toBe(true);
    expect(await canI(ns, 'shop-seed', ['get', 'configmap/items-sql'])).toBe(true);
    expect(await canI(ns, 'shop-seed', ['get', 'secret/unrelated'])).toBe(false);
    expect(await canI(ns, 'shop-seed', ['list', 'secrets'])).toBe(false);
    expect(await canI(ns, 'shop-seed', ['patch', 'dataseeds.understudy.dev/shop'])).toBe(false);

    const running = await getDataSeed(ns, 'shop');
    expect(['Running', 'Succeeded']).toContain(running?.status?.phase);
    const ready = await waitForSeed(ns, 'shop', isReady(1), 120_000);
    expect(condition(ready, 'Ready')).toMatchObject({
      reason: 'Seeded',
      message: 'the seed Job shop-seed-1 completed',
    });
    expect(condition(ready, 'Seeded')?.status).toBe('True');
    expect(condition(ready, 'Reconciling')).toBeUndefined();
    expect(ready.status?.phase).toBe('Succeeded');
    expect(ready.status?.lastSeededAt).toBeDefined();
    const events = await seedEvents(ns, 'shop');
    expect(events.filter((e) => e.reason === 'SeedingStarted').map((e) => e.note)).toEqual([
      `seeding started (Job shop-seed-1, generation 1)`,
    ]);
    expect(events.filter((e) => e.reason === 'Seeded')).toHaveLength(1);
  });

  it('runs a new Job for a new generation, with the Role following the new references', async () => {
    await applyDataSeed(ns, 'shop', sqlSeed('preview-db', 'other.sql'));
    const job = await eventually(() => getJob(ns, 'shop-seed-2'), { what: 'the second seed Job' });
    expect(job.metadata.annotations['understudy.dev/generation']).toBe('2');
    await waitForSeed(ns, 'shop', isReady(2), 120_000);
    const role = await admin.get<KubernetesObject & Json>({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      namespace: ns,
      name: 'shop-seed',
    });
    expect(role?.rules.find((r: Json) => r.resources[0] === 'configmaps').resourceNames).toEqual(['items-sql']);
  });

  it('refuses a Job for a source that reads production, at the API server, naming spec.runner', async () => {
    const out = await kubectlAsync(
      ['apply', '-n', ns, '-f', '-'],
      JSON.stringify({
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'DataSeed',
        metadata: { name: 'prod-job' },
        spec: {
          baselineRef: { name: 'shop' },
          source: { anonymize: { from: { database: 'orders' }, key: { secretKeyRef: { name: 'k', key: 'k' } } } },
          target: { urlSecretRef: { name: 'preview-db', key: 'url' } },
          runner: 'Job',
        },
      }),
    );
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('spec.runner');
    expect(out.stderr).toContain('production credentials never enter this namespace');
    expect(await getDataSeed(ns, 'prod-job')).toBeUndefined();
  });

  it('reports a missing Secret as Stalled without creating a Job', async () => {
    await applyDataSeed(ns, 'no-secret', sqlSeed('missing-db'));
    const stalled = await waitForSeed(ns, 'no-secret', isStalled('ReferenceNotFound'));
    expect(condition(stalled, 'Ready')?.message).toBe(`spec.target.urlSecretRef: Secret ${ns}/missing-db not found`);
    expect(await getJob(ns, 'no-secret-seed-1')).toBeUndefined();
  });
});

describe('the DataSeed controller, Job runner where the operator may not write', () => {
  let ns: string;
  let manager: Manager;

  beforeAll(async () => {
    // A team's own namespace: the operator may read its Secrets (granted), but the admission policy refuses its writes.
    ns = await seedNamespace('dseed-jobdenied');
    createSecret(ns, 'preview-db', { url: 'postgresql://shop@postgres.preview.svc:5432/shop' });
    createConfigMap(ns, 'items-sql', { 'seed.sql': 'SELECT 1' });
    manager = await startOperator([ns], { image: IMAGE });
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it("is Stalled with RunnerNotAllowed and the API server's message, creates nothing, and does not retry fast", async () => {
    await applyDataSeed(ns, 'shop', sqlSeed('preview-db'));
    const stalled = await waitForSeed(ns, 'shop', isStalled('RunnerNotAllowed'));
    const message = condition(stalled, 'Stalled')?.message ?? '';
    expect(message).toMatch(
      new RegExp(`^runner Job cannot run in namespace ${ns}: the API server refused the operator`),
    );
    expect(message).toContain('writes-in-managed-namespaces');
    expect(message).toContain('use runner Inline');
    // Checked again in minutes, not seconds.
    expect(Date.parse(stalled.status!.nextAttemptAt!) - Date.now()).toBeGreaterThan(5 * 60_000);
    expect(
      await admin.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: ns, name: 'shop-seed' }),
    ).toBeUndefined();
    expect(await getJob(ns, 'shop-seed-1')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 3_000));
    expect((await seedEvents(ns, 'shop')).filter((e) => e.reason === 'SeedFailed')).toHaveLength(1);
    expect(condition(await getDataSeed(ns, 'shop'), 'Stalled')?.message).toBe(message);
  });
});

describe('the DataSeed controller, a seed Job that fails', () => {
  let ns: string;
  let manager: Manager;

  beforeAll(async () => {
    ns = await seedNamespace('dseed-jobfail', { managed: true });
    createSecret(ns, 'preview-db', { url: 'postgresql://shop@postgres.preview.svc:5432/shop' });
    createConfigMap(ns, 'items-sql', { 'seed.sql': 'SELECT 1' });
    // No pod may start here, so a seed Job can only reach its deadline and fail.
    await admin.apply(
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'no-pods', namespace: ns },
        spec: { hard: { pods: '0' } },
      } as KubernetesObject,
      { force: true },
    );
    manager = await startOperator([ns], { image: IMAGE, jobActiveDeadlineSeconds: 2 });
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it('maps the failed Job into Stalled, replaces it after the backoff, and becomes Ready once a Job can run', async () => {
    await applyDataSeed(ns, 'shop', sqlSeed('preview-db'));
    const stalled = await waitForSeed(ns, 'shop', isStalled('JobFailed'), 60_000);
    expect(condition(stalled, 'Ready')?.message).toMatch(/^the seed Job shop-seed-1 failed \(DeadlineExceeded\)/);
    expect(stalled.status?.phase).toBe('Failed');
    const failedJob = (await getJob(ns, 'shop-seed-1'))!;
    // The retry deletes the failed Job and creates it again.
    const replaced = await eventually(
      async () => {
        const job = await getJob(ns, 'shop-seed-1');
        return job && job.metadata.uid !== failedJob.metadata.uid ? job : undefined;
      },
      { timeoutMs: 60_000, what: 'a new seed Job' },
    );
    expect(replaced.spec.template.spec.containers[0].image).toBe(IMAGE);
    await admin.delete({ apiVersion: 'v1', kind: 'ResourceQuota', namespace: ns, name: 'no-pods' });
    const ready = await waitForSeed(ns, 'shop', isReady(1), 120_000);
    expect(condition(ready, 'Stalled')).toBeUndefined();
    const events = await seedEvents(ns, 'shop');
    expect(events.filter((e) => e.reason === 'SeedFailed')).toHaveLength(1);
    expect(events.filter((e) => e.reason === 'SeedingStarted')).toHaveLength(1);
  });
});
