import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { API_VERSION } from '../../operator/api/common';
import { stagingEnvironmentController } from '../../operator/controllers/stagingenvironment';
import { createLogger } from '../../operator/runtime/logger';
import { Manager } from '../../operator/runtime/manager';
import { grantSecretRead } from '../setup/operator-identity';
import {
  createNamespace,
  deleteNamespace,
  eventually,
  kubectl,
  kubectlAsync,
  operatorKubeConfig,
} from '../support/kube';
import {
  admin,
  applyBaseline,
  applyObjects,
  deleteBaseline,
  deleteEnvironments,
  environment,
  getEnvironment,
  getObject,
  listObjects,
  namespaceExists,
  type Json,
} from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// Each attack of the tenancy issue, performed as `alice`, a user who may only
// create Understudy resources in her own namespace, against the operator
// running under exactly the chart's RBAC and admission policy. Every test
// asserts that the effect does not happen, somewhere alice could look.

const id = randomBytes(3).toString('hex');
const ALICE = `alice-${id}`;
const OPERATOR_NS = process.env.UNDERSTUDY_OPERATOR_NAMESPACE ?? 'understudy-system';
let teamA: string;
let teamB: string;
let production: string;
let manager: Manager;
const baselines: string[] = [];

const asAlice = (args: string[], input?: string) => kubectlAsync([...args, `--as=${ALICE}`], input);

/** Alice creates (through her own RBAC) an environment in team-a. */
async function aliceApplies(name: string, spec: Json): Promise<{ code: number; stderr: string }> {
  return asAlice(['apply', '-f', '-'], JSON.stringify(environment(name, teamA, spec)));
}

async function stalled(name: string): Promise<{ reason: string; message: string }> {
  return eventually(
    async () => {
      const env = await getEnvironment(name, teamA);
      const stall = env?.status?.conditions?.find((c) => c.type === 'Stalled' && c.status === 'True');
      return stall && stall.observedGeneration === env?.metadata.generation ? stall : undefined;
    },
    { timeoutMs: 60_000, what: `environment ${name} Stalled` },
  );
}

/** Waits for Provisioned=True; a timeout names the conditions last seen, which say why. */
async function provisioned(name: string) {
  return eventually(
    async () => {
      const e = await getEnvironment(name, teamA);
      if (e?.status?.conditions?.some((c) => c.type === 'Provisioned' && c.status === 'True')) return e;
      throw new Error(JSON.stringify(e?.status?.conditions ?? 'no status'));
    },
    { timeoutMs: 90_000, what: `${name} provisioned` },
  );
}

function baseline(name: string, spec: Json, allowed: readonly string[] = [teamA]): string {
  baselines.push(applyBaseline(`${name}-${id}`, allowed, { source: { namespace: production }, ...spec }));
  return `${name}-${id}`;
}

beforeAll(async () => {
  teamA = createNamespace('team-a');
  teamB = createNamespace('team-b');
  production = createNamespace('production');
  // Alice: edit-like rights on Understudy's namespaced kinds in team-a, nothing else (the aggregated role the chart ships).
  applyObjects([
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'alice', namespace: teamA },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'understudy-edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: ALICE }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-credentials', namespace: teamB },
      stringData: { password: `team-b-secret-${id}` },
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cart-config', namespace: production, labels: { app: 'cart' } },
      data: { REDIS_URL: `redis://:pr0d-redis-${id}@redis:6379/0`, LOG_LEVEL: 'info' },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'sh.helm.release.v1.shop.v3',
        namespace: production,
        labels: { owner: 'helm', name: 'shop', version: '3' },
      },
      type: 'helm.sh/release.v1',
      stringData: { release: `helm-release-${id}` },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'shop-db', namespace: production },
      stringData: { password: `pr0d-db-${id}` },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'cart', namespace: production, labels: { app: 'cart', 'app.kubernetes.io/instance': 'shop' } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'cart' } },
        template: {
          metadata: { labels: { app: 'cart' } },
          spec: {
            containers: [
              {
                name: 'cart',
                image: 'registry.example.com/cart:1',
                env: [{ name: 'STRIPE_API_KEY', value: 'sk_live_51HxProdKeyDoNotLeak9a8b7c6d5e4f' }],
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'everything', namespace: production },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'everything', namespace: production },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'everything' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: ALICE }],
    },
  ]);
  manager = new Manager({
    kubeConfig: operatorKubeConfig(),
    logger: createLogger({ level: (process.env.UNDERSTUDY_TEST_LOG_LEVEL as 'info' | undefined) ?? 'warn' }),
    namespaces: [teamA],
    metricsAddr: '127.0.0.1:0',
    healthAddr: '127.0.0.1:0',
  });
  manager.addController(stagingEnvironmentController({ namespaces: [teamA], operatorNamespace: OPERATOR_NS }));
  await manager.start();
});

