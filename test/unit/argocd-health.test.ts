import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import type { Finding, Severity } from '../../operator/api/paritycheck';
import {
  failedStatus,
  invalidSpecStatus,
  pendingStatus,
  runningStatus,
  succeededStatus,
} from '../../operator/controllers/dataseed/status';
import {
  finishedStatus,
  stalledStatus as loadStalledStatus,
  waitingStatus as loadWaitingStatus,
} from '../../operator/controllers/loadtest/status';
import type { LoadReport } from '../../operator/load/report';
import {
  environmentStatus,
  stalledStatus,
  type Observation,
} from '../../operator/controllers/stagingenvironment/status';
import { nextConditions } from '../../operator/parity/conditions';
import type { CategoryOutcome } from '../../operator/parity/finding';
import { conditionsFor } from '../../operator/parity/outcome';
import { summarise } from '../../operator/parity/verdict';
import { setCondition, setStalled } from '../../operator/runtime/conditions';
import { testTool } from '../support/tools';
import { EXPECTED_HEALTH } from './argocd-health.expected';

// Argo CD runs resource health scripts in gopher-lua (Lua 5.1) with only the
// base and table libraries open. test/lua-harness is that runtime: each
// script below runs there, against statuses made by the operator's own status
// functions and against every status recorded in test/fixtures/argocd-statuses/.

const root = resolve(__dirname, '../..');
const dir = resolve(root, 'examples/argocd');
const KINDS = {
  StagingEnvironment: 'stagingenvironment',
  DataSeed: 'dataseed',
  ParityCheck: 'paritycheck',
  LoadTest: 'loadtest',
  Baseline: 'baseline',
} as const;
type Kind = keyof typeof KINDS;
const scriptPath = (kind: Kind) => resolve(dir, 'health', `${KINDS[kind]}.lua`);

interface Health {
  status: string;
  message?: string;
  error?: string;
}

function runScript(script: string, objects: unknown[]): Health[] {
  const out = execFileSync(testTool('lua-health'), ['-batch', script], {
    input: objects.map((o) => JSON.stringify(o)).join('\n') + '\n',
    encoding: 'utf8',
  });
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Health);
}

function health(kind: Kind, object: unknown): Health {
  const [result] = runScript(scriptPath(kind), [object]);
  if (!result || result.error) throw new Error(`${kind} health script failed in gopher-lua: ${result?.error}`);
  return result;
}

const T0 = new Date('2026-01-01T00:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const object = (kind: Kind, generation: number, status: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind,
  metadata: { name: 'pr-1234', namespace: 'previews', generation, ...((extra.metadata as object) ?? {}) },
  ...(extra.spec ? { spec: extra.spec } : {}),
  ...(status === undefined ? {} : { status }),
});

