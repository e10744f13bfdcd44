import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import type { Manager } from '../../operator/runtime/manager';
import { seedIdentityName } from '../../operator/controllers/dataseed';
import { seedJobName } from '../../operator/seed/job';
import { deleteNamespace, eventually, kubectl } from '../support/kube';
import { query, rowCounts, shopDatabase, tableDigests } from '../support/shop-db';
import {
  admin,
  applyBaseline,
  condition,
  createConfigMap,
  createSecret,
  deleteBaseline,
  getDataSeed,
  isReady,
  isStalled,
  kubectlAs,
  productionCredentials,
  seedEvents,
  seedNamespace,
  shopFile,
  startOperator,
  waitForSeed,
} from './dataseed-controller.fixture';

jest.setTimeout(300_000);

// What a tenant can make the operator do with DataSeeds. `alice` may only
// create Understudy resources in her team's namespaces (the chart's
// understudy-edit ClusterRole, bound there); everything she does goes
// through impersonation, the operator runs under the chart's RBAC and
// admission policy. Each attack is shown failing, next to what would have
// happened had the operator let it through.

const RUN = randomBytes(3).toString('hex');
const ALICE = `alice-${RUN}`;
const SQL =
  "CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, name text NOT NULL); INSERT INTO items VALUES (1, 'one') ON CONFLICT DO NOTHING;";

function dataSeed(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', metadata: { name }, spec });
}

function allowAlice(namespace: string): void {
  kubectl(['create', 'rolebinding', `alice-edit`, '-n', namespace, '--clusterrole=understudy-edit', `--user=${ALICE}`]);
}

