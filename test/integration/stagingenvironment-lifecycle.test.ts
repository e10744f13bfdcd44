import { randomBytes } from 'node:crypto';
import { serviceName, syntheticBaseline } from '../../bench/environment-baseline';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace, eventually, kubectl, kubectlAsync, waitForObject } from '../support/kube';
import {
  admin,
  applyBaseline,
  applyObjects,
  condition,
  deleteBaseline,
  environment,
  FINALIZER,
  getEnvironment,
  getObject,
  listObjects,
  namespaceExists,
  recordStatuses,
  saveStatusFixture,
  startOperator,
  startPreviews,
  stopPreviews,
  waitForCondition,
  type Environment,
  type Json,
} from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// An environment's life on the real control plane: expiry, suspension,
// deletion, namespaces that are not its own, specs and Baselines it cannot
// honour, and namespaces left behind while the operator was away.

const id = randomBytes(3).toString('hex');
/** The production namespace, and the Baseline that describes it. */
const baseline = `tiny-${id}`;
const PREFIX = 'lc-';
let previews: string;
let manager: Manager | undefined;
const baselines = [baseline];

const spec = (overrides: Json = {}): Json => ({ baselineRef: { name: baseline }, ...overrides });
const apply = (name: string, body: Json, metadata: Json = {}): void => {
  kubectl(['apply', '-f', '-'], JSON.stringify(environment(name, previews, body, metadata)));
};
/**
 * Waits for Stalled with this reason for the current generation. A Baseline
 * applied a moment ago may not be in the operator's cache yet (BaselineNotFound
 * first); its watch event brings the reconcile that sees it.
 */
const waitForStall = (name: string, reason: string): Promise<Environment> =>
  waitForObject(
    () => getEnvironment(name, previews),
    (env) => {
      const stalled = condition(env, 'Stalled');
      return (
        stalled?.status === 'True' &&
        stalled.reason === reason &&
        stalled.observedGeneration === env.metadata.generation
      );
    },
    { what: `Stalled ${reason} on ${previews}/${name}`, timeoutMs: 30_000 },
  );
/** The target namespace the Baseline's rule derives: <prefix><environment namespace>-<name>. */
const target = (name: string): string => `${PREFIX}${previews}-${name}`;

beforeAll(async () => {
  applyObjects([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } },
    ...syntheticBaseline(baseline, 3),
  ]);
  ({ previews, manager } = await startPreviews());
  applyBaseline(baseline, [previews], { source: { namespace: baseline }, targetNamespace: { prefix: PREFIX } });
});

afterAll(async () => {
  await stopPreviews(previews, manager, baseline);
  for (const name of baselines) deleteBaseline(name);
});

