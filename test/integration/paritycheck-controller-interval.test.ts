import { PARITY_CHECK_CONTROLLER } from '../../operator/controllers/paritycheck';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace, eventually } from '../support/kube';
import { metricValue } from '../support/operator-process';
import {
  admin,
  applyBaseline,
  baselineName,
  conditionOf,
  createCheck,
  deleteBaselines,
  eventsAbout,
  getCheck,
  grantSecretRead,
  occurrences,
  setEnv,
  shopNamespace,
  startOperator,
  waitForStatus,
  type ParityCheckObject,
} from './paritycheck-controller.fixture';
import { shopService } from '../../operator/parity/testing/shop-fixture';

jest.setTimeout(120_000);

const checkedAfter = (time: string | undefined) => (c: ParityCheckObject) =>
  c.status?.lastCheckedAt !== undefined && c.status.lastCheckedAt !== time;

// Scheduling and quietness: a check on an interval re-runs without moving
// firstSeen or repeating Events, a one-shot check never re-runs on its own,
// and neither needs memory a restart would lose.
describe('ParityCheck controller: intervals, transitions and restarts', () => {
  let checks: string;
  let production: string;
  let manager: Manager;
  const baseline = baselineName('pci-shop');

  beforeAll(async () => {
    // The checks live in the staging namespace they compare.
    [production, checks] = await Promise.all([
      shopNamespace('pci-prod'),
      shopNamespace('pci-stage', { change: setEnv('catalog', 'LOG_LEVEL', 'debug') }),
    ]);
    // What an admin grants: workloads' Secret references are resolved (and compared by keyed hash) on both sides.
    await Promise.all([grantSecretRead(production), grantSecretRead(checks)]);
    await applyBaseline(baseline, { source: { namespace: production }, allowedNamespaces: { names: [checks] } });
    manager = await startOperator([checks]);
  });

  afterAll(async () => {
    await manager?.stop();
    await deleteBaselines([baseline]);
    [checks, production].filter(Boolean).forEach(deleteNamespace);
  });

  const checkRef = (name: string) => ({
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'ParityCheck',
    namespace: checks,
    name,
  });
  const controllerIdle = () => manager.controller(PARITY_CHECK_CONTROLLER)?.idle() ?? false;
  /** Finished reconciles of the ParityCheck controller, whatever they returned. */
  const reconciles = async () => {
    const text = await (await fetch(`${manager.metricsUrl}/metrics`)).text();
    return ['success', 'requeue_after', 'requeue'].reduce(
      (n, result) =>
        n +
        (metricValue(text, 'controller_runtime_reconcile_total', { controller: PARITY_CHECK_CONTROLLER, result }) ?? 0),
      0,
    );
  };
  const spec = (interval?: string) => ({ baselineRef: { name: baseline }, ...(interval ? { interval } : {}) });

  it('re-runs on spec.interval keeping firstSeen, and records Events only on transitions', async () => {
    await createCheck(checks, 'every-2s', spec('2s'));
    const first = await waitForStatus(
      checks,
      'every-2s',
      (c) => conditionOf(c, 'Ready')?.status === 'True',
      'the first run',
    );
    const finding = first.status?.findings?.[0];
    expect(first.status?.findings).toHaveLength(1);
    expect(finding).toMatchObject({
      resource: 'Deployment/catalog',
      path: 'spec.template.spec.containers[app].env[LOG_LEVEL]',
      firstSeen: first.status?.lastCheckedAt,
    });
    expect((await eventsAbout(first)).map((e) => e.reason).sort()).toEqual(['ConfigDrifted', 'DriftDetected']);

    let last = first;
    for (let run = 0; run < 2; run++)
      last = await waitForStatus(
        checks,
        'every-2s',
        checkedAfter(last.status?.lastCheckedAt),
        `re-run ${run + 1}`,
        15_000,
      );
    const gapMs = Date.parse(last.status!.lastCheckedAt!) - Date.parse(first.status!.lastCheckedAt!);
    expect(gapMs).toBeGreaterThanOrEqual(4_000);
    expect(gapMs).toBeLessThan(10_000);
    expect(last.status?.findings).toEqual([{ ...finding }]);
    expect(conditionOf(last, 'InParity')?.lastTransitionTime).toBe(conditionOf(first, 'InParity')?.lastTransitionTime);
    // Three runs, one transition: two Events, never repeated (a repeat would bump series.count).
    expect(occurrences(await eventsAbout(last))).toBe(2);

    // Repairing staging is a transition: exactly one more Event, then quiet again.
    for (const object of shopService('catalog', { namespace: checks, replicas: 2 }))
      await admin.apply(object as KubernetesObject);
    const repaired = await waitForStatus(
      checks,
      'every-2s',
      (c) => conditionOf(c, 'InParity')?.status === 'True',
      'the check to see the repair',
      15_000,
    );
    expect(repaired.status?.findings).toEqual([]);
    await waitForStatus(checks, 'every-2s', checkedAfter(repaired.status?.lastCheckedAt), 'one more run', 15_000);
    const events = await eventsAbout(repaired);
    expect(events.map((e) => e.reason).sort()).toEqual(['ConfigDrifted', 'DriftDetected', 'InParity']);
    expect(occurrences(events)).toBe(3);
  });

  it('runs a check without an interval once per generation: a metadata change reconciles without running or writing', async () => {
    // Nothing else may write meanwhile: the interval check of the previous test goes.
    await admin.delete(checkRef('every-2s'));
    await createCheck(checks, 'once', spec());
    const ran = await waitForStatus(
      checks,
      'once',
      (c) => conditionOf(c, 'Ready')?.status === 'True',
      'the one-shot run',
    );
    await eventually(() => controllerIdle(), { what: 'an idle controller' });
    const before = { reconciles: await reconciles(), writes: manager.client.requestCounts() };
    await admin.mergePatch(checkRef('once'), { metadata: { labels: { team: 'shop' } } });
    const cache = manager.informerFor({ ...checkRef('once'), scope: 'manager' });
    await eventually(
      async () =>
        cache.get(checks, 'once')?.metadata?.labels?.team === 'shop' &&
        controllerIdle() &&
        (await reconciles()) > before.reconciles,
      {
        what: 'a reconcile after the label change',
      },
    );
    const after = manager.client.requestCounts();
    expect({ patch: after.patch, create: after.create, apply: after.apply }).toEqual({
      patch: before.writes.patch,
      create: before.writes.create,
      apply: before.writes.apply,
    });
    expect((await getCheck(checks, 'once'))?.status?.lastCheckedAt).toBe(ran.status?.lastCheckedAt);

    // A spec change is a new generation: it runs again at once.
    await admin.mergePatch(checkRef('once'), { spec: { failOn: 'critical' } });
    const rerun = await waitForStatus(
      checks,
      'once',
      (c) => c.status?.observedGeneration === c.metadata?.generation && checkedAfter(ran.status?.lastCheckedAt)(c),
      'the run for generation 2',
    );
    expect(rerun.metadata?.generation).toBe(2);
    expect(conditionOf(rerun, 'InParity')).toMatchObject({ status: 'True', observedGeneration: 2 });
  });

  it("after a restart, neither re-runs a one-shot check nor loses an interval check's schedule", async () => {
    await createCheck(checks, 'every-4s', spec('4s'));
    const every = await waitForStatus(
      checks,
      'every-4s',
      (c) => conditionOf(c, 'Ready')?.status === 'True',
      "the interval check's first run",
    );
    const once = await getCheck(checks, 'once');
    await manager.stop();
    manager = await startOperator([checks]);
    const next = await waitForStatus(
      checks,
      'every-4s',
      checkedAfter(every.status?.lastCheckedAt),
      'the interval check to run after the restart',
      20_000,
    );
    // Due four seconds after the last run, not at start-up.
    expect(Date.parse(next.status!.lastCheckedAt!) - Date.parse(every.status!.lastCheckedAt!)).toBeGreaterThanOrEqual(
      3_990,
    );
    await eventually(async () => controllerIdle() && (await reconciles()) >= 2, {
      what: 'the new operator to reconcile both checks',
    });
    expect((await getCheck(checks, 'once'))?.status?.lastCheckedAt).toBe(once?.status?.lastCheckedAt);
  });
});
