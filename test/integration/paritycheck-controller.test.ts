import type { ParityCheckSpecInput } from '../../operator/api/paritycheck';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace, eventually, kubectlAsync } from '../support/kube';
import { metricValue } from '../support/operator-process';
import { freePort, startPrometheus, type PrometheusServer } from '../setup/prometheus';
import {
  P95,
  admin,
  applyBaseline,
  baselineName,
  conditionOf,
  connectionsTo,
  createCheck,
  createSecret,
  deleteBaselines,
  establishedOnPort,
  eventsAbout,
  grantSecretRead,
  productionDatabaseSecret,
  recordedLatency,
  setEnv,
  shopDatabase,
  shopNamespace,
  startOperator,
  waitForStatus,
  type ParityCheckObject,
} from './paritycheck-controller.fixture';

jest.setTimeout(180_000);

const isTrue = (type: string) => (c: ParityCheckObject) => conditionOf(c, type)?.status === 'True';

// The ParityCheck controller as `understudy operator` runs it, with the
// chart's least-privilege identity, against a real API server, PostgreSQL
// and Prometheus. Production is what an admin's Baseline describes. Drift is
// injected in every category of one staging namespace; another is a faithful
// copy of production. Each check lives in the staging namespace it compares.
describe('ParityCheck controller on a real control plane, PostgreSQL and Prometheus', () => {
  let production: string;
  let drifted: string;
  let faithful: string;
  let flooded: string;
  let databases: { production: string; drifted: string; faithful: string };
  let prometheus: PrometheusServer;
  let emptyPrometheus: PrometheusServer;
  let manager: Manager;
  let productionDb: { namespace: string; name: string; key: string };
  const created: string[] = [];
  const baselines = { shop: baselineName('pc-shop'), quiet: baselineName('pc-quiet'), down: baselineName('pc-down') };

  function baselineSpec(prometheusUrl: string): Record<string, unknown> {
    return {
      source: { namespace: production },
      allowedNamespaces: { names: [drifted, faithful, flooded] },
      data: { databases: [{ name: 'shop', connectionSecretRef: productionDb }], prometheus: { url: prometheusUrl } },
    };
  }

  beforeAll(async () => {
    [production, drifted, faithful, flooded] = await Promise.all([
      shopNamespace('pc-prod'),
      shopNamespace('pc-drift', { change: setEnv('checkout', 'LOG_LEVEL', 'debug') }),
      shopNamespace('pc-same'),
      shopNamespace('pc-flood', { flags: 'on' }),
    ]);
    created.push(production, drifted, faithful, flooded);
    const [prodDb, driftDb, sameDb] = await Promise.all([
      shopDatabase('pc_prod', 2000),
      shopDatabase('pc_drift', 1000, 'drop index orders_status_idx'),
      shopDatabase('pc_same', 2000),
    ]);
    databases = { production: prodDb, drifted: driftDb, faithful: sameDb };
    productionDb = await productionDatabaseSecret(prodDb);
    created.push(productionDb.namespace);
    // What an admin grants: Secrets of production (compared by keyed hash) and of the teams' namespaces (their staging databases).
    for (const namespace of [production, drifted, faithful, flooded]) await grantSecretRead(namespace);
    await Promise.all([createSecret(drifted, 'db', { url: driftDb }), createSecret(faithful, 'db', { url: sameDb })]);
    [prometheus, emptyPrometheus] = await Promise.all([
      startPrometheus({ series: recordedLatency([production, drifted, faithful], drifted) }),
      startPrometheus(),
    ]);
    await applyBaseline(baselines.shop, baselineSpec(prometheus.url));
    await applyBaseline(baselines.quiet, baselineSpec(emptyPrometheus.url));
    manager = await startOperator([drifted, faithful, flooded]);
  });

  afterAll(async () => {
    await manager?.stop();
    await Promise.all([prometheus?.stop(), emptyPrometheus?.stop()]);
    await deleteBaselines(Object.values(baselines));
    created.forEach(deleteNamespace);
  });

  function spec(
    database: { name: string; key: string } = { name: 'db', key: 'url' },
    baseline = baselines.shop,
  ): ParityCheckSpecInput {
    return {
      baselineRef: { name: baseline },
      categories: {
        // The staging database's own Secret lives in staging, not in production.
        configuration: { exclude: ['Secret/db', 'Secret/broken'] },
        schema: { staging: { connectionSecretRef: database }, production: { database: 'shop' } },
        data: {},
        behaviour: {
          queries: [{ name: 'p95-latency', query: P95, services: ['catalog', 'checkout'], direction: 'HigherIsWorse' }],
        },
      },
    };
  }

  async function metrics(): Promise<string> {
    return (await fetch(`${manager.metricsUrl}/metrics`)).text();
  }

  it('reports injected drift in every category with Ready=True, so kubectl wait returns 0, and holds no connection afterwards', async () => {
    await createCheck(drifted, 'drifted', spec());
    const check = await waitForStatus(drifted, 'drifted', isTrue('Ready'), 'the drifted check to run');
    const wait = await kubectlAsync([
      'wait',
      '-n',
      drifted,
      '--for=condition=Ready',
      'paritycheck/drifted',
      '--timeout=30s',
    ]);
    expect(wait).toMatchObject({ code: 0 });

    expect(conditionOf(check, 'InParity')).toMatchObject({ status: 'False', reason: 'Drifted' });
    for (const type of ['ConfigDrifted', 'SchemaDrifted', 'DataDrifted', 'BehaviourDrifted'])
      expect(conditionOf(check, type)).toMatchObject({ status: 'True', reason: 'DriftFound' });
    expect(conditionOf(check, 'Stalled')).toBeUndefined();
    expect(check.status?.observedGeneration).toBe(check.metadata?.generation);
    expect(conditionOf(check, 'Ready')?.observedGeneration).toBe(check.metadata?.generation);
    expect(check.status?.findings?.map((f) => [f.category, f.resource, f.path, f.severity]).sort()).toEqual(
      [
        ['behaviour', 'Query/p95-latency/checkout', 'median', 'warning'],
        ['configuration', 'Deployment/checkout', 'spec.template.spec.containers[app].env[LOG_LEVEL]', 'warning'],
        ['data', 'Table/public.customers', 'rows', 'warning'],
        ['data', 'Table/public.orders', 'rows', 'warning'],
        ['schema', 'Table/public.orders', 'indexes[orders_status_idx]', 'warning'],
      ].sort(),
    );
    const env = check.status?.findings?.find((f) => f.category === 'configuration');
    expect(env).toMatchObject({
      staging: 'debug',
      production: 'info',
      expected: false,
      firstSeen: check.status?.lastCheckedAt,
    });
    expect(check.status?.summary).toMatchObject({ verdict: 'Drifted', warning: 5, critical: 0, total: 5, score: 75 });

    // Sources live for one run: no database session and no socket to Prometheus outlives it.
    expect(await connectionsTo([databases.production, databases.drifted])).toBe(0);
    await eventually(() => establishedOnPort(prometheus.port) === 0, {
      what: 'no open connection to Prometheus',
      timeoutMs: 1_000,
      intervalMs: 50,
    });
  });

  it('finds nothing between production and a faithful copy: InParity=True', async () => {
    await createCheck(faithful, 'faithful', spec());
    const check = await waitForStatus(faithful, 'faithful', isTrue('Ready'), 'the faithful check to run');
    expect(check.status?.findings).toEqual([]);
    expect(conditionOf(check, 'InParity')).toMatchObject({ status: 'True', reason: 'InParity' });
    for (const type of ['ConfigDrifted', 'SchemaDrifted', 'DataDrifted', 'BehaviourDrifted'])
      expect(conditionOf(check, type)).toMatchObject({ status: 'False', reason: 'NoDrift' });
    expect(check.status?.summary).toMatchObject({ verdict: 'InParity', score: 100, total: 0, inconclusive: 0 });
  });

  it('keeps at most 20 findings in status while the summary counts them all', async () => {
    await createCheck(flooded, 'flooded', { baselineRef: { name: baselines.shop } });
    const check = await waitForStatus(flooded, 'flooded', isTrue('Ready'), 'the flooded check to run');
    expect(check.status?.summary).toMatchObject({ verdict: 'Drifted', warning: 30, total: 30 });
    expect(check.status?.findings).toHaveLength(20);
    expect(new Set(check.status?.findings?.map((f) => f.resource))).toEqual(new Set(['ConfigMap/flags']));
  });

  it('gives InParity=Unknown, never True, on an empty Prometheus, and still Ready', async () => {
    await createCheck(faithful, 'no-data', {
      baselineRef: { name: baselines.quiet },
      categories: {
        configuration: { enabled: false },
        behaviour: { queries: [{ name: 'p95-latency', query: P95, services: ['catalog', 'checkout'] }] },
      },
    });
    const check = await waitForStatus(faithful, 'no-data', isTrue('Ready'), 'the check on an empty Prometheus to run');
    expect(conditionOf(check, 'InParity')).toMatchObject({ status: 'Unknown', reason: 'Inconclusive' });
    expect(conditionOf(check, 'BehaviourDrifted')).toMatchObject({ status: 'Unknown', reason: 'InsufficientData' });
    expect(check.status?.summary).toMatchObject({ verdict: 'Inconclusive', inconclusive: 2, total: 0 });
  });

  it('refuses a staging database URL that would have the operator read its own files, naming the field', async () => {
    const token = '/var/run/secrets/kubernetes.io/serviceaccount/token';
    const url = new URL(databases.faithful);
    url.searchParams.set('sslmode', 'require');
    url.searchParams.set('sslrootcert', token);
    await createSecret(faithful, 'hostile', { url: url.toString() });
    await createCheck(faithful, 'hostile', spec({ name: 'hostile', key: 'url' }));
    const stalled = await waitForStatus(faithful, 'hostile', isTrue('Stalled'), 'the hostile check to stall');
    expect(conditionOf(stalled, 'Stalled')?.message).toContain(
      'spec.categories.schema.staging.connectionSecretRef: parameter sslrootcert is not allowed',
    );
    expect(conditionOf(stalled, 'SchemaDrifted')).toMatchObject({ status: 'Unknown' });
    expect(conditionOf(stalled, 'InParity')).toMatchObject({ status: 'Unknown' });
  });

  it('reports an unreachable database and Prometheus as Stalled, keeps reconciling other checks, and recovers once they answer', async () => {
    const closed = `127.0.0.1:${await freePort()}`;
    await createSecret(faithful, 'broken', { url: `postgresql://postgres@${closed}/shop` });
    await applyBaseline(baselines.down, baselineSpec(`http://${closed}`));
    await createCheck(faithful, 'unreachable', spec({ name: 'broken', key: 'url' }, baselines.down));
    const stalled = await waitForStatus(faithful, 'unreachable', isTrue('Stalled'), 'the unreachable check to stall');
    expect(conditionOf(stalled, 'Stalled')).toMatchObject({
      reason: 'SourceUnavailable',
      message: expect.stringContaining(`cannot connect to the staging database ${closed}/shop`),
    });
    expect(conditionOf(stalled, 'Stalled')?.message).toContain(
      `cannot reach Prometheus at http://${closed}: ECONNREFUSED`,
    );
    expect(conditionOf(stalled, 'Ready')).toMatchObject({ status: 'False', reason: 'SourceUnavailable' });
    expect(conditionOf(stalled, 'InParity')).toMatchObject({ status: 'Unknown' });
    // The categories whose sources answered still report.
    expect(conditionOf(stalled, 'ConfigDrifted')).toMatchObject({ status: 'False', reason: 'NoDrift' });
    expect(conditionOf(stalled, 'SchemaDrifted')).toMatchObject({ status: 'Unknown', reason: 'SourceUnavailable' });
    expect(JSON.stringify(stalled.status)).not.toContain('postgres@');

    // Behaviour is off: with the Baseline's Prometheus, the default queries would find no series for this copy and say Inconclusive.
    await createCheck(faithful, 'afterwards', {
      baselineRef: { name: baselines.shop },
      categories: { behaviour: { enabled: false } },
    });
    expect(
      conditionOf(
        await waitForStatus(faithful, 'afterwards', isTrue('Ready'), 'a check created after the stall to run'),
        'InParity',
      ),
    ).toMatchObject({ status: 'True' });

    // Secrets are not watched: the retry (10 s after the first failure) picks up the repaired Secret and Baseline.
    await createSecret(faithful, 'broken', { url: databases.faithful });
    await applyBaseline(baselines.down, baselineSpec(prometheus.url));
    const recovered = await waitForStatus(
      faithful,
      'unreachable',
      isTrue('Ready'),
      'the repaired check to run',
      40_000,
    );
    expect(conditionOf(recovered, 'Stalled')).toBeUndefined();
    expect(conditionOf(recovered, 'InParity')).toMatchObject({ status: 'True' });
    const reasons = (await eventsAbout(recovered)).map((e) => e.reason).sort();
    // Two transitions, two Events each: Stalled and Inconclusive going in, Recovered and InParity coming out; the retries in between said nothing.
    expect(reasons).toEqual(['Inconclusive', 'InParity', 'Recovered', 'Stalled'].sort());
  });

  it('refuses a spec the schema cannot catch with Stalled/InvalidSpec naming the field, and runs once it is fixed', async () => {
    await createCheck(faithful, 'invalid', { baselineRef: { name: baselines.shop }, interval: '0s' });
    const refused = await waitForStatus(faithful, 'invalid', isTrue('Stalled'), 'the invalid check to be refused');
    expect(conditionOf(refused, 'Stalled')).toMatchObject({
      reason: 'InvalidSpec',
      message: 'spec.interval: must be at least 1s; got 0s',
    });
    expect(conditionOf(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(refused.status?.lastCheckedAt).toBeUndefined();

    const ref = { apiVersion: 'understudy.dev/v1alpha1', kind: 'ParityCheck', namespace: faithful, name: 'invalid' };
    await admin.mergePatch(ref, { spec: { interval: '500ms' } });
    const stillRefused = await waitForStatus(
      faithful,
      'invalid',
      (c) => /500ms/.test(conditionOf(c, 'Stalled')?.message ?? ''),
      'the second refusal',
    );
    expect(conditionOf(stillRefused, 'Stalled')?.message).toBe('spec.interval: must be at least 1s; got 500ms');

    await admin.mergePatch(ref, { spec: { interval: null } });
    const fixed = await waitForStatus(faithful, 'invalid', isTrue('Ready'), 'the fixed check to run');
    expect(conditionOf(fixed, 'Stalled')).toBeUndefined();
    expect(fixed.status?.observedGeneration).toBe(fixed.metadata?.generation);
    const events = await eventsAbout(fixed);
    expect(
      events
        .filter((e) => e.reason === 'InvalidSpec')
        .map((e) => e.note)
        .sort(),
    ).toEqual(['spec.interval: must be at least 1s; got 0s', 'spec.interval: must be at least 1s; got 500ms']);
    expect(manager.isLeader()).toBe(true);
  });

  it("never shows InParity for a check that compared nothing or ignores everything, not even an earlier run's", async () => {
    const ref = { apiVersion: 'understudy.dev/v1alpha1', kind: 'ParityCheck', namespace: faithful, name: 'selected' };
    const only = (app: string): ParityCheckSpecInput => ({
      baselineRef: { name: baselines.shop },
      categories: { configuration: { selector: { matchLabels: { app } } }, behaviour: { enabled: false } },
    });
    await createCheck(faithful, 'selected', only('chekout'));
    const typo = await waitForStatus(faithful, 'selected', isTrue('Ready'), 'the check selecting nothing to run');
    expect(conditionOf(typo, 'InParity')).toMatchObject({ status: 'Unknown', reason: 'Inconclusive' });
    expect(conditionOf(typo, 'ConfigDrifted')?.message).toMatch(/has no object selected by .*selector/);
    expect(typo.status?.summary?.verdict).toBe('Inconclusive');

    await admin.mergePatch(ref, { spec: only('checkout') });
    const fixed = await waitForStatus(
      faithful,
      'selected',
      (c) => c.status?.observedGeneration === c.metadata?.generation && isTrue('InParity')(c),
      'the check selecting checkout to be in parity',
    );
    expect(fixed.status?.summary?.verdict).toBe('InParity');

    await admin.mergePatch(ref, { spec: { ignore: [{ path: '**', reason: 'too noisy' }] } });
    const refused = await waitForStatus(faithful, 'selected', isTrue('Stalled'), 'the ignore-everything check');
    expect(conditionOf(refused, 'Stalled')).toMatchObject({
      reason: 'InvalidSpec',
      message: expect.stringContaining('spec.ignore[0]'),
    });
    expect(conditionOf(refused, 'InParity')).toMatchObject({ status: 'Unknown' });
    // The Verdict column reads status.summary.verdict: the earlier InParity must not stay there.
    expect(refused.status?.summary).toBeUndefined();
  });

  it('exports understudy_parity_findings{category,severity} per check on /metrics, and forgets a deleted check', async () => {
    await waitForStatus(drifted, 'drifted', isTrue('Ready'), 'the drifted check');
    const text = await metrics();
    const value = (namespace: string, name: string, category: string, severity: string) =>
      metricValue(text, 'understudy_parity_findings', { namespace, name, category, severity });
    expect(value(drifted, 'drifted', 'configuration', 'warning')).toBe(1);
    expect(value(drifted, 'drifted', 'schema', 'warning')).toBe(1);
    expect(value(drifted, 'drifted', 'data', 'warning')).toBe(2);
    expect(value(drifted, 'drifted', 'behaviour', 'warning')).toBe(1);
    expect(value(drifted, 'drifted', 'configuration', 'critical')).toBe(0);
    expect(value(faithful, 'faithful', 'configuration', 'warning')).toBe(0);
    expect(text).toContain('# TYPE understudy_parity_findings gauge');
    const verdict = (namespace: string, name: string, v: string) =>
      metricValue(text, 'understudy_parity_verdict', { namespace, name, verdict: v });
    expect([verdict(drifted, 'drifted', 'Drifted'), verdict(drifted, 'drifted', 'InParity')]).toEqual([1, 0]);
    expect([verdict(faithful, 'faithful', 'InParity'), verdict(faithful, 'faithful', 'Drifted')]).toEqual([1, 0]);

    await admin.delete({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'ParityCheck',
      namespace: drifted,
      name: 'drifted',
    });
    await eventually(
      async () =>
        metricValue(await metrics(), 'understudy_parity_findings', { namespace: drifted, name: 'drifted' }) ===
        undefined,
      { what: "the deleted check's series to go" },
    );
    expect(
      metricValue(await metrics(), 'understudy_parity_verdict', { namespace: drifted, name: 'drifted' }),
    ).toBeUndefined();
    expect(
      metricValue(await metrics(), 'understudy_parity_findings', {
        namespace: faithful,
        name: 'faithful',
        category: 'schema',
        severity: 'warning',
      }),
    ).toBe(0);
  });
});
