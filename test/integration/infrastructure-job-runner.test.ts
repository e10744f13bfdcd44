import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syntheticBaseline } from '../../bench/environment-baseline';
import { RUN_LABEL, runLabelOf } from '../../operator/controllers/infrastructure/job-manifest';
import { loadKubeConfig } from '../../operator/runtime/client-node';
import { KubeClient } from '../../operator/runtime/kube-client';
import { derivedName } from '../../operator/infrastructure/postgres/sql';
import { stackNameOf } from '../../operator/infrastructure/request';
import { OPERATOR_NAMESPACE, OPERATOR_USERNAME } from '../setup/operator-identity';
import { createNamespace, deleteNamespace, eventually, kubectl, kubectlAsync } from '../support/kube';
import { describeProcess, type OperatorProcess, spawnOperator } from '../support/operator-process';
import { productionCredentials } from './dataseed-controller.fixture';
import { infra, infraCondition, secretData, waitForInfra } from './infrastructure-fixtures';
import {
  canI,
  isReady,
  jobsOf,
  podKubeconfig,
  releaseInfrastructure,
  runPod,
  type Json,
  waitForJob,
} from './infrastructure-job-fixtures';
import { databasesLike, pgQuery, rolesLike, testPgUrl } from './infrastructure-runner';
import {
  applyBaseline,
  applyObjects,
  deleteBaseline,
  deleteEnvironments,
  environment,
  getEnvironment,
} from './stagingenvironment-fixtures';

jest.setTimeout(420_000);

// Baseline runner Job against the real control plane, under the chart's RBAC
// and admission policy. kwok plays the kubelet: it would mark the Job's pod
// Succeeded without running the image. So here a ResourceQuota of zero pods in
// the operator's namespace keeps the Job's pod from being created at all, the
// test checks the Job the controller made and what its identity may do as the
// API server decides it (`kubectl auth can-i` as that ServiceAccount), and then
// plays the pod: it runs the pod's own command (`understudy infrastructure
// run`, compiled) on this host with the pod's ServiceAccount token, the real
// pulumi engine and the real PostgreSQL. The controller turns what the command
// wrote into the environment's status and the outputs Secret. Last, without
// the quota, a Job whose pod ends without writing a result (what kwok does)
// is a failure with a clear message, not a success.

const id = randomBytes(3).toString('hex');
const IMAGE = 'registry.example.com/understudy:job-runner-test';
const QUOTA = `infra-job-test-${id}`;
const PASSPHRASE = `passphrase-${id}-do-not-leak`;