describe('Argo CD health scripts', () => {
  // The first run builds the Go tools (about 20 s); later runs find them cached.
  beforeAll(() => void testTool('lua-health'), 10 * 60_000);

  it('are embedded unchanged, one per kind, in the argocd-cm patch', () => {
    const patch = parse(readFileSync(resolve(dir, 'argocd-cm-patch.yaml'), 'utf8')) as { data: Record<string, string> };
    expect(Object.keys(patch.data).sort()).toEqual(
      Object.keys(KINDS)
        .map((k) => `resource.customizations.health.understudy.dev_${k}`)
        .sort(),
    );
    for (const kind of Object.keys(KINDS) as Kind[]) {
      expect(patch.data[`resource.customizations.health.understudy.dev_${kind}`]).toBe(
        readFileSync(scriptPath(kind), 'utf8'),
      );
    }
  });

  it("run in a runtime as narrow as Argo CD's: Lua 5.1, no string library, health codes only", () => {
    const probe = runScriptText;
    expect(probe('return {status = _VERSION}')).toEqual({ status: '', error: expect.stringContaining('Lua 5.1') });
    expect(probe('return {status = string.upper("healthy")}').error).toMatch(/string/);
    expect(probe('return {status = "Green"}').error).toMatch(/not an Argo CD health status/);
    expect(probe('return {status = "Healthy", message = obj.status.note}')).toEqual({ status: 'Healthy' });
  });

  describe('StagingEnvironment', () => {
    const service = (name: string, ready: boolean) => ({
      name,
      kind: 'Deployment',
      mode: 'copy' as const,
      replicas: 1,
      readyReplicas: ready ? 1 : 0,
      ready,
    });
    const observe = (o: Partial<Observation>): Observation => ({
      generation: 1,
      createdAt: T0,
      now: later(30),
      previous: undefined,
      targetNamespace: 'shop-previews-pr-1234',
      suspended: false,
      provisioned: true,
      appliedObjects: 12,
      baselineRevision: 'sha256:0123456789abcdef',
      services: [service('checkout', true), service('cart', true)],
      urls: [],
      seeds: { total: 0, succeeded: [], failed: [], pending: [] },
      ...o,
    });
    const ready = environmentStatus(observe({}));
    const env = (generation: number, status: unknown, extra?: Record<string, unknown>) =>
      health('StagingEnvironment', object('StagingEnvironment', generation, status, extra));

    it('waits for the operator: no status, or a status of an older generation', () => {
      expect(env(1, undefined)).toEqual({ status: 'Progressing', message: 'Waiting for the Understudy operator' });
      expect(env(2, ready)).toEqual({
        status: 'Progressing',
        message: 'Waiting for the operator to observe generation 2',
      });
    });

    it('is Healthy once Ready, Progressing while provisioning or waiting for services', () => {
      expect(env(1, ready)).toEqual({
        status: 'Healthy',
        message: '2/2 services ready in namespace shop-previews-pr-1234',
      });
      expect(
        env(1, environmentStatus(observe({ provisioned: false, provisioningMessage: 'applying 12 objects' }))).status,
      ).toBe('Progressing');
      expect(
        env(1, environmentStatus(observe({ services: [service('checkout', false), service('cart', true)] }))),
      ).toEqual({ status: 'Progressing', message: '1/2 services ready; waiting for checkout' });
    });

    it('an image update after Ready is Progressing, never Degraded, whatever the phase says', () => {
      const updating = environmentStatus(
        observe({
          generation: 2,
          previous: ready,
          now: later(600),
          provisioned: false,
          provisioningMessage: 'applying 1 changed object',
        }),
      );
      expect(env(2, updating).status).toBe('Progressing');
      // The phase an older operator wrote for the same state: Reconciling decides, not the phase.
      expect(env(2, { ...updating, phase: 'Degraded' }).status).toBe('Progressing');
      const rollingOut = environmentStatus(
        observe({
          generation: 2,
          previous: updating,
          now: later(610),
          services: [service('checkout', false), service('cart', true)],
        }),
      );
      expect(env(2, rollingOut)).toEqual({
        status: 'Progressing',
        message: '1/2 services ready; waiting for checkout',
      });
      expect(env(2, environmentStatus(observe({ generation: 2, previous: rollingOut, now: later(640) }))).status).toBe(
        'Healthy',
      );
    });

    it("is Degraded when Stalled (refused by its Baseline, a failed seed), with the operator's reason", () => {
      const stalled = stalledStatus(ready, {
        generation: 1,
        now: later(60),
        reason: 'ExceedsBaseline',
        message: "spec.scale.replicas: 0.5 is above the Baseline's maxReplicas 0.25",
      });
      expect(env(1, stalled)).toEqual({
        status: 'Degraded',
        message: "spec.scale.replicas: 0.5 is above the Baseline's maxReplicas 0.25",
      });
      const seedFailed = environmentStatus(
        observe({
          seeds: {
            total: 1,
            succeeded: [],
            failed: [{ name: 'orders', message: 'column users.email has no rule' }],
            pending: [],
          },
        }),
      );
      expect(env(1, seedFailed).status).toBe('Degraded');
    });

    it('tests decide once Ready: failed is Degraded, running is Progressing, passed is Healthy', () => {
      const tests = (t: Partial<NonNullable<Observation['tests']>>) =>
        environmentStatus(observe({ tests: { total: 2, succeeded: 0, failed: [], running: 0, waiting: 0, ...t } }));
      expect(env(1, tests({ succeeded: 1, failed: ['smoke'] }))).toEqual({
        status: 'Degraded',
        message: '1/2 tests failed: smoke',
      });
      expect(env(1, tests({ refused: [{ name: 'smoke', message: 'violates PodSecurity restricted' }] })).status).toBe(
        'Degraded',
      );
      expect(env(1, tests({ succeeded: 1, running: 1 }))).toEqual({
        status: 'Progressing',
        message: '1/2 tests passed, 1 running',
      });
      expect(env(1, tests({ succeeded: 2 })).status).toBe('Healthy');
    });

    it('a suspended environment is Suspended; one being deleted is Progressing', () => {
      expect(env(1, environmentStatus(observe({ suspended: true }))).status).toBe('Suspended');
      expect(env(1, ready, { metadata: { deletionTimestamp: '2026-01-01T01:00:00Z' } }).status).toBe('Progressing');
    });

    it('an expired environment kept under GitOps is Suspended, not Degraded or Missing: nothing for automated sync to re-create', () => {
      const message =
        'expired at 2026-01-04T00:00:00Z; the environment is torn down and this resource is kept (expiryPolicy Retain, from the Argo CD tracking label) until it is deleted';
      let conditions = setCondition(
        ready.conditions,
        { type: 'Ready', status: 'False', reason: 'Expired', message },
        later(90),
      );
      conditions = setCondition(
        conditions,
        { type: 'Expired', status: 'True', reason: 'TTLExpired', message },
        later(90),
      );
      const tearingDown = {
        ...ready,
        phase: 'Expired',
        conditions: setCondition(
          conditions,
          {
            type: 'Reconciling',
            status: 'True',
            reason: 'Expiring',
            message: 'deleting namespace shop-previews-pr-1234; waiting until it is gone',
          },
          later(90),
        ),
      };
      expect(env(1, tearingDown)).toEqual({
        status: 'Progressing',
        message: 'Expired, tearing down: deleting namespace shop-previews-pr-1234; waiting until it is gone',
      });
      expect(env(1, { ...ready, phase: 'Expired', conditions })).toEqual({
        status: 'Suspended',
        message: `Expired: ${message}`,
      });
      // Even were expiry reported as Stalled, the phase decides: expiry is by design, not a failure.
      expect(
        env(1, {
          ...ready,
          phase: 'Expired',
          conditions: setStalled(conditions, { reason: 'Expired', message }, later(90)),
        }).status,
      ).toBe('Suspended');
    });

    it('a Degraded phase with nothing in progress (kstatus Current but not Ready) is Degraded', () => {
      const degraded = {
        ...ready,
        phase: 'Degraded',
        conditions: setCondition(
          ready.conditions,
          {
            type: 'Ready',
            status: 'False',
            reason: 'WaitingForServices',
            message: '1/2 services ready; waiting for checkout',
          },
          later(90),
        ),
      };
      expect(env(1, degraded)).toEqual({ status: 'Degraded', message: '1/2 services ready; waiting for checkout' });
    });
  });

  describe('DataSeed', () => {
    const ctx = { previous: undefined, generation: 1, now: T0 };
    const seed = (status: unknown) => health('DataSeed', object('DataSeed', 1, status));

    it('is Progressing while queued or running, Healthy once seeded', () => {
      expect(seed(pendingStatus(ctx, 'waiting for a free slot'))).toEqual({
        status: 'Progressing',
        message: 'waiting for a free slot',
      });
      expect(seed(runningStatus(ctx, 'seeding 3 tables')).status).toBe('Progressing');
      expect(
        seed(succeededStatus(ctx, { totals: { rows: 1200, seconds: 2, rowsPerSecond: 600 }, tables: [] })),
      ).toEqual({ status: 'Healthy', message: 'seeded 1,200 rows into 0 tables in 2 s' });
    });

    it('is Degraded when a seed failed, even while the operator retries it', () => {
      expect(
        seed(
          failedStatus(ctx, {
            reason: 'ConnectionFailed',
            message: 'connection refused',
            next: 'retrying in 20s',
            retryAt: later(20),
          }),
        ),
      ).toEqual({ status: 'Degraded', message: 'connection refused (retrying in 20s)' });
      expect(seed(invalidSpecStatus(ctx, 'spec.tables[0].columns.email: no rule')).status).toBe('Degraded');
    });
  });

  describe('ParityCheck', () => {
    const finding = (severity: Severity, expected = false): Finding => ({
      id: `f-${severity}`,
      category: 'configuration',
      resource: 'Deployment/checkout',
      path: 'spec.replicas',
      staging: '1',
      production: '3',
      expected,
      severity,
      message: 'replicas differ',
      firstSeen: T0.toISOString(),
    });
    const outcome = (o: Partial<CategoryOutcome> = {}): CategoryOutcome => ({
      category: 'configuration',
      differences: [],
      inconclusive: [],
      ...o,
    });
    const parity = (findings: Finding[], outcomes: CategoryOutcome[], failOn: Severity) => {
      const summary = summarise(findings, outcomes, failOn, 0);
      const status = {
        observedGeneration: 1,
        summary,
        conditions: nextConditions(undefined, conditionsFor(outcomes, findings, summary, failOn), 1, T0),
      };
      return health(
        'ParityCheck',
        object('ParityCheck', 1, status, { spec: { baselineRef: { name: 'shop' }, failOn } }),
      );
    };

    it('is Healthy in parity, Degraded on drift at or above failOn', () => {
      expect(parity([], [outcome()], 'warning')).toEqual({
        status: 'Healthy',
        message: '0 critical, 0 warning, 0 info unexpected; 0 expected',
      });
      expect(parity([finding('warning')], [outcome()], 'warning')).toEqual({
        status: 'Degraded',
        message: 'Drift at or above warning: 0 critical, 1 warning, 0 info unexpected; 0 expected',
      });
      expect(parity([finding('critical')], [outcome()], 'critical').status).toBe('Degraded');
    });

    it('drift below failOn, or declared by the environment, stays Healthy', () => {
      expect(parity([finding('warning')], [outcome()], 'critical').status).toBe('Healthy');
      expect(parity([finding('critical', true)], [outcome()], 'info').status).toBe('Healthy');
    });

    it('Inconclusive is never a pass: Progressing, saying so', () => {
      const thin = outcome({
        category: 'behaviour',
        inconclusive: [
          { category: 'behaviour', resource: 'Query/p95-latency/checkout', path: '', reason: '3 samples, 10 needed' },
        ],
      });
      expect(parity([], [thin], 'warning')).toEqual({
        status: 'Progressing',
        message:
          'Inconclusive (never a pass): 1 comparison(s) without enough data; 0 critical, 0 warning, 0 info unexpected; 0 expected',
      });
    });

    it('a source it could not read (Stalled) is Degraded', () => {
      expect(
        parity([], [outcome({ category: 'behaviour', error: 'Prometheus: connect ECONNREFUSED' })], 'warning'),
      ).toEqual({ status: 'Degraded', message: 'behaviour: Prometheus: connect ECONNREFUSED' });
    });
  });

  describe('LoadTest', () => {
    const load = (status: unknown) => health('LoadTest', object('LoadTest', 1, status));
    const report = (passed: boolean): LoadReport => ({
      scenarios: [],
      passed,
      violations: passed
        ? []
        : [{ route: 'GET /cart', figure: 'p95', actual: 812, limit: 500, message: 'GET /cart: p95 812 ms > 500 ms' }],
    });

    it('is Progressing while it waits or runs, and Degraded when it cannot run', () => {
      expect(load(loadWaitingStatus(undefined, 1, 'Running', 'Running', 'sending 200 requests/s for 60s', T0))).toEqual(
        { status: 'Progressing', message: 'sending 200 requests/s for 60s' },
      );
      expect(
        load(
          loadStalledStatus(
            undefined,
            1,
            'ExceedsBaseline',
            'spec.scenarios[0].rate: 5000/s is above the Baseline limit 1000/s',
            T0,
          ),
        ),
      ).toEqual({ status: 'Degraded', message: 'spec.scenarios[0].rate: 5000/s is above the Baseline limit 1000/s' });
    });

    it('once run, is Healthy when every threshold held and Degraded naming the route and figure when one did not', () => {
      expect(load(finishedStatus(undefined, 1, report(true), {}, T0))).toEqual({
        status: 'Healthy',
        message: 'every threshold held over 0 routes',
      });
      expect(load(finishedStatus(undefined, 1, report(false), {}, T0))).toEqual({
        status: 'Degraded',
        message: 'GET /cart: p95 812 ms > 500 ms',
      });
    });
  });

  describe('Baseline', () => {
    const cond = (type: string, status: string, message: string) => ({
      type,
      status,
      reason: 'Test',
      message,
      lastTransitionTime: T0.toISOString(),
      observedGeneration: 1,
    });
    const baseline = (conditions: unknown[]) =>
      health('Baseline', object('Baseline', 1, { observedGeneration: 1, conditions }));

    it('is Healthy when the operator may read what it names, Degraded (Stalled) when not', () => {
      expect(baseline([cond('Ready', 'True', 'the operator may read the source and its Secrets')]).status).toBe(
        'Healthy',
      );
      expect(
        baseline([
          cond('Ready', 'False', 'no access'),
          cond('Stalled', 'True', 'the operator may not list secrets in namespace shop'),
        ]),
      ).toEqual({ status: 'Degraded', message: 'the operator may not list secrets in namespace shop' });
    });
  });
});