afterAll(async () => {
  if (teamA) await deleteEnvironments(teamA);
  await manager?.stop();
  for (const name of baselines) deleteBaseline(name);
  for (const ns of [teamA, teamB, production]) if (ns) deleteNamespace(ns);
});

describe('as a user who may only create previews in team-a', () => {
  it("cannot create or change a Baseline, the admin's object", async () => {
    const created = await asAlice(['auth', 'can-i', 'create', 'baselines.understudy.dev']);
    expect(created.stdout.trim()).toBe('no');
    expect(
      (await asAlice(['auth', 'can-i', 'create', 'stagingenvironments.understudy.dev', '-n', teamA])).stdout.trim(),
    ).toBe('yes');
  });

  it('gets nothing from a Baseline that does not allow team-a, and the operator reads nothing of it', async () => {
    const other = baseline('only-b', { secrets: { maxPolicy: 'CopyListed', copyable: ['shop-db'] } }, [teamB]);
    expect(
      (
        await aliceApplies('not-allowed', {
          baselineRef: { name: other },
          secrets: { policy: 'CopyListed', names: ['shop-db'] },
        })
      ).code,
    ).toBe(0);
    const stall = await stalled('not-allowed');
    expect(stall.reason).toBe('BaselineNotAllowed');
    expect(stall.message).toContain(`namespaces ${teamB}`);
    const env = await getEnvironment('not-allowed', teamA);
    expect(env?.status?.namespace).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain(`pr0d-db-${id}`);
  });

  it('cannot name a target namespace, so cannot squat or delete one the platform owns', async () => {
    const monitoring = createNamespace('monitoring');
    const open = baseline('open', { rbac: { copyRoles: false } });
    // The field does not exist: strict validation refuses it, and without validation the API server drops it.
    const strict = await aliceApplies('squat', { baselineRef: { name: open }, targetNamespace: monitoring });
    expect(strict.code).not.toBe(0);
    expect(strict.stderr).toMatch(/unknown field "spec.targetNamespace"/);
    const lax = await asAlice(
      ['apply', '--validate=false', '-f', '-'],
      JSON.stringify(environment('squat', teamA, { baselineRef: { name: open }, targetNamespace: monitoring })),
    );
    expect(lax.code).toBe(0);
    const env = await provisioned('squat');
    expect(env.status?.namespace).toBe(`${teamA}-squat`);
    kubectl(['delete', 'stagingenvironment', 'squat', '-n', teamA, '--wait=false']);
    await eventually(async () => !(await namespaceExists(`${teamA}-squat`)), {
      timeoutMs: 180_000,
      what: "the environment's own namespace deleted",
    });
    expect(await namespaceExists(monitoring)).toBe(true);
    deleteNamespace(monitoring);
  });

  it("cannot point the operator at another namespace's TLS key or a kubeconfig of her own: those fields do not exist", async () => {
    const open = baseline('fields', { ingress: { domain: 'preview.example.com' } });
    const tls = await aliceApplies('tls', {
      baselineRef: { name: open },
      ingress: {
        hostTemplate: '{{service}}.{{environment}}.preview.example.com',
        tlsSecretRef: { namespace: 'kube-system', name: 'x' },
      },
    });
    expect(tls.code).not.toBe(0);
    expect(tls.stderr).toMatch(/unknown field "spec.ingress.tlsSecretRef"/);
    const kubeconfig = await aliceApplies('kubeconfig', {
      baselineRef: { name: open },
      baseline: { namespace: teamB, kubeconfigSecretRef: { name: 'mine', key: 'config' } },
    });
    expect(kubeconfig.code).not.toBe(0);
    expect(kubeconfig.stderr).toMatch(/unknown field "spec.baseline"/);
  });

  it('cannot copy a Secret the Baseline does not list, nor loosen the policy', async () => {
    const listed = baseline('listed', { secrets: { maxPolicy: 'CopyListed', copyable: ['cart-config'] } });
    await aliceApplies('copy-db', {
      baselineRef: { name: listed },
      secrets: { policy: 'CopyListed', names: ['shop-db'] },
    });
    const stall = await stalled('copy-db');
    expect(stall.reason).toBe('ExceedsBaseline');
    expect(stall.message).toMatch(/^spec\.secrets\.names: shop-db is not in the Baseline's copyable Secrets/);
    expect(await namespaceExists(`${teamA}-copy-db`)).toBe(false);
    const omitOnly = baseline('omit', {});
    await aliceApplies('generate', { baselineRef: { name: omitOnly }, secrets: { policy: 'Generate' } });
    expect((await stalled('generate')).message).toMatch(/^spec\.secrets\.policy: Generate is looser/);
  });

  it("cannot claim production's host", async () => {
    const hosted = baseline('hosted', { ingress: { domain: 'preview.example.com' } });
    await aliceApplies('prod-host', { baselineRef: { name: hosted }, ingress: { hostTemplate: 'shop.example.com' } });
    const stall = await stalled('prod-host');
    expect(stall.message).toMatch(/^spec\.ingress\.hostTemplate: /);
    expect(await namespaceExists(`${teamA}-prod-host`)).toBe(false);
  });

  it("gets a copy with production's credentials replaced, no Helm release, no role binding to herself, and PodSecurity enforced", async () => {
    // The admin lets the operator read production's Secrets, as the Baseline's Generate policy needs.
    await grantSecretRead(production);
    // A Baseline that copies Roles: the */*/* Role is refused by the API server (the operator has no escalate), and says so.
    const withRoles = baseline('roles', { rbac: { copyRoles: true } });
    await aliceApplies('roles', { baselineRef: { name: withRoles } });
    const refused = await stalled('roles');
    expect(refused.reason).toBe('ApplyFailed');
    expect(refused.message).toMatch(
      /roles.rbac.authorization.k8s.io "everything" is forbidden: .*attempting to grant RBAC permissions not currently held/s,
    );
    expect((await asAlice(['auth', 'can-i', '*', '*', '-n', `${teamA}-roles`])).stdout.trim()).toBe('no');
    const copying = baseline('copying', {
      secrets: { maxPolicy: 'Generate' },
      rbac: { copyRoles: false },
      podSecurity: 'restricted',
    });
    await aliceApplies('copy', { baselineRef: { name: copying }, secrets: { policy: 'Generate' } });
    const target = `${teamA}-copy`;
    const env = await provisioned('copy');
    expect(env.status?.redactedValues).toEqual(
      expect.arrayContaining(['ConfigMap/cart-config:REDIS_URL', 'Deployment/cart:cart/STRIPE_API_KEY']),
    );
    const everything = JSON.stringify([
      ...(await listObjects('v1', 'ConfigMap', target)),
      ...(await listObjects('apps/v1', 'Deployment', target)),
      env,
    ]);
    expect(everything).not.toContain(`pr0d-redis-${id}`);
    expect(everything).not.toContain('sk_live_51HxProdKeyDoNotLeak9a8b7c6d5e4f');
    expect(await getObject('v1', 'Secret', target, 'sh.helm.release.v1.shop.v3')).toBeUndefined();
    expect(
      (await getObject('apps/v1', 'Deployment', target, 'cart'))?.metadata.labels?.['app.kubernetes.io/instance'],
    ).toBeUndefined();
    expect(await getObject('rbac.authorization.k8s.io/v1', 'RoleBinding', target, 'everything')).toBeUndefined();
    expect((await asAlice(['auth', 'can-i', '*', '*', '-n', target])).stdout.trim()).toBe('no');
    expect((await asAlice(['auth', 'can-i', 'get', 'secrets', '-n', target])).stdout.trim()).toBe('no');
    // The namespace carries the Baseline's PodSecurity level, so the API server refuses a privileged pod whoever creates it.
    const ns = await getObject('v1', 'Namespace', undefined, target);
    expect(ns?.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    const privileged = await kubectlAsync(
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'root', namespace: target },
        spec: {
          hostPID: true,
          hostNetwork: true,
          containers: [{ name: 'sh', image: 'busybox', securityContext: { privileged: true } }],
          volumes: [{ name: 'host', hostPath: { path: '/' } }],
        },
      }),
    );
    expect(privileged.code).not.toBe(0);
    expect(privileged.stderr).toMatch(/violates PodSecurity "restricted/);
  });

  it("cannot give a test pod the node's namespaces or a node of her choosing: Stalled ExceedsBaseline naming the field, no namespace made", async () => {
    const plain = baseline('placement', { rbac: { copyRoles: false } });
    const pod = (extra: Record<string, unknown>) => ({
      backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'sh', image: 'busybox' }], ...extra } },
    });
    await aliceApplies('hostnet', {
      baselineRef: { name: plain },
      tests: [{ name: 'sniff', template: pod({ hostNetwork: true }) }],
    });
    expect(await stalled('hostnet')).toMatchObject({
      reason: 'ExceedsBaseline',
      message: "spec.tests[0].template.template.spec.hostNetwork: a test pod may not share the node's namespaces",
    });
    await aliceApplies('pinned', {
      baselineRef: { name: plain },
      tests: [{ name: 'pin', template: pod({ nodeName: 'control-plane-0' }) }],
    });
    expect(await stalled('pinned')).toMatchObject({
      reason: 'ExceedsBaseline',
      message:
        'spec.tests[0].template.template.spec.nodeName: a test pod is placed by the scheduler; nodeName is never allowed',
    });
    expect(await namespaceExists(`${teamA}-hostnet`)).toBe(false);
    expect(await namespaceExists(`${teamA}-pinned`)).toBe(false);
  });

  it('cannot run a privileged test Job in her preview: the refusal shows in TestsPassed and no Job is made', async () => {
    const restricted = baseline('tests', { rbac: { copyRoles: false }, podSecurity: 'baseline' });
    // Privileged, with the host's root mounted: the namespace's PodSecurity level refuses it (host namespaces are
    // refused before that, as ExceedsBaseline: the test above).
    const root = {
      restartPolicy: 'Never',
      containers: [
        {
          name: 'sh',
          image: 'busybox',
          command: ['cat', '/host/etc/shadow'],
          securityContext: { privileged: true },
          volumeMounts: [{ name: 'host', mountPath: '/host' }],
        },
      ],
      volumes: [{ name: 'host', hostPath: { path: '/' } }],
    };
    await aliceApplies('rooted', {
      baselineRef: { name: restricted },
      tests: [{ name: 'escape', template: { backoffLimit: 0, template: { spec: root } } }],
    });
    const refused = await eventually(
      async () => {
        const env = await getEnvironment('rooted', teamA);
        const tests = env?.status?.conditions?.find((c) => c.type === 'TestsPassed');
        return tests?.status === 'False' ? tests : undefined;
      },
      { timeoutMs: 120_000, what: 'TestsPassed False' },
    );
    expect(refused.reason).toBe('Refused');
    expect(refused.message).toMatch(/^test escape cannot run: .*violates PodSecurity "baseline:latest"/);
    expect(await listObjects('batch/v1', 'Job', `${teamA}-rooted`)).toEqual([]);
    // The admin tightens the Baseline: the preview already made follows.
    applyBaseline(restricted, [teamA], {
      source: { namespace: production },
      rbac: { copyRoles: false },
      podSecurity: 'restricted',
    });
    await eventually(
      async () =>
        (await getObject('v1', 'Namespace', undefined, `${teamA}-rooted`))?.metadata.labels?.[
          'pod-security.kubernetes.io/enforce'
        ] === 'restricted',
      {
        timeoutMs: 60_000,
        what: 'the preview namespace relabelled restricted',
      },
    );
  });

  it("never runs a kubeconfig's exec, even one an admin put in a Baseline", async () => {
    const marker = `/tmp/understudy-exec-${id}`;
    const kubeconfig = `apiVersion: v1
kind: Config
clusters: [{name: prod, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: prod, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/sh, args: ["-c", "touch ${marker}; echo {}"]}}}]
contexts: [{name: prod, context: {cluster: prod, user: prod}}]
current-context: prod
`;
    applyObjects([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `remote-${id}`, namespace: OPERATOR_NS },
        stringData: { config: kubeconfig },
      },
    ]);
    const remote = baseline('remote', {
      source: { namespace: 'shop', cluster: { kubeconfigSecretRef: { name: `remote-${id}`, key: 'config' } } },
    });
    await aliceApplies('remote', { baselineRef: { name: remote } });
    const stall = await stalled('remote');
    expect(stall.message).toMatch(/"exec" is refused/);
    expect(existsSync(marker)).toBe(false);
    rmSync(marker, { force: true });
    kubectl(['delete', 'secret', `remote-${id}`, '-n', OPERATOR_NS, '--ignore-not-found']);
  });

  it("leaves the operator unable to read another team's Secrets or write outside its namespaces", async () => {
    const operator = `system:serviceaccount:${OPERATOR_NS}:understudy`;
    expect(
      (await kubectlAsync(['auth', 'can-i', 'get', 'secrets', '-n', teamB, `--as=${operator}`])).stdout.trim(),
    ).toBe('no');
    const write = await kubectlAsync(['create', 'configmap', 'planted', '-n', teamB, `--as=${operator}`]);
    expect(write.code).not.toBe(0);
    expect(
      await admin().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: teamB, name: 'planted' }),
    ).toBeUndefined();
    expect(JSON.stringify(await admin().list(API_VERSION, 'StagingEnvironment', { namespace: teamA }))).not.toContain(
      `team-b-secret-${id}`,
    );
  });
});
