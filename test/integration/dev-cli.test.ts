import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { serviceName, syntheticBaseline } from '../../bench/environment-baseline';
import { type DevIo, EXIT, runDevDown, runDevUp, runDevWait } from '../../operator/commands/dev';
import type { Manager } from '../../operator/runtime/manager';
import { createNamespace, deleteNamespace } from '../support/kube';
import {
  admin,
  applyBaseline,
  applyObjects,
  condition,
  deleteBaseline,
  getEnvironment,
  getObject,
  namespaceExists,
  startPreviews,
  stopPreviews,
  type Obj,
} from './stagingenvironment-fixtures';

jest.setTimeout(180_000);

// `understudy dev up|down` against the real control plane and the controller:
// what a developer or a CI job sees from one command, and what it leaves.

const id = randomBytes(3).toString('hex');
/** The production namespace, and the Baseline (no prefix) that allows the previews namespace to copy it. */
const baseline = `dev-${id}`;
const CLI = resolve(__dirname, '../../bin/understudy.js');
let previews: string;
let manager: Manager | undefined;

function capture(): DevIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

const imageOf = async (namespace: string, name: string): Promise<string | undefined> => {
  const deployment = await getObject('apps/v1', 'Deployment', namespace, name);
  return (deployment?.spec as { template: { spec: { containers: Array<{ image: string }> } } } | undefined)?.template
    .spec.containers[0]?.image;
};

beforeAll(async () => {
  applyObjects([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: baseline } },
    ...syntheticBaseline(baseline, 3),
  ]);
  ({ previews, manager } = await startPreviews());
  applyBaseline(baseline, [previews], { source: { namespace: baseline } });
});

afterAll(async () => {
  await stopPreviews(previews, manager, baseline);
  deleteBaseline(baseline);
});