describe('Argo CD health of every status recorded in test/fixtures/argocd-statuses', () => {
  const fixtureDir = resolve(root, 'test/fixtures/argocd-statuses');
  const fixtures = existsSync(fixtureDir)
    ? readdirSync(fixtureDir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];

  it('has an expected health for every recorded status, and no expectation without its status', () => {
    expect(fixtures.filter((f) => !(f in EXPECTED_HEALTH))).toEqual([]);
    expect(Object.keys(EXPECTED_HEALTH).filter((f) => !fixtures.includes(f))).toEqual([]);
  });

  it.each(fixtures)('%s', (file) => {
    const recorded = JSON.parse(readFileSync(resolve(fixtureDir, file), 'utf8')) as { kind?: string };
    if (!recorded.kind || !(recorded.kind in KINDS))
      throw new Error(`${file}: kind must be one of ${Object.keys(KINDS).join(', ')}, not ${recorded.kind}`);
    const expected = EXPECTED_HEALTH[file];
    if (!expected) throw new Error(`${file}: no expected health in test/unit/argocd-health.expected.ts`);
    const result = health(recorded.kind as Kind, recorded);
    expect(result.status).toBe(expected.status);
    if (expected.message) expect(result.message).toMatch(expected.message);
  });
});

function runScriptText(source: string): Health {
  const file = join(mkdtempSync(join(tmpdir(), 'lua-probe-')), 'probe.lua');
  writeFileSync(file, source);
  const [result] = runScript(file, [{ metadata: { name: 'x' }, status: {} }]);
  return result!;
}
