import { randomBytes } from 'node:crypto';
import type { DataSeedSpecInput } from '../../operator/api/dataseed';
import { databaseUrl } from '../../operator/seed/golden';
import type { Manager } from '../../operator/runtime/manager';
import { createDatabase } from '../setup/postgres';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { deleteNamespace, eventually } from '../support/kube';
import { query, testServerUrl } from '../support/shop-db';
import {
  admin,
  applyDataSeed,
  condition,
  createConfigMap,
  createSecret,
  type DataSeedObject,
  getDataSeed,
  isReady,
  isStalled,
  seedEvents,
  seedNamespace,
  startOperator,
  waitForSeed,
} from './dataseed-controller.fixture';

// The DataSeed controller refreshing a golden database (spec.golden, runner
// Inline) against the real control plane and PostgreSQL: the first seed
// creates the golden, a Secret or ConfigMap change alone does not refresh
// it, an operator restarted after refreshInterval refreshes it from the
// status alone (its clock is injected, so "after an hour" takes no hour),
// a new generation refreshes it at once, and a role without CREATEDB stalls
// with a reason that names the field.

jest.setTimeout(300_000);

const RUN = randomBytes(3).toString('hex');
const GOLDEN = `dgold_${RUN}`;
const PLAIN = 'dgold_plain';
const HOUR = 3600_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const generationSql = (generation: number) =>
  `INSERT INTO items SELECT g, 'gen-${generation}' FROM generate_series(1, 1000) g`;

function spec(extra: Partial<DataSeedSpecInput> = {}): DataSeedSpecInput {
  return {
    source: { sql: { configMapRef: { name: 'items-sql', key: 'seed.sql' } } },
    target: { urlSecretRef: { name: 'schema-db', key: 'url' } },
    runner: 'Inline',
    golden: { database: GOLDEN, refreshInterval: '1h' },
    ...extra,
  };
}

describe('the DataSeed controller refreshing a golden database', () => {
  let ns: string;
  let server: string;
  let manager: Manager | undefined;
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);

  async function goldenHolds(): Promise<string[]> {
    const rows = await query<{ v: string }>(databaseUrl(server, GOLDEN), 'SELECT DISTINCT v FROM items ORDER BY v');
    return rows.map((r) => r.v);
  }

  beforeAll(async () => {
    server = await testServerUrl();
    ns = await seedNamespace('dgold');
    const schema = await createDatabase(server, `dgold_schema_${RUN}`);
    await query(schema, 'CREATE TABLE items (id int PRIMARY KEY, v text NOT NULL)');
    await query(
      server,
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${PLAIN}') THEN CREATE ROLE ${PLAIN} LOGIN; END IF; END $$`,
    );
    const plain = new URL(schema);
    plain.username = PLAIN;
    createSecret(ns, 'schema-db', { url: schema });
    createSecret(ns, 'plain-db', { url: plain.toString() });
    createConfigMap(ns, 'items-sql', { 'seed.sql': generationSql(1) });
    manager = await startOperator([ns], { now: clock });
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
    for (const db of [GOLDEN, `${GOLDEN}_next`, `${GOLDEN}_old`]) {
      await query(server, `ALTER DATABASE "${db}" IS_TEMPLATE false`).catch(() => undefined);
      await query(server, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch(() => undefined);
    }
  });

  it('creates the golden, keeps it until the interval passed, and an operator restarted after it refreshes from the status', async () => {
    await applyDataSeed(ns, 'golden', spec());
    const first = await waitForSeed(ns, 'golden', isReady(1));
    expect(first.status?.golden?.database).toBe(GOLDEN);
    const firstAt = first.status!.golden!.refreshedAt;
    expect(await goldenHolds()).toEqual(['gen-1']);

    // New SQL alone is no reason to refresh before the interval: the golden stays.
    createConfigMap(ns, 'items-sql', { 'seed.sql': generationSql(2) });
    await sleep(4_000);
    expect((await getDataSeed(ns, 'golden'))?.status?.golden?.refreshedAt).toBe(firstAt);
    expect(await goldenHolds()).toEqual(['gen-1']);

    // A new operator an hour and a minute later: nothing in memory, the status says the refresh is due.
    await manager!.stop();
    // Every state the DataSeed passes through during the refresh: the golden stays live, so Ready stays True.
    const seen: string[] = [];
    const stopWatch = new AbortController();
    const watching = admin
      .watch('understudy.dev/v1alpha1', 'DataSeed', { namespace: ns, signal: stopWatch.signal }, (e) => {
        const o = e.object as DataSeedObject;
        if (o.metadata?.name !== 'golden') return;
        const state = `Ready=${condition(o, 'Ready')?.status} Reconciling=${condition(o, 'Reconciling')?.status ?? '-'}`;
        if (seen.at(-1) !== state) seen.push(state);
      })
      .catch(() => undefined);
    offsetMs = HOUR + 60_000;
    manager = await startOperator([ns], { now: clock });
    const refreshed = await waitForSeed(
      ns,
      'golden',
      (o: DataSeedObject) =>
        isReady(1)(o) && o.status?.golden?.refreshedAt !== firstAt && condition(o, 'Reconciling')?.status !== 'True',
    );
    stopWatch.abort();
    await watching;
    expect(seen).toContain('Ready=True Reconciling=True');
    expect(seen.filter((state) => !state.startsWith('Ready=True'))).toEqual([]);
    expect(Date.parse(refreshed.status!.golden!.refreshedAt)).toBeGreaterThanOrEqual(Date.parse(firstAt) + HOUR);
    expect(await goldenHolds()).toEqual(['gen-2']);
    const started = (await seedEvents(ns, 'golden')).filter((e) => e.reason === 'SeedingStarted');
    expect(started.some((e) => e.note?.includes(`scheduled refresh of golden ${GOLDEN} every 1h`))).toBe(true);

    // Refreshed once, not in a loop: the next one is an hour away.
    await sleep(4_000);
    expect((await getDataSeed(ns, 'golden'))?.status?.golden?.refreshedAt).toBe(refreshed.status!.golden!.refreshedAt);
    expect(await query(server, `SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${GOLDEN}\\_%`])).toEqual([]);
  });

  it('refreshes at once on a new generation', async () => {
    createConfigMap(ns, 'items-sql', { 'seed.sql': generationSql(3) });
    await applyDataSeed(ns, 'golden', spec({ batchRows: 5_000 }));
    await waitForSeed(ns, 'golden', isReady(2));
    expect(await goldenHolds()).toEqual(['gen-3']);
  });

  it('a target role without CREATEDB stalls with GoldenNotPermitted naming spec.golden.database, and writes nothing', async () => {
    const other = `${GOLDEN}_x`;
    await applyDataSeed(
      ns,
      'plain',
      spec({ target: { urlSecretRef: { name: 'plain-db', key: 'url' } }, golden: { database: other } }),
    );
    const stalled = await waitForSeed(ns, 'plain', isStalled('GoldenNotPermitted'));
    expect(condition(stalled, 'Stalled')?.message).toContain('spec.golden.database');
    expect(condition(stalled, 'Stalled')?.message).toContain('lacks CREATEDB');
    expect(await query(server, `SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${other}%`])).toEqual([]);
    expect(await goldenHolds()).toEqual(['gen-3']);
  });
});