describe('a tenant creating DataSeeds', () => {
  let teamA: string;
  let preview: string;
  let credentials: string;
  let manager: Manager;
  let production: string;
  const baseline = `tenancy-${RUN}`;

  beforeAll(async () => {
    // team-a: the team's own namespace (the operator may read its Secrets, an admin granted it, but not write there).
    teamA = await seedNamespace('team-a');
    // A preview of team-a: labelled as the operator's own, so the operator may write there.
    preview = await seedNamespace('team-a-preview', { managed: true });
    for (const ns of [teamA, preview]) allowAlice(ns);
    production = (await shopDatabase(`tenancy_prod_${RUN}`, 200)).url;
    const prod = await productionCredentials('tenancy-prod', { shop: production });
    credentials = prod.namespace;
    // The Baseline lets another team use production, not team-a.
    applyBaseline(baseline, [`team-b-${RUN}`], prod.databases);
    manager = await startOperator([teamA, preview], { image: 'registry.example.com/understudy:test' });
  });
  afterAll(async () => {
    await manager?.stop();
    deleteBaseline(baseline);
    for (const ns of [teamA, preview, credentials]) if (ns) deleteNamespace(ns);
  });

  it('cannot reach production through a Baseline that does not allow team-a: Stalled BaselineNotAllowed, the target untouched, nothing of production shown', async () => {
    const target = (await shopDatabase(`tenancy_target_${RUN}`)).url;
    createSecret(teamA, 'target-db', { url: target });
    createSecret(teamA, 'masking-key', { key: `tenancy-key-${RUN}-0123456789` });
    createConfigMap(teamA, 'rules', { 'rules.yaml': shopFile('rules.yaml') });
    const before = await tableDigests(target);
    // Alice may not read production's credentials herself.
    expect((await kubectlAs(ALICE, ['auth', 'can-i', 'get', 'secrets', '-n', credentials])).stdout.trim()).toBe('no');

    const spec = {
      baselineRef: { name: baseline },
      source: {
        anonymize: {
          from: { database: 'shop' },
          subset: { roots: [{ table: 'users', fraction: '0.5' }] },
          key: { secretKeyRef: { name: 'masking-key', key: 'key' } },
        },
      },
      target: { urlSecretRef: { name: 'target-db', key: 'url' } },
      rulesFrom: { name: 'rules', key: 'rules.yaml' },
    };
    expect(await kubectlAs(ALICE, ['apply', '-n', teamA, '-f', '-'], dataSeed('steal', spec))).toMatchObject({
      code: 0,
    });
    const stalled = await waitForSeed(teamA, 'steal', isStalled('BaselineNotAllowed'));
    expect(condition(stalled, 'Stalled')?.message).toBe(
      `spec.baselineRef.name: Baseline ${baseline} does not allow namespace ${teamA}; it allows namespaces team-b-${RUN}`,
    );
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await tableDigests(target)).toEqual(before);
    const visible = JSON.stringify([await getDataSeed(teamA, 'steal'), await seedEvents(teamA, 'steal')]);
    expect(visible).not.toContain(new URL(production).host);
    expect(visible).not.toContain(credentials);

    // The same DataSeed, once the admin allows team-a: it seeds, with no change to its spec.
    applyBaseline(
      baseline,
      [`team-b-${RUN}`, teamA],
      [{ name: 'shop', connectionSecretRef: { namespace: credentials, name: 'shop-readonly', key: 'url' } }],
    );
    await waitForSeed(teamA, 'steal', isReady(1));
    expect((await rowCounts(target))['public.users']).toBeGreaterThan(0);
  });

  it('cannot name a production connection of its own: the API server refuses a URL Secret or a host as anonymize.from', async () => {
    for (const from of [
      { database: 'shop', urlSecretRef: { name: 'target-db', key: 'url' } },
      { database: 'shop', host: 'attacker.example.com' },
    ]) {
      const spec = {
        baselineRef: { name: baseline },
        source: { anonymize: { from, key: { secretKeyRef: { name: 'masking-key', key: 'key' } } } },
        target: { urlSecretRef: { name: 'target-db', key: 'url' } },
      };
      const out = await kubectlAs(ALICE, ['apply', '-n', teamA, '-f', '-'], dataSeed('own-from', spec));
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('production connections come only from a Baseline');
    }
    expect(await getDataSeed(teamA, 'own-from')).toBeUndefined();
  });

  it('cannot take over a ServiceAccount of the namespace by naming a DataSeed after it: Stalled ObjectNotOwned, the ServiceAccount unchanged and not deleted with the DataSeed', async () => {
    createSecret(preview, 'preview-db', { url: 'postgresql://shop@postgres.preview.svc:5432/shop' });
    createConfigMap(preview, 'items-sql', { 'seed.sql': SQL });
    // The team's own ServiceAccount, which happens to be called what the seed's would be.
    const account = await admin.create<KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'payments-seed', namespace: preview, labels: { team: 'a' } },
    });
    const spec = {
      source: { sql: { configMapRef: { name: 'items-sql', key: 'seed.sql' } } },
      target: { urlSecretRef: { name: 'preview-db', key: 'url' } },
      runner: 'Job',
    };
    expect(await kubectlAs(ALICE, ['apply', '-n', preview, '-f', '-'], dataSeed('payments', spec))).toMatchObject({
      code: 0,
    });
    const stalled = await waitForSeed(preview, 'payments', isStalled('ObjectNotOwned'));
    expect(condition(stalled, 'Stalled')?.message).toMatch(
      new RegExp(`^ServiceAccount ${preview}/payments-seed exists and is not this DataSeed's; it is left as it is`),
    );
    const after = await admin.get<KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      namespace: preview,
      name: 'payments-seed',
    });
    expect(after?.metadata?.uid).toBe(account.metadata?.uid);
    expect(after?.metadata?.resourceVersion).toBe(account.metadata?.resourceVersion);
    expect(after?.metadata?.ownerReferences).toBeUndefined();
    expect(
      await admin.get({ apiVersion: 'batch/v1', kind: 'Job', namespace: preview, name: 'payments-seed-1' }),
    ).toBeUndefined();
    expect(
      await admin.get({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        namespace: preview,
        name: 'payments-seed',
      }),
    ).toBeUndefined();

    expect(await kubectlAs(ALICE, ['delete', 'dataseed', 'payments', '-n', preview, '--wait=true'])).toMatchObject({
      code: 0,
    });
    await new Promise((r) => setTimeout(r, 3_000));
    expect(
      (
        await admin.get<KubernetesObject>({
          apiVersion: 'v1',
          kind: 'ServiceAccount',
          namespace: preview,
          name: 'payments-seed',
        })
      )?.metadata?.uid,
    ).toBe(account.metadata?.uid);
  });

  it('runs a DataSeed whose name is longer than 63 characters and would end in a dash when cut', async () => {
    const name = `${'a'.repeat(62)}-${'b'.repeat(10)}`;
    const spec = {
      source: { sql: { configMapRef: { name: 'items-sql', key: 'seed.sql' } } },
      target: { urlSecretRef: { name: 'preview-db', key: 'url' } },
      runner: 'Job',
    };
    expect(await kubectlAs(ALICE, ['apply', '-n', preview, '-f', '-'], dataSeed(name, spec))).toMatchObject({
      code: 0,
    });
    const jobName = seedJobName(name, 1);
    const job = await eventually(
      () => admin.get<KubernetesObject>({ apiVersion: 'batch/v1', kind: 'Job', namespace: preview, name: jobName }),
      { what: 'the seed Job of the long-named DataSeed' },
    );
    expect(job.metadata?.labels?.['understudy.dev/dataseed']).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    const account = await admin.get<KubernetesObject>({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      namespace: preview,
      name: seedIdentityName(name),
    });
    expect(account?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'DataSeed', name });
    const ready = await waitForSeed(preview, name, isReady(1), 120_000);
    expect(condition(ready, 'Ready')?.message).toBe(`the seed Job ${jobName} completed`);
  });
});