describe('understudy dev', () => {
  /** Derived by the Baseline's rule: <environment namespace>-<name>. */
  const target = (): string => `${previews}-pr-1`;
  const override = 'registry.example.com/bench/svc-01:pr-1';

  it('up creates the environment, shows progress, and prints where it lives once Ready', async () => {
    const io = capture();
    const code = await runDevUp(
      'pr-1',
      { namespace: previews, baseline, image: [`${serviceName(1)}=${override}`], ttl: '2h', timeout: '2m' },
      io,
    );
    expect({ code, stderr: io.stderr() }).toMatchObject({ code: EXIT.ok });
    expect(io.stderr()).toMatch(new RegExp(`^applied stagingenvironment ${previews}/pr-1 \\(generation 1\\)$`, 'm'));
    expect(io.stderr()).toMatch(/^\[\s*\d+s\] /m);
    expect(io.stdout()).toContain(`environment ${previews}/pr-1 is Ready in namespace ${target()}`);
    expect(io.stdout()).toContain('services ready: 3/3');
    expect(io.stdout()).toContain(`  ${serviceName(1)}  1/1  ${override}`);
    expect(io.stdout()).toMatch(/^expires: \d{4}-\d\d-\d\dT/m);
    expect(await imageOf(target(), serviceName(1))).toBe(override);
    expect(await imageOf(target(), serviceName(0))).toBe(`registry.example.com/bench/${serviceName(0)}:1.0.0`);
    const env = await getEnvironment('pr-1', previews);
    expect(condition(env, 'Ready')?.status).toBe('True');
    expect(env?.metadata.managedFields?.map((f) => f.manager)).toContain('understudy-dev');
  });

  it('up again without the flag drops the override, and waits for the new generation rather than the old Ready', async () => {
    const io = capture();
    const code = await runDevUp('pr-1', { namespace: previews, baseline, ttl: '2h', timeout: '2m' }, io);
    expect({ code, stderr: io.stderr() }).toMatchObject({ code: EXIT.ok });
    expect(io.stderr()).toContain('(generation 2)');
    const env = await getEnvironment('pr-1', previews);
    expect(env?.spec.services).toBeUndefined();
    expect(env?.status?.observedGeneration).toBe(2);
    expect(await imageOf(target(), serviceName(1))).toBe(`registry.example.com/bench/${serviceName(1)}:1.0.0`);
  });

  it('wait follows an environment applied some other way, and fails at once on one that does not exist', async () => {
    const io = capture();
    expect(await runDevWait('pr-1', { namespace: previews, timeout: '1m' }, io)).toBe(EXIT.ok);
    expect(io.stdout()).toContain(`environment ${previews}/pr-1 is Ready in namespace ${target()}`);
    const missing = capture();
    expect(await runDevWait('pr-none', { namespace: previews, timeout: '1m' }, missing)).toBe(EXIT.failed);
    expect(missing.stderr()).toBe(
      `stagingenvironment ${previews}/pr-none does not exist (or was deleted while waiting)\n`,
    );
  });

  it('times out with exit 2, saying what it last saw, and asks whether the operator watches the namespace', async () => {
    const unwatched = createNamespace('dev-unwatched');
    try {
      const io = capture();
      const code = await runDevUp('orphan', { namespace: unwatched, baseline, timeout: '17s', output: 'json' }, io);
      expect({ code, stderr: io.stderr() }).toMatchObject({ code: EXIT.error });
      expect(io.stderr()).toContain(`is the operator running and watching namespace ${unwatched}?`);
      expect(io.stderr()).toMatch(
        new RegExp(
          `^timed out after 17s waiting for ${unwatched}/orphan; last: waiting for the operator to observe generation 1`,
          'm',
        ),
      );
      expect(JSON.parse(io.stdout())).toEqual({ outcome: 'timeout', namespace: unwatched, name: 'orphan' });
    } finally {
      deleteNamespace(unwatched);
    }
  });

  it('will not take fields another manager owns without --force', async () => {
    await admin().apply(
      {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'StagingEnvironment',
        metadata: { name: 'gitops', namespace: previews },
        spec: { baselineRef: { name: baseline }, ttl: '1h' },
      } as never,
      { fieldManager: 'argocd-controller' },
    );
    const refused = capture();
    expect(await runDevUp('gitops', { namespace: previews, baseline, ttl: '2h', wait: false }, refused)).toBe(
      EXIT.error,
    );
    expect(refused.stderr()).toMatch(/conflict/i);
    expect(refused.stderr()).toContain('rerun with --force to take them over');
    expect((await getEnvironment('gitops', previews))?.spec.ttl).toBe('1h');
    const forced = capture();
    expect(
      await runDevUp('gitops', { namespace: previews, baseline, ttl: '2h', wait: false, force: true }, forced),
    ).toBe(EXIT.ok);
    expect((await getEnvironment('gitops', previews))?.spec.ttl).toBe('2h');
    expect(await runDevDown('gitops', { namespace: previews, timeout: '2m' }, capture())).toBe(EXIT.ok);
  });

  it('refuses a bad flag before writing anything, naming the field and the flag', async () => {
    const io = capture();
    const code = await runDevUp('pr-bad', { namespace: previews, baseline, replicas: '0' }, io);
    expect(code).toBe(EXIT.error);
    expect(io.stderr()).toMatch(/^understudy dev up: spec\.scale\.replicas \(--replicas\): /m);
    expect(await getEnvironment('pr-bad', previews)).toBeUndefined();
    // A manifest written before Baselines: the API server would drop targetNamespace silently, the CLI refuses it.
    const path = join(mkdtempSync(join(tmpdir(), 'dev-cli-')), 'old.yaml');
    writeFileSync(
      path,
      JSON.stringify({
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'StagingEnvironment',
        metadata: { name: 'pr-bad' },
        spec: { baselineRef: { name: baseline }, targetNamespace: 'kube-system' },
      }),
    );
    const old = capture();
    expect(await runDevUp('pr-bad', { namespace: previews, file: path }, old)).toBe(EXIT.error);
    expect(old.stderr()).toMatch(
      /^understudy dev up: spec\.targetNamespace \(--file\) is no longer part of a StagingEnvironment: the target namespace is derived, /m,
    );
    expect(await getEnvironment('pr-bad', previews)).toBeUndefined();
  });

  it("the installed command exits 1 with the operator's reason when the environment stalls, and JSON on request", async () => {
    const run = promisify(execFile);
    const failed = await run(
      'node',
      [
        CLI,
        'dev',
        'up',
        'pr-nobase',
        '-n',
        previews,
        '--baseline',
        `missing-${id}`,
        '--timeout',
        '1m',
        '--output',
        'json',
      ],
      { env: process.env },
    ).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect('code' in failed ? failed.code : 0).toBe(EXIT.failed);
    const result = JSON.parse(failed.stdout) as { outcome: string; message: string; status: { phase: string } };
    expect(result.outcome).toBe('stalled');
    expect(result.message).toBe(
      `Stalled (BaselineNotFound): spec.baselineRef.name: Baseline missing-${id} does not exist`,
    );
    expect(result.status.phase).toBe('Failed');
    expect(failed.stderr).toContain(`applied stagingenvironment ${previews}/pr-nobase`);
    await runDevDown('pr-nobase', { namespace: previews, timeout: '1m' }, capture());
  });

  it('the installed command exits 2 on a usage error or an unknown --context, before talking to the cluster', async () => {
    const run = (args: string[]) =>
      promisify(execFile)('node', [CLI, ...args], { env: process.env }).then(
        (r) => ({ code: 0, ...r }),
        (err: { code: number; stdout: string; stderr: string }) => err,
      );
    expect(await run(['dev', 'wait', 'pr-1', '-n', previews, '-o', 'xml'])).toMatchObject({
      code: EXIT.error,
      stderr: expect.stringContaining("argument 'xml' is invalid. Allowed choices are text, wide, json, yaml."),
    });
    expect(await run(['dev', 'wait'])).toMatchObject({
      code: EXIT.error,
      stderr: expect.stringContaining("missing required argument 'name'"),
    });
    expect(await run(['dev', 'wait', 'pr-1', '-n', previews, '--context', 'nope'])).toMatchObject({
      code: EXIT.error,
      stderr: expect.stringContaining('--context nope: no such context in the kubeconfig'),
    });
    expect(await run(['dev'])).toMatchObject({ code: EXIT.error });
  });

  it('--wait-for-tests waits for the tests Jobs from a manifest file, and exits 1 naming the test that failed', async () => {
    const job = (extra: Record<string, unknown> = {}, pod: Record<string, unknown> = {}) => ({
      backoffLimit: 0,
      ...extra,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'test', image: 'registry.example.com/shop/smoke:1' }],
          ...pod,
        },
      },
    });
    const file = (tests: unknown[]) => {
      const path = join(mkdtempSync(join(tmpdir(), 'dev-cli-')), 'environment.yaml');
      const manifest = {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'StagingEnvironment',
        metadata: { name: 'from-file', namespace: previews, labels: { team: 'checkout' } },
        spec: { baselineRef: { name: baseline }, tests },
      };
      writeFileSync(path, JSON.stringify(manifest));
      return path;
    };
    const passing = capture();
    const passed = await runDevUp(
      'pr-tests',
      { file: file([{ name: 'smoke', template: job() }]), waitForTests: true, timeout: '2m' },
      passing,
    );
    expect({ passed, stderr: passing.stderr() }).toMatchObject({ passed: EXIT.ok });
    expect(passing.stderr()).toMatch(/1\/1 tests passed$/m);
    const env = await getEnvironment('pr-tests', previews);
    expect(env?.metadata.labels?.team).toBe('checkout');
    expect(env?.status?.tests).toMatchObject({ total: 1, succeeded: 1 });

    // A test whose pod is never scheduled hits its deadline: the Job fails, so does the command.
    const broken = {
      name: 'broken',
      template: job({ activeDeadlineSeconds: 3 }, { schedulingGates: [{ name: 'example.com/never' }] }),
    };
    const failing = capture();
    const failed = await runDevUp(
      'pr-tests',
      { file: file([{ name: 'smoke', template: job() }, broken]), waitForTests: true, timeout: '2m' },
      failing,
    );
    expect({ failed, stderr: failing.stderr() }).toMatchObject({ failed: EXIT.failed });
    expect(failing.stderr()).toMatch(/^TestsPassed False \(Failed\): 1\/2 tests failed: broken/m);
    expect(await runDevDown('pr-tests', { namespace: previews, timeout: '2m' }, capture())).toBe(EXIT.ok);
  });

  it('down deletes the environment and waits until its namespace is gone; a second down has nothing to do', async () => {
    expect(await namespaceExists(target())).toBe(true);
    const io = capture();
    const code = await runDevDown('pr-1', { namespace: previews, timeout: '2m' }, io);
    expect({ code, stderr: io.stderr() }).toMatchObject({ code: EXIT.ok });
    expect(io.stdout()).toBe(`stagingenvironment ${previews}/pr-1 deleted, namespace ${target()} with it\n`);
    expect(await getEnvironment('pr-1', previews)).toBeUndefined();
    expect(await namespaceExists(target())).toBe(false);

    const again = capture();
    expect(await runDevDown('pr-1', { namespace: previews }, again)).toBe(EXIT.ok);
    expect(again.stderr()).toBe(`stagingenvironment ${previews}/pr-1 is already gone\n`);
    expect(
      (await admin().list<Obj>('understudy.dev/v1alpha1', 'StagingEnvironment', { namespace: previews })).items,
    ).toEqual([]);
  });
});