describe('StagingEnvironment lifecycle', () => {
  it('deletes itself and its namespace when its ttl passes, also when its spec was broken meanwhile', async () => {
    apply('short-lived', spec({ ttl: '20s' }));
    // Its twin stalls on a spec made invalid after it was copied: its ttl still holds.
    apply('broken-lived', spec({ ttl: '20s' }));
    await waitForCondition('broken-lived', previews, 'Ready', 'True');
    kubectl([
      'patch',
      '-n',
      previews,
      'stagingenvironment/broken-lived',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { scale: { replicas: '0' } } }),
    ]);
    const broken = await waitForCondition('broken-lived', previews, 'Stalled', 'True', 30_000);
    expect(condition(broken, 'Stalled')?.reason).toBe('InvalidSpec');
    const env = await waitForCondition('short-lived', previews, 'Ready', 'True');
    const created = Date.parse(env.metadata.creationTimestamp as unknown as string);
    expect(Date.parse(env.status?.expiresAt ?? '')).toBe(created + 20_000);
    expect(await namespaceExists(target('short-lived'))).toBe(true);
    await eventually(async () => (await getEnvironment('short-lived', previews)) === undefined, {
      timeoutMs: 90_000,
      what: 'expired environment gone',
    });
    expect(Date.now()).toBeGreaterThanOrEqual(created + 20_000);
    expect(await namespaceExists(target('short-lived'))).toBe(false);
    await eventually(async () => (await getEnvironment('broken-lived', previews)) === undefined, {
      timeoutMs: 60_000,
      what: 'expired stalled environment gone',
    });
    await eventually(async () => !(await namespaceExists(target('broken-lived'))), {
      timeoutMs: 60_000,
      what: "expired stalled environment's namespace gone",
    });
  });

  it('shows an image change after Ready as Progressing, then Ready again, never Degraded; a rollout that cannot proceed is Degraded', async () => {
    apply('pushed', spec());
    const ready = await waitForCondition('pushed', previews, 'Ready', 'True');
    saveStatusFixture('stagingenvironment-ready.json', ready, 'Ready: every service available (Argo CD: Healthy)');
    const service = serviceName(0);
    const { result: updated, seen } = await recordStatuses('pushed', previews, async () => {
      kubectl([
        'patch',
        '-n',
        previews,
        'stagingenvironment/pushed',
        '--type=merge',
        '-p',
        JSON.stringify({
          spec: { services: [{ name: service, image: `registry.example.com/bench/${service}:pr-2` }] },
        }),
      ]);
      return waitForCondition('pushed', previews, 'Ready', 'True');
    });
    expect(updated.metadata.generation).toBe(2);
    const update = seen.filter((e) => e.metadata.generation === 2);
    expect(update.map((e) => e.status?.phase)).toContain('Progressing');
    expect(seen.map((e) => e.status?.phase)).not.toContain('Degraded');
    const progressing = update.find((e) => e.status?.phase === 'Progressing')!;
    expect(condition(progressing, 'Reconciling')?.status).toBe('True');
    expect(condition(progressing, 'Stalled')).toBeUndefined();
    saveStatusFixture(
      'stagingenvironment-image-update-progressing.json',
      progressing,
      'An image update after Ready, rolling out: phase Progressing, Reconciling True (Argo CD: Progressing, never Degraded)',
    );
    const deployment = await getObject('apps/v1', 'Deployment', target('pushed'), service);
    expect(JSON.stringify(deployment?.spec)).toContain(`${service}:pr-2`);

    // No pod may be created any more, and a new image needs one: the Deployment reports ReplicaFailure, a real failure.
    kubectl([
      'patch',
      '-n',
      previews,
      'stagingenvironment/pushed',
      '--type=merge',
      '-p',
      JSON.stringify({
        spec: {
          isolation: { resourceQuota: { pods: 0 } },
          services: [{ name: service, image: `registry.example.com/bench/${service}:pr-3` }],
        },
      }),
    ]);
    const degraded = await waitForObject(
      () => getEnvironment('pushed', previews),
      (e) => e.metadata.generation === 3 && e.status?.phase === 'Degraded',
      { what: 'Degraded after a rollout the quota refuses', timeoutMs: 60_000 },
    );
    expect(condition(degraded, 'Ready')).toMatchObject({ status: 'False', reason: 'WorkloadFailed' });
    expect(condition(degraded, 'Stalled')).toMatchObject({ status: 'True', reason: 'WorkloadFailed' });
    saveStatusFixture(
      'stagingenvironment-degraded.json',
      degraded,
      'After Ready, a Deployment whose pods the quota refuses (ReplicaFailure): phase Degraded, Stalled WorkloadFailed (Argo CD: Degraded)',
    );
    kubectl(['delete', '-n', previews, 'stagingenvironment/pushed', '--wait=false']);
  });

  it('under expiryPolicy Retain (the default under Argo CD) tears the environment down at expiry and keeps the resource Expired; a re-created copy is not started again', async () => {
    const tracked = {
      annotations: { 'argocd.argoproj.io/tracking-id': `previews:understudy.dev/StagingEnvironment:${previews}/kept` },
    };
    apply('kept', spec({ ttl: '20s' }), tracked);
    const ready = await waitForCondition('kept', previews, 'Ready', 'True');
    expect(await namespaceExists(target('kept'))).toBe(true);
    const expired = await waitForObject(
      () => getEnvironment('kept', previews),
      (e) => e.status?.phase === 'Expired' && condition(e, 'Reconciling') === undefined,
      { what: 'kept Expired with its namespace gone', timeoutMs: 90_000 },
    );
    expect(expired.metadata.uid).toBe(ready.metadata.uid);
    expect(expired.metadata.deletionTimestamp).toBeUndefined();
    expect(await namespaceExists(target('kept'))).toBe(false);
    expect(condition(expired, 'Expired')).toMatchObject({ status: 'True', reason: 'TTLExpired' });
    expect(condition(expired, 'Expired')?.message).toMatch(
      /expiryPolicy Retain, from annotation argocd\.argoproj\.io\/tracking-id/,
    );
    expect(condition(expired, 'Ready')).toMatchObject({ status: 'False', reason: 'Expired' });
    expect(condition(expired, 'Stalled')).toBeUndefined();
    saveStatusFixture(
      'stagingenvironment-expired-retained.json',
      expired,
      'Expired under expiryPolicy Retain (Argo CD tracking): namespace deleted, resource kept, Ready False Expired, Expired True (Argo CD: not Degraded, no re-creation)',
    );

    // Argo CD's automated sync re-creates what Git declares: same spec, a new uid and creationTimestamp.
    // Asynchronously: the operator runs in this process, and a synchronous kubectl would block it while it waits for the finalizer.
    const deleted = await kubectlAsync(['delete', '-n', previews, 'stagingenvironment/kept', '--timeout=60s']);
    expect(deleted.code).toBe(0);
    apply('kept', spec({ ttl: '20s' }), tracked);
    const again = await waitForObject(
      () => getEnvironment('kept', previews),
      (e) => e.metadata.uid !== expired.metadata.uid && e.status?.phase === 'Expired',
      { what: 're-created kept Expired at once', timeoutMs: 30_000 },
    );
    expect(condition(again, 'Expired')?.reason).toBe('ExpiredBefore');
    expect(condition(again, 'Provisioned')?.status).not.toBe('True');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await namespaceExists(target('kept'))).toBe(false);
    expect((await getEnvironment('kept', previews))?.status?.phase).toBe('Expired');
    saveStatusFixture(
      'stagingenvironment-expired-recreated.json',
      again,
      'Re-created by a GitOps sync after its name expired under Retain: Expired at once, nothing provisioned (Argo CD: no re-creation loop)',
    );
    kubectl(['delete', '-n', previews, 'stagingenvironment/kept', '--wait=false']);
  });

  it('never adopts, changes or deletes an existing namespace it does not manage, even one of its derived name', async () => {
    // The environment cannot name its namespace; someone created the derived name first.
    const taken = target('squatter');
    kubectl(['create', 'namespace', taken]);
    kubectl(['label', 'namespace', taken, 'team=payments']);
    kubectl(['create', 'configmap', 'precious', '-n', taken, '--from-literal=keep=me']);
    const before = await getObject('v1', 'Namespace', undefined, taken);
    apply('squatter', spec());
    const env = await waitForCondition('squatter', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')?.reason).toBe('NamespaceNotOwned');
    expect(condition(env, 'Stalled')?.message).toMatch(
      new RegExp(`^status\\.namespace: namespace ${taken} exists and is not managed by Understudy`),
    );
    expect(condition(env, 'Ready')?.status).toBe('False');
    expect(env.status?.phase).toBe('Failed');
    // Nothing was written: no finalizer, no object in the namespace, the namespace as it was.
    expect(env.metadata.finalizers ?? []).not.toContain(FINALIZER);
    const after = await getObject('v1', 'Namespace', undefined, taken);
    expect(after?.metadata.resourceVersion).toBe(before?.metadata.resourceVersion);
    expect((await listObjects('apps/v1', 'Deployment', taken)).length).toBe(0);
    kubectl(['delete', '-n', previews, 'stagingenvironment/squatter', '--timeout=30s']);
    expect((await getObject('v1', 'ConfigMap', taken, 'precious'))?.data).toEqual({ keep: 'me' });
    expect((await getObject('v1', 'Namespace', undefined, taken))?.metadata.deletionTimestamp).toBeUndefined();
    deleteNamespace(taken);
  });

  it('reports a Baseline, then its production namespace, that does not exist as Stalled, naming the field, and recovers once both exist', async () => {
    const missing = `nowhere-${id}`;
    apply('no-baseline', { baselineRef: { name: missing } });
    const env = await waitForCondition('no-baseline', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')).toMatchObject({
      reason: 'BaselineNotFound',
      message: `spec.baselineRef.name: Baseline ${missing} does not exist`,
    });
    expect(await namespaceExists(`${previews}-no-baseline`)).toBe(false);
    baselines.push(applyBaseline(missing, [previews], { source: { namespace: missing } }));
    await waitForObject(
      () => getEnvironment('no-baseline', previews),
      (e) =>
        condition(e, 'Stalled')?.message ===
        `spec.baselineRef.name: namespace ${missing} of Baseline ${missing} does not exist`,
      { what: 'Stalled on the missing production namespace', timeoutMs: 30_000 },
    );
    expect(condition(await getEnvironment('no-baseline', previews), 'Stalled')?.reason).toBe('BaselineNotFound');
    expect(await namespaceExists(`${previews}-no-baseline`)).toBe(false);
    applyObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: missing } },
      ...syntheticBaseline(missing, 1),
    ]);
    const ready = await waitForCondition('no-baseline', previews, 'Ready', 'True');
    expect(condition(ready, 'Stalled')).toBeUndefined();
    expect(ready.status?.namespace).toBe(`${previews}-no-baseline`);
    kubectl(['delete', '-n', previews, 'stagingenvironment/no-baseline', '--wait=false']);
    deleteNamespace(missing);
  });

  it('reports a Baseline that does not allow its namespace as Stalled BaselineNotAllowed, reading and writing nothing, and starts once an admin labels the namespace', async () => {
    const picky = `picky-${id}`;
    const label = `lifecycle-${id}.understudy.dev/previews`;
    baselines.push(
      applyBaseline(picky, [], {
        allowedNamespaces: { selector: { matchLabels: { [label]: 'true' } } },
        source: { namespace: baseline },
      }),
    );
    apply('not-yet', { baselineRef: { name: picky } });
    const env = await waitForStall('not-yet', 'BaselineNotAllowed');
    expect(condition(env, 'Stalled')?.reason).toBe('BaselineNotAllowed');
    expect(condition(env, 'Stalled')?.message).toMatch(
      new RegExp(`^spec\\.baselineRef\\.name: Baseline ${picky} does not allow namespace ${previews}`),
    );
    expect(env.status?.namespace).toBeUndefined();
    expect(env.metadata.finalizers ?? []).not.toContain(FINALIZER);
    expect(await namespaceExists(`${previews}-not-yet`)).toBe(false);
    kubectl(['label', 'namespace', previews, `${label}=true`]);
    const ready = await waitForCondition('not-yet', previews, 'Ready', 'True', 60_000);
    expect(ready.status?.namespace).toBe(`${previews}-not-yet`);
    kubectl(['delete', '-n', previews, 'stagingenvironment/not-yet', '--wait=false']);
  });

  it('reports a choice beyond the Baseline as Stalled ExceedsBaseline, naming the field, without writing anything, and heals when the admin raises the limit', async () => {
    const strict = `strict-${id}`;
    baselines.push(
      applyBaseline(strict, [previews], {
        source: { namespace: baseline },
        limits: { maxReplicas: '0.5', maxResources: '1', maxTtl: '24h' },
      }),
    );
    apply('greedy', { baselineRef: { name: strict }, scale: { replicas: '2' } });
    const env = await waitForStall('greedy', 'ExceedsBaseline');
    expect(condition(env, 'Stalled')).toMatchObject({
      reason: 'ExceedsBaseline',
      message: "spec.scale.replicas: 2 is above the Baseline's limit of 0.5",
    });
    expect(condition(env, 'Ready')).toMatchObject({ status: 'False', reason: 'ExceedsBaseline' });
    expect(await namespaceExists(`${previews}-greedy`)).toBe(false);
    kubectl([
      'patch',
      '-n',
      previews,
      'stagingenvironment/greedy',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { ttl: '48h' } }),
    ]);
    const longer = await waitForCondition('greedy', previews, 'Stalled', 'True', 30_000);
    expect(condition(longer, 'Stalled')?.message).toBe("spec.scale.replicas: 2 is above the Baseline's limit of 0.5");
    applyBaseline(strict, [previews], {
      source: { namespace: baseline },
      limits: { maxReplicas: '2', maxResources: '1', maxTtl: '24h' },
    });
    await waitForObject(
      () => getEnvironment('greedy', previews),
      (e) => condition(e, 'Stalled')?.message === "spec.ttl: 48h is longer than the Baseline's limit of 24h",
      { what: 'the next field beyond the Baseline named', timeoutMs: 30_000 },
    );
    kubectl([
      'patch',
      '-n',
      previews,
      'stagingenvironment/greedy',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { ttl: '12h' } }),
    ]);
    const healed = await waitForCondition('greedy', previews, 'Ready', 'True');
    expect(condition(healed, 'Stalled')).toBeUndefined();
    for (const d of await listObjects('apps/v1', 'Deployment', `${previews}-greedy`))
      expect((d.spec as { replicas: number }).replicas).toBe(2);
    kubectl(['delete', '-n', previews, 'stagingenvironment/greedy', '--wait=false']);
  });

  it('reports a bad ratio as Stalled InvalidSpec, naming the field, without writing anything, then heals when fixed', async () => {
    apply('bad-ratio', spec({ scale: { replicas: '0', resources: '1' } }));
    const env = await waitForCondition('bad-ratio', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')?.reason).toBe('InvalidSpec');
    expect(condition(env, 'Stalled')?.message).toMatch(/^spec\.scale\.replicas: /);
    expect(condition(env, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await namespaceExists(target('bad-ratio'))).toBe(false);
    kubectl([
      'patch',
      '-n',
      previews,
      'stagingenvironment/bad-ratio',
      '--type=merge',
      '-p',
      JSON.stringify({ spec: { scale: { replicas: '0.5' } } }),
    ]);
    const healed = await waitForCondition('bad-ratio', previews, 'Ready', 'True');
    expect(condition(healed, 'Stalled')).toBeUndefined();
    kubectl(['delete', '-n', previews, 'stagingenvironment/bad-ratio', '--wait=false']);
  });

  it('suspends by scaling every workload to zero and keeps the rest, then resumes', async () => {
    apply('sleepy', spec());
    await waitForCondition('sleepy', previews, 'Ready', 'True');
    kubectl(['patch', '-n', previews, 'stagingenvironment/sleepy', '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    const suspended = await waitForCondition('sleepy', previews, 'Ready', 'True');
    expect(condition(suspended, 'Ready')?.reason).toBe('Suspended');
    expect(suspended.status?.phase).toBe('Suspended');
    for (const d of await listObjects('apps/v1', 'Deployment', target('sleepy')))
      expect((d.spec as { replicas: number }).replicas).toBe(0);
    expect((await listObjects('v1', 'Service', target('sleepy'))).length).toBe(3);
    expect(await getObject('v1', 'ConfigMap', target('sleepy'), 'endpoints')).toBeDefined();
    kubectl(['patch', '-n', previews, 'stagingenvironment/sleepy', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    const resumed = await waitForCondition('sleepy', previews, 'Ready', 'True');
    expect(resumed.status?.phase).toBe('Ready');
    for (const d of await listObjects('apps/v1', 'Deployment', target('sleepy')))
      expect((d.spec as { replicas: number }).replicas).toBe(1);
    kubectl(['delete', '-n', previews, 'stagingenvironment/sleepy', '--wait=false']);
  });

  it('sweeps, when it starts, a namespace whose environment vanished while it was away', async () => {
    apply('leaky', spec());
    await waitForCondition('leaky', previews, 'Ready', 'True');
    const leaked = target('leaky');
    await manager?.stop();
    manager = undefined;
    // Someone strips the finalizer while the operator is down: the namespace is left behind.
    await admin().mergePatch(
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'StagingEnvironment', namespace: previews, name: 'leaky' },
      { metadata: { finalizers: null } },
    );
    kubectl(['delete', '-n', previews, 'stagingenvironment/leaky']);
    expect(await namespaceExists(leaked)).toBe(true);
    manager = await startOperator(previews);
    await eventually(async () => !(await namespaceExists(leaked)), {
      timeoutMs: 90_000,
      what: `orphaned namespace ${leaked} deleted`,
    });
  });

  it("a new environment of the same name waits for the old one's namespace, then gets its own", async () => {
    apply('again', spec());
    const first = await waitForCondition('again', previews, 'Ready', 'True');
    const firstNamespace = await getObject('v1', 'Namespace', undefined, target('again'));
    await manager?.stop();
    await admin().mergePatch(
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'StagingEnvironment', namespace: previews, name: 'again' },
      { metadata: { finalizers: null } },
    );
    kubectl(['delete', '-n', previews, 'stagingenvironment/again']);
    apply('again', spec());
    manager = await startOperator(previews);
    const second = await waitForCondition('again', previews, 'Ready', 'True');
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    const secondNamespace = await getObject('v1', 'Namespace', undefined, target('again'));
    expect(secondNamespace?.metadata.uid).not.toBe(firstNamespace?.metadata.uid);
    expect(secondNamespace?.metadata.annotations?.['understudy.dev/owner-uid']).toBe(second.metadata.uid);
  });
});