// The operator connects to an Inline seed's target from its own pod. On loopback there may be what only the operator
// should reach (a Cloud SQL Auth Proxy sidecar signs in as the operator); here, loopback holds a real, writable
// database, standing in for it. The operator runs as the chart installs it: no --tenant-database-networks.
describe("a tenant pointing an Inline seed at the operator's own loopback", () => {
  let team: string;
  let manager: Manager;

  beforeAll(async () => {
    team = await seedNamespace('team-loopback', { managed: true });
    allowAlice(team);
    createConfigMap(team, 'items-sql', { 'seed.sql': SQL });
    manager = await startOperator([team], { image: 'registry.example.com/understudy:test' }, []);
  });
  afterAll(async () => {
    await manager?.stop();
    if (team) deleteNamespace(team);
  });

  it.each([
    ['localhost', 'by name'],
    ['127.0.0.1', 'by address'],
  ])(
    'is refused before any connection when the host is %s (%s): Stalled InvalidSpec naming spec.target, the database untouched',
    async (host, _how) => {
      const target = new URL((await shopDatabase(`tenancy_loop_${host.replace(/\W/g, '')}_${RUN}`)).url);
      target.hostname = host;
      const name = `loop-${host.replace(/\W/g, '-')}`;
      createSecret(team, `${name}-db`, { url: target.toString() });
      const before = await tableDigests(target.toString());
      const spec = {
        source: { sql: { configMapRef: { name: 'items-sql', key: 'seed.sql' } } },
        target: { urlSecretRef: { name: `${name}-db`, key: 'url' } },
        runner: 'Inline',
      };
      expect(await kubectlAs(ALICE, ['apply', '-n', team, '-f', '-'], dataSeed(name, spec))).toMatchObject({ code: 0 });
      const stalled = await waitForSeed(team, name, isStalled('InvalidSpec'));
      expect(condition(stalled, 'Stalled')?.message).toMatch(
        new RegExp(
          `^spec\\.target: host ${host === 'localhost' ? 'localhost resolves to (127\\.0\\.0\\.1|::1), and that' : '127\\.0\\.0\\.1'} is loopback: the operator's own pod, which tenants may not reach through the operator; an admin allows networks with the operator's --tenant-database-networks$`,
        ),
      );
      // Nothing was written: the seed's table was never created.
      expect(await tableDigests(target.toString())).toEqual(before);
      expect(await query(target.toString(), "select to_regclass('public.items')::text as items")).toEqual([
        { items: null },
      ]);
    },
  );
});