// runner: Job (kwok plays the kubelet: the pod "succeeds" without running the
// image, so this tests the controller's schedule, not the seed): a completed
// Job is replaced by a new one once the refresh is due, from the status alone.
describe('the DataSeed controller refreshing a golden database with runner Job', () => {
  let ns: string;
  let manager: Manager | undefined;
  let offsetMs = 0;
  const clock = () => new Date(Date.now() + offsetMs);
  const IMAGE = 'registry.example.com/understudy:test';
  const jobUid = async (name: string) =>
    (await admin.get<KubernetesObject>({ apiVersion: 'batch/v1', kind: 'Job', namespace: ns, name }))?.metadata?.uid;

  beforeAll(async () => {
    ns = await seedNamespace('dgold-job', { managed: true });
    createSecret(ns, 'schema-db', { url: 'postgresql://shop@postgres.preview.svc:5432/shop_schema' });
    createConfigMap(ns, 'items-sql', { 'seed.sql': generationSql(1) });
    manager = await startOperator([ns], { image: IMAGE, now: clock });
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it('replaces the completed seed Job once the interval passed, after an operator restart', async () => {
    await applyDataSeed(ns, 'golden', spec({ runner: 'Job' }));
    const first = await waitForSeed(ns, 'golden', isReady(1));
    const firstUid = await jobUid('golden-seed-1');
    expect(firstUid).toBeDefined();
    await sleep(3_000);
    expect(await jobUid('golden-seed-1')).toBe(firstUid);

    await manager!.stop();
    offsetMs = HOUR + 60_000;
    manager = await startOperator([ns], { image: IMAGE, now: clock });
    await eventually(
      async () => {
        const uid = await jobUid('golden-seed-1');
        return uid !== undefined && uid !== firstUid ? uid : undefined;
      },
      { what: 'a new seed Job for the refresh' },
    );
    // Back to real time: the refresh's completion is the new "last", an hour ahead of it.
    offsetMs = 0;
    const again = await waitForSeed(
      ns,
      'golden',
      (o: DataSeedObject) => isReady(1)(o) && o.status?.lastSeededAt !== first.status?.lastSeededAt,
    );
    expect(again.status?.phase).toBe('Succeeded');
  });
});
