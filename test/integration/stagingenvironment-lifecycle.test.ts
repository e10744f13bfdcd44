import { randomBytes } from 'node:crypto';
import { syntheticBaseline } from '../../bench/environment-baseline';
import type { Manager } from '../../operator/runtime/manager';
import { createNamespace, deleteNamespace, eventually, kubectl } from '../support/kube';
import {
  admin,
  applyObjects,
  condition,
  environment,
  FINALIZER,
  getEnvironment,
  getObject,
  listObjects,
  namespaceExists,
  startOperator,
  startPreviews,
  stopPreviews,
  waitForCondition,
  type Json,
} from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// An environment's life on the real control plane: expiry, suspension,
// deletion, namespaces that are not its own, specs it cannot honour, and
// namespaces left behind while the operator was away.

const id = randomBytes(3).toString('hex');
const baseline = `tiny-${id}`;
let previews: string;
let manager: Manager | undefined;

const spec = (overrides: Json = {}): Json => ({ baseline: { namespace: baseline }, ...overrides });
const apply = (name: string, body: Json, metadata: Json = {}): void => {
  kubectl(['apply', '-f', '-'], JSON.stringify(environment(name, previews, body, metadata)));
};

beforeAll(async () => {
  applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } }, ...syntheticBaseline(baseline, 3)]);
  ({ previews, manager } = await startPreviews());
});

afterAll(() => stopPreviews(previews, manager, baseline));

describe('StagingEnvironment lifecycle', () => {
  it('deletes itself and its namespace when its ttl passes', async () => {
    apply('short-lived', spec({ ttl: '20s' }));
    const env = await waitForCondition('short-lived', previews, 'Ready', 'True');
    const created = Date.parse(env.metadata.creationTimestamp as unknown as string);
    expect(Date.parse(env.status?.expiresAt ?? '')).toBe(created + 20_000);
    expect(await namespaceExists(`${baseline}-short-lived`)).toBe(true);
    await eventually(async () => (await getEnvironment('short-lived', previews)) === undefined, { timeoutMs: 90_000, what: 'expired environment gone' });
    expect(Date.now()).toBeGreaterThanOrEqual(created + 20_000);
    expect(await namespaceExists(`${baseline}-short-lived`)).toBe(false);
  });

  it('never adopts, changes or deletes an existing namespace it does not manage', async () => {
    const taken = createNamespace('taken', { team: 'payments' });
    kubectl(['create', 'configmap', 'precious', '-n', taken, '--from-literal=keep=me']);
    const before = await getObject('v1', 'Namespace', undefined, taken);
    apply('squatter', spec({ targetNamespace: taken }));
    const env = await waitForCondition('squatter', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')?.reason).toBe('NamespaceNotOwned');
    expect(condition(env, 'Stalled')?.message).toMatch(/^spec\.targetNamespace: namespace taken-[0-9a-f]+ exists and is not managed by Understudy/);
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

  it('reports a baseline namespace that does not exist as Stalled, naming the field, and recovers once it exists', async () => {
    const missing = `nowhere-${id}`;
    apply('no-baseline', { baseline: { namespace: missing } });
    const env = await waitForCondition('no-baseline', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')).toMatchObject({ reason: 'BaselineNotFound', message: `spec.baseline.namespace: namespace ${missing} does not exist` });
    expect(await namespaceExists(`${missing}-no-baseline`)).toBe(false);
    applyObjects([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: missing } }, ...syntheticBaseline(missing, 1)]);
    const ready = await waitForCondition('no-baseline', previews, 'Ready', 'True');
    expect(condition(ready, 'Stalled')).toBeUndefined();
    kubectl(['delete', '-n', previews, 'stagingenvironment/no-baseline', '--wait=false']);
    deleteNamespace(missing);
  });

  it('reports a bad ratio as Stalled InvalidSpec, naming the field, without writing anything, then heals when fixed', async () => {
    apply('bad-ratio', spec({ scale: { replicas: '0', resources: '1' } }));
    const env = await waitForCondition('bad-ratio', previews, 'Stalled', 'True', 30_000);
    expect(condition(env, 'Stalled')?.reason).toBe('InvalidSpec');
    expect(condition(env, 'Stalled')?.message).toMatch(/^spec\.scale\.replicas: /);
    expect(condition(env, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(await namespaceExists(`${baseline}-bad-ratio`)).toBe(false);
    kubectl(['patch', '-n', previews, 'stagingenvironment/bad-ratio', '--type=merge', '-p', JSON.stringify({ spec: { scale: { replicas: '0.5' } } })]);
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
    const target = `${baseline}-sleepy`;
    for (const d of await listObjects('apps/v1', 'Deployment', target)) expect((d.spec as { replicas: number }).replicas).toBe(0);
    expect((await listObjects('v1', 'Service', target)).length).toBe(3);
    expect(await getObject('v1', 'ConfigMap', target, 'endpoints')).toBeDefined();
    kubectl(['patch', '-n', previews, 'stagingenvironment/sleepy', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    const resumed = await waitForCondition('sleepy', previews, 'Ready', 'True');
    expect(resumed.status?.phase).toBe('Ready');
    for (const d of await listObjects('apps/v1', 'Deployment', target)) expect((d.spec as { replicas: number }).replicas).toBe(1);
    kubectl(['delete', '-n', previews, 'stagingenvironment/sleepy', '--wait=false']);
  });

  it('sweeps, when it starts, a namespace whose environment vanished while it was away', async () => {
    apply('leaky', spec());
    await waitForCondition('leaky', previews, 'Ready', 'True');
    const target = `${baseline}-leaky`;
    await manager?.stop();
    manager = undefined;
    // Someone strips the finalizer while the operator is down: the namespace is left behind.
    await admin().mergePatch({ apiVersion: 'understudy.dev/v1alpha1', kind: 'StagingEnvironment', namespace: previews, name: 'leaky' }, { metadata: { finalizers: null } });
    kubectl(['delete', '-n', previews, 'stagingenvironment/leaky']);
    expect(await namespaceExists(target)).toBe(true);
    manager = await startOperator(previews);
    await eventually(async () => !(await namespaceExists(target)), { timeoutMs: 90_000, what: `orphaned namespace ${target} deleted` });
  });

  it('a new environment of the same name waits for the old one\'s namespace, then gets its own', async () => {
    apply('again', spec());
    const first = await waitForCondition('again', previews, 'Ready', 'True');
    const target = `${baseline}-again`;
    const firstNamespace = await getObject('v1', 'Namespace', undefined, target);
    await manager?.stop();
    await admin().mergePatch({ apiVersion: 'understudy.dev/v1alpha1', kind: 'StagingEnvironment', namespace: previews, name: 'again' }, { metadata: { finalizers: null } });
    kubectl(['delete', '-n', previews, 'stagingenvironment/again']);
    apply('again', spec());
    manager = await startOperator(previews);
    const second = await waitForCondition('again', previews, 'Ready', 'True');
    expect(second.metadata.uid).not.toBe(first.metadata.uid);
    const secondNamespace = await getObject('v1', 'Namespace', undefined, target);
    expect(secondNamespace?.metadata.uid).not.toBe(firstNamespace?.metadata.uid);
    expect(secondNamespace?.metadata.annotations?.['understudy.dev/owner-uid']).toBe(second.metadata.uid);
  });
});