describe('the infrastructure controller, runner Job', () => {
  const work = mkdtempSync(join(tmpdir(), 'understudy-infra-job-'));
  // The state in PostgreSQL: a Job's pod has no filesystem that outlives it (file:// is refused with runner Job).
  const stateDb = `pulumi_state_${id}`;
  const stateUrl = () => {
    const url = new URL(testPgUrl());
    url.protocol = 'postgres:';
    url.pathname = `/${stateDb}`;
    url.searchParams.set('sslmode', 'disable');
    return url.toString();
  };
  const baselineName = `infra-job-${id}`;
  const source = `infra-job-src-${id}`;
  let previews: string;
  let serverSecret: string;
  let operator: OperatorProcess;

  beforeAll(async () => {
    previews = createNamespace('infra-job-previews');
    await pgQuery(testPgUrl(), `CREATE DATABASE ${stateDb}`);
    const server = await productionCredentials(`infra-job-server-${id}`, { pg: testPgUrl() });
    serverSecret = server.namespace;
    applyObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: source } },
      ...syntheticBaseline(source, 0, { partOf: 'mini' }),
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `pulumi-job-${id}`, namespace: OPERATOR_NAMESPACE },
        stringData: { passphrase: PASSPHRASE },
      },
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `unrelated-${id}`, namespace: OPERATOR_NAMESPACE },
        stringData: { token: 'not for the infrastructure pod' },
      },
      // No pod may start in the operator's namespace: kwok would end it without running anything.
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: QUOTA, namespace: OPERATOR_NAMESPACE },
        spec: { hard: { pods: '0' } },
      },
    ]);
    applyBaseline(baselineName, [previews], {
      source: { namespace: source },
      data: { databases: server.databases },
      infrastructure: {
        pulumi: {
          program: { builtIn: 'postgres-database' },
          backend: { url: stateUrl() },
          passphraseSecretRef: { name: `pulumi-job-${id}`, key: 'passphrase' },
          config: { server: 'pg' },
          exposedConfig: [{ key: 'size', pattern: '[a-z]+' }],
          runner: 'Job',
        },
      },
    });
    operator = spawnOperator(
      `infra-job-${id}`,
      [
        `--kubeconfig=${process.env.UNDERSTUDY_OPERATOR_KUBECONFIG}`,
        `--namespace=${previews}`,
        '--metrics-bind-address=0',
        '--health-probe-bind-address=127.0.0.1:0',
        '--graceful-shutdown-timeout=5',
      ],
      { POD_NAMESPACE: OPERATOR_NAMESPACE, UNDERSTUDY_IMAGE: IMAGE },
    );
  });

  afterAll(async () => {
    // Whatever is left (a failed test): let the environments go without a destroy, as an admin would.
    if (previews) {
      await kubectlAsync(['delete', 'stagingenvironments', '--all', '-n', previews, '--wait=false']);
      for (const name of ['db', 'silent', 'img']) await releaseInfrastructure(previews, name);
      await deleteEnvironments(previews, 120_000).catch(() => undefined);
    }
    operator?.kill();
    await operator?.exited;
    await kubectlAsync(['delete', 'resourcequota', '-n', OPERATOR_NAMESPACE, QUOTA, '--ignore-not-found']);
    await kubectlAsync([
      'delete',
      'secret',
      '-n',
      OPERATOR_NAMESPACE,
      `pulumi-job-${id}`,
      `unrelated-${id}`,
      '--ignore-not-found',
    ]);
    await kubectlAsync(['delete', 'jobs', '-n', OPERATOR_NAMESPACE, '-l', RUN_LABEL, '--ignore-not-found']);
    deleteBaseline(baselineName);
    for (const ns of [previews, source, serverSecret]) if (ns) deleteNamespace(ns);
    await pgQuery(testPgUrl(), `DROP DATABASE IF EXISTS ${stateDb} WITH (FORCE)`).catch(() => undefined);
  });

  it("runs up in a Job in the operator's namespace whose pod may patch only its result; the pod's command makes the environment Ready", async () => {
    const db = (size: string) =>
      JSON.stringify(
        environment('db', previews, { baselineRef: { name: baselineName }, infrastructure: { config: { size } } }),
      );
    kubectl(['apply', '-f', '-'], db('small'));
    const key = `${previews}/db`;
    const first = await waitForJob(key, 'up').catch((error: unknown) => {
      throw new Error(`${String(error)}\n${describeProcess(operator)}`);
    });
    // A configuration changed under a running up: that Job is stale, deleted, and a new one brings up the new one.
    kubectl(['apply', '-f', '-'], db('large'));
    const job = await eventually(
      () => {
        const jobs = jobsOf(key);
        return jobs.length === 1 && jobs[0]!.metadata.name !== first.metadata.name && !jobs[0]!.spec.suspend
          ? jobs[0]!
          : undefined;
      },
      { timeoutMs: 60_000, what: 'the stale up Job replaced' },
    );
    expect(job.metadata.annotations['understudy.dev/digest']).not.toBe(
      first.metadata.annotations['understudy.dev/digest'],
    );
    const name: string = job.metadata.name;
    const env = await getEnvironment('db', previews);
    expect(job.metadata.namespace).toBe(OPERATOR_NAMESPACE);
    expect(job.metadata.annotations['understudy.dev/environment-uid']).toBe(env!.metadata.uid);
    expect(job.spec.backoffLimit).toBe(0);
    expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const pod = job.spec.template.spec;
    expect(pod.serviceAccountName).toBe(name);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    const [container] = pod.containers;
    expect(container.image).toBe(IMAGE);
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.args).toEqual([
      'infrastructure',
      'run',
      '--request',
      '/var/run/understudy/request/request.json',
      '--result-secret',
      `${OPERATOR_NAMESPACE}/${name}-result`,
    ]);
    // No secret in the Job; the request (passphrase, the server's admin URL) is only in its Secret.
    const adminUrl = testPgUrl();
    expect(JSON.stringify(job)).not.toContain(PASSPHRASE);
    expect(JSON.stringify(job)).not.toContain(adminUrl);
    expect(JSON.parse(secretData(OPERATOR_NAMESPACE, `${name}-request`)!['request.json']!)).toMatchObject({
      action: 'up',
      passphrase: PASSPHRASE,
      config: { server: 'pg', size: 'large' },
    });
    // Nothing of the run in the environment's namespace.
    expect(kubectl(['get', 'jobs,secrets', '-n', previews, '-l', RUN_LABEL, '-o', 'name']).trim()).toBe('');

    // The pod's identity, as the API server decides: its own result Secret, patch only; nothing else anywhere.
    expect(await canI(name, ['patch', `secret/${name}-result`, '-n', OPERATOR_NAMESPACE])).toBe(true);
    expect(await canI(name, ['get', `secret/${name}-result`, '-n', OPERATOR_NAMESPACE])).toBe(false);
    expect(await canI(name, ['get', `secret/${name}-request`, '-n', OPERATOR_NAMESPACE])).toBe(false);
    expect(await canI(name, ['get', `secret/pulumi-job-${id}`, '-n', OPERATOR_NAMESPACE])).toBe(false);
    expect(await canI(name, ['patch', `secret/unrelated-${id}`, '-n', OPERATOR_NAMESPACE])).toBe(false);
    expect(await canI(name, ['list', 'secrets', '-n', OPERATOR_NAMESPACE])).toBe(false);
    expect(await canI(name, ['create', 'secrets', '-n', OPERATOR_NAMESPACE])).toBe(false);
    expect(await canI(name, ['create', 'pods', '-n', OPERATOR_NAMESPACE])).toBe(false);
    expect(await canI(name, ['get', 'secrets', '-n', previews])).toBe(false);
    expect(await canI(name, ['patch', `secret/${name}-result`, '-n', previews])).toBe(false);
    expect(await canI(name, ['get', 'stagingenvironments.understudy.dev', '-n', previews])).toBe(false);

    // Progress the pod patches (as itself) into its result Secret reaches the status, bounded.
    const asPod = new KubeClient(loadKubeConfig(podKubeconfig(work, name)));
    await asPod.mergePatch(
      { apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name: `${name}-result` },
      { data: { progress: Buffer.from(`creating database ${'x'.repeat(2000)}`).toString('base64') } },
    );
    const running = await waitForInfra(
      'db',
      previews,
      (s) => s.progress?.startsWith('creating database') ?? false,
      'progress',
    );
    expect(running.status?.infrastructure?.progress?.length).toBeLessThanOrEqual(1024);
    expect(infraCondition(running, 'Reconciling')?.message).toContain('creating database');

    // Play the pod: its command, its token, the real engine and PostgreSQL.
    const ran = await runPod(job, work);
    expect(ran).toMatchObject({ code: 0 });
    expect(ran.output).toContain('succeeded');
    expect(ran.output).not.toContain(PASSPHRASE);

    const up = await waitForInfra('db', previews, isReady, 'infrastructure Ready through the Job').catch(
      (error: unknown) => {
        throw new Error(`${String(error)}\n${describeProcess(operator)}`);
      },
    );
    const current = await getEnvironment('db', previews);
    const stack = stackNameOf({ namespace: previews, name: 'db', uid: current!.metadata.uid! });
    const dbName = derivedName(stack);
    expect(infra(up)).toMatchObject({
      lastOperation: 'up',
      lastResult: 'Succeeded',
      outputSecret: 'infrastructure',
      outputs: ['database', 'host', 'password', 'port', 'url', 'username'],
    });
    const target = current!.status!.namespace!;
    const outputs = secretData(target, 'infrastructure');
    expect(outputs).toMatchObject({ database: dbName, username: dbName });
    expect(JSON.stringify(current!.status)).not.toContain(outputs!.password!);
    expect(ran.output).not.toContain(outputs!.password!);
    expect(await databasesLike(testPgUrl(), dbName)).toEqual([dbName]);
    // The run's objects go once the result is recorded: the Job, and what it owned (request, result, identity).
    await eventually(() => jobsOf(key).length === 0, { timeoutMs: 30_000, what: 'the up Job deleted' });
    await eventually(
      () =>
        kubectl([
          'get',
          'secrets,serviceaccounts,roles',
          '-n',
          OPERATOR_NAMESPACE,
          '-l',
          `${RUN_LABEL}=${runLabelOf(key)}`,
          '-o',
          'name',
        ]).trim() === '',
      { timeoutMs: 60_000, what: "the run's Secrets and identity garbage-collected" },
    );
  });

  it('destroys the stack in a destroy Job before the namespace goes', async () => {
    const key = `${previews}/db`;
    const current = await getEnvironment('db', previews);
    const stack = stackNameOf({ namespace: previews, name: 'db', uid: current!.metadata.uid! });
    kubectl(['delete', 'stagingenvironment', '-n', previews, 'db', '--wait=false']);
    const job = await waitForJob(key, 'destroy');
    const deleting = await getEnvironment('db', previews);
    expect(deleting?.metadata.finalizers).toContain('understudy.dev/infrastructure-destroy');
    const ran = await runPod(job, work);
    expect(ran).toMatchObject({ code: 0 });
    await eventually(async () => (await getEnvironment('db', previews)) === undefined, {
      timeoutMs: 180_000,
      what: 'environment db gone',
    });
    expect(await databasesLike(testPgUrl(), derivedName(stack))).toEqual([]);
    expect(await rolesLike(testPgUrl(), derivedName(stack))).toEqual([]);
    // Nothing of the stack left in the backend (checkpoint, backups, history, locks).
    const stateUrlPg = testPgUrl().replace(/\/postgres$/, `/${stateDb}`);
    expect(
      await pgQuery(stateUrlPg, 'SELECT s::text AS row FROM pulumi_state s WHERE s::text LIKE $1', [`%${stack}%`]),
    ).toEqual([]);
  });

  it("lets the operator write a Job, ServiceAccount, Role or RoleBinding in its namespace only when labelled as a run's", async () => {
    const role = (name: string, labels: Record<string, string>) =>
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name, namespace: OPERATOR_NAMESPACE, labels },
        rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: ['x'], verbs: ['patch'] }],
      });
    const asOperator = (args: string[], input?: string) => kubectlAsync([...args, `--as=${OPERATOR_USERNAME}`], input);
    const unlabelled = await asOperator(['create', '--dry-run=server', '-f', '-'], role(`probe-${id}`, {}));
    expect(unlabelled.stderr).toContain('writes-in-managed-namespaces');
    const labelled = await asOperator(
      ['create', '--dry-run=server', '-f', '-'],
      role(`probe-${id}`, { [RUN_LABEL]: 'probe' }),
    );
    expect(labelled.stderr).toBe('');
    const job = await asOperator([
      'create',
      'job',
      `probe-${id}`,
      '-n',
      OPERATOR_NAMESPACE,
      '--image=busybox',
      '--dry-run=server',
    ]);
    expect(job.stderr).toContain('writes-in-managed-namespaces');
    // Someone's own Role cannot be made a run's by labelling it.
    kubectl(['create', '-f', '-'], role(`theirs-${id}`, {}));
    try {
      const relabel = await asOperator([
        'label',
        'role',
        `theirs-${id}`,
        '-n',
        OPERATOR_NAMESPACE,
        `${RUN_LABEL}=x`,
        '--dry-run=server',
      ]);
      expect(relabel.stderr).toContain('writes-in-managed-namespaces');
      const removal = await asOperator([
        'delete',
        'role',
        `theirs-${id}`,
        '-n',
        OPERATOR_NAMESPACE,
        '--dry-run=server',
      ]);
      expect(removal.stderr).toContain('writes-in-managed-namespaces');
    } finally {
      kubectl(['delete', 'role', `theirs-${id}`, '-n', OPERATOR_NAMESPACE]);
    }
  });

  it("runs an image program's Job in that image, the request naming its module", async () => {
    const image = 'registry.example.com/platform/queue-program:1.0.0';
    applyBaseline(`${baselineName}-image`, [previews], {
      source: { namespace: source },
      infrastructure: {
        pulumi: {
          program: { image },
          backend: { url: stateUrl() },
          passphraseSecretRef: { name: `pulumi-job-${id}`, key: 'passphrase' },
          runner: 'Job',
        },
      },
    });
    try {
      kubectl(
        ['apply', '-f', '-'],
        JSON.stringify(environment('img', previews, { baselineRef: { name: `${baselineName}-image` } })),
      );
      const job = await waitForJob(`${previews}/img`, 'up');
      expect(job.spec.template.spec.containers[0].image).toBe(image);
      const secret = JSON.parse(
        kubectl(['get', 'secret', '-n', OPERATOR_NAMESPACE, `${job.metadata.name}-request`, '-o', 'json']),
      ) as Json;
      const request = JSON.parse(Buffer.from(secret.data['request.json'], 'base64').toString('utf8')) as Json;
      expect(request).toMatchObject({ program: 'image', programModule: '/program', programImage: image });
    } finally {
      kubectl(['delete', 'stagingenvironment', '-n', previews, 'img', '--wait=false', '--ignore-not-found']);
      await releaseInfrastructure(previews, 'img');
      deleteBaseline(`${baselineName}-image`);
    }
  });

  it('fails, and says why, when the Job ends without writing a result (kwok ends pods without running them)', async () => {
    kubectl(['delete', 'resourcequota', '-n', OPERATOR_NAMESPACE, QUOTA]);
    kubectl(
      ['apply', '-f', '-'],
      JSON.stringify(environment('silent', previews, { baselineRef: { name: baselineName } })),
    );
    const failed = await waitForInfra('silent', previews, (s) => s.lastResult === 'Failed', 'the silent Job failed');
    expect(infraCondition(failed, 'Stalled')?.message).toContain('completed without writing a result');
    expect(infraCondition(failed, 'Ready')?.status).toBe('False');
    expect(JSON.stringify(failed.status)).not.toContain(PASSPHRASE);
    // Its destroy cannot succeed either: the admin lets it go by removing the finalizer, and the environment goes.
    kubectl(['delete', 'stagingenvironment', '-n', previews, 'silent', '--wait=false']);
    await releaseInfrastructure(previews, 'silent');
    await eventually(async () => (await getEnvironment('silent', previews)) === undefined, {
      timeoutMs: 120_000,
      what: 'environment silent gone',
    });
    await eventually(() => jobsOf(`${previews}/silent`).length === 0, {
      timeoutMs: 30_000,
      what: 'the Jobs of a deleted environment deleted',
    });
  });
});
