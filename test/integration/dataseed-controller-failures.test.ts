import { randomBytes } from 'node:crypto';
import type { DataSeedSpecInput } from '../../operator/api/dataseed';
import type { Manager } from '../../operator/runtime/manager';
import { grantSecretRead } from '../setup/operator-identity';
import { deleteNamespace, kubectl } from '../support/kube';
import { query, rowCounts, shopDatabase } from '../support/shop-db';
import { createDatabase } from '../setup/postgres';
import {
  applyDataSeed,
  condition,
  createConfigMap,
  createSecret,
  getDataSeed,
  isReady,
  isStalled,
  seedEvents,
  seedNamespace,
  shopFile,
  startOperator,
  waitForSeed,
} from './dataseed-controller.fixture';

jest.setTimeout(300_000);

// What goes wrong around a seed, and how the controller comes back from it:
// a Secret that is missing or wrong or that the operator may not read, a
// database that does not answer, and an operator stopped in the middle of a seed.

const RUN = randomBytes(3).toString('hex');
const SQL =
  "CREATE TABLE IF NOT EXISTS items (id int PRIMARY KEY, name text NOT NULL); INSERT INTO items VALUES (1, 'one'), (2, 'two') ON CONFLICT DO NOTHING;";

function sqlSeed(targetSecret: string): DataSeedSpecInput {
  return {
    source: { sql: { configMapRef: { name: 'items-sql', key: 'seed.sql' } } },
    target: { urlSecretRef: { name: targetSecret, key: 'url' } },
    runner: 'Inline',
  };
}

describe('the DataSeed controller when references and databases fail', () => {
  let ns: string;
  let manager: Manager;

  beforeAll(async () => {
    ns = await seedNamespace('dseed-fail');
    createConfigMap(ns, 'items-sql', { 'seed.sql': SQL });
    manager = await startOperator([ns]);
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it('is Stalled naming a missing Secret, then its missing key, and recovers once the Secret is right', async () => {
    const target = await createDatabase(process.env.UNDERSTUDY_TEST_PG_URL!, `dseed_late_${RUN}`);
    await applyDataSeed(ns, 'late-secret', sqlSeed('late-db'));
    const missing = await waitForSeed(ns, 'late-secret', isStalled('ReferenceNotFound'));
    expect(condition(missing, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ReferenceNotFound',
      message: `spec.target.urlSecretRef: Secret ${ns}/late-db not found`,
    });
    expect(condition(missing, 'Stalled')?.message).toMatch(/\(attempt 1; retrying in \d+s\)$/);
    expect(missing.status?.phase).toBe('Failed');

    createSecret(ns, 'late-db', { uri: target });
    const wrongKey = await waitForSeed(
      ns,
      'late-secret',
      (o) => condition(o, 'Ready')?.message.includes('has no key') === true,
      30_000,
    );
    expect(condition(wrongKey, 'Ready')?.message).toBe(`spec.target.urlSecretRef: Secret ${ns}/late-db has no key url`);

    kubectl(['delete', 'secret', 'late-db', '-n', ns]);
    createSecret(ns, 'late-db', { url: target });
    const recovered = await waitForSeed(ns, 'late-secret', isReady(1), 60_000);
    expect(condition(recovered, 'Stalled')).toBeUndefined();
    expect(recovered.status?.phase).toBe('Succeeded');
    expect(await query<{ name: string }>(target, 'SELECT name FROM items ORDER BY id')).toEqual([
      { name: 'one' },
      { name: 'two' },
    ]);
    // One Warning per kind of failure, not one per retry; one Event for the recovery.
    const events = await seedEvents(ns, 'late-secret');
    expect(events.filter((e) => e.reason === 'SeedFailed').length).toBe(1);
    expect(events.filter((e) => e.reason === 'Seeded').length).toBe(1);
  });

  it('is Stalled with ConnectionFailed on a database that does not answer, retries it, and keeps reconciling other DataSeeds', async () => {
    createSecret(ns, 'nowhere-db', { url: 'postgresql://postgres@127.0.0.1:1/nowhere' });
    await applyDataSeed(ns, 'unreachable', sqlSeed('nowhere-db'));
    const stalled = await waitForSeed(ns, 'unreachable', isStalled('ConnectionFailed'));
    expect(condition(stalled, 'Ready')?.message).toMatch(
      /^cannot connect to the target database: .*(ECONNREFUSED|connect)/,
    );
    const retried = await waitForSeed(
      ns,
      'unreachable',
      (o) => /attempt [2-9]/.test(condition(o, 'Stalled')?.message ?? ''),
      60_000,
    );
    expect(condition(retried, 'Stalled')?.reason).toBe('ConnectionFailed');

    const target = await createDatabase(process.env.UNDERSTUDY_TEST_PG_URL!, `dseed_after_${RUN}`);
    createSecret(ns, 'after-db', { url: target });
    await applyDataSeed(ns, 'after', sqlSeed('after-db'));
    expect((await waitForSeed(ns, 'after', isReady(1))).status?.phase).toBe('Succeeded');
    expect(condition(await getDataSeed(ns, 'unreachable'), 'Stalled')?.reason).toBe('ConnectionFailed');
  });
});

describe('the DataSeed controller where it may not read Secrets', () => {
  let ns: string;
  let manager: Manager;

  beforeAll(async () => {
    // No grant: the chart lets the operator read Secrets only where an admin says.
    ns = await seedNamespace('dseed-noread', { readable: false });
    createConfigMap(ns, 'items-sql', { 'seed.sql': SQL });
    manager = await startOperator([ns]);
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it('is Stalled with ReferenceUnreadable saying an admin must grant read, and seeds once granted', async () => {
    const target = await createDatabase(process.env.UNDERSTUDY_TEST_PG_URL!, `dseed_noread_${RUN}`);
    createSecret(ns, 'db', { url: target });
    await applyDataSeed(ns, 'unreadable', sqlSeed('db'));
    const stalled = await waitForSeed(ns, 'unreadable', isStalled('ReferenceUnreadable'));
    expect(condition(stalled, 'Ready')?.message).toMatch(
      new RegExp(
        `^spec\\.target\\.urlSecretRef: the operator may not read Secrets in namespace ${ns}; an admin must grant it read there \\(chart value rbac\\.secretNamespaces`,
      ),
    );
    expect(stalled.status?.nextAttemptAt).toEqual(expect.any(String));
    expect(await query(target, "SELECT to_regclass('items') AS t")).toEqual([{ t: null }]);

    await grantSecretRead(ns);
    const ready = await waitForSeed(ns, 'unreadable', isReady(1), 90_000);
    expect(condition(ready, 'Stalled')).toBeUndefined();
    expect(await query<{ name: string }>(target, 'SELECT name FROM items ORDER BY id')).toEqual([
      { name: 'one' },
      { name: 'two' },
    ]);
  });
});

describe('the DataSeed controller across an operator restart', () => {
  let ns: string;
  let target: string;
  const managers: Manager[] = [];

  beforeAll(async () => {
    ns = await seedNamespace('dseed-restart');
    target = (await shopDatabase(`dseed_restart_${RUN}`)).url;
    createSecret(ns, 'db', { url: target });
    createConfigMap(ns, 'shop-profile', { 'profile.json': shopFile('profile.json') });
    createConfigMap(ns, 'shop-seed-rules', { 'rules.yaml': shopFile('rules.yaml') });
  });
  afterAll(async () => {
    for (const m of managers) await m.stop();
    if (ns) deleteNamespace(ns);
  });

  it('seeds again after a restart a seed the previous operator stopped half-way', async () => {
    const first = await startOperator([ns], { progressIntervalMs: 250 });
    managers.push(first);
    await applyDataSeed(ns, 'big', {
      source: {
        synthesize: {
          profile: { configMapRef: { name: 'shop-profile', key: 'profile.json' } },
          scale: { ratio: '1' },
          seed: 3,
        },
      },
      target: { urlSecretRef: { name: 'db', key: 'url' } },
      rulesFrom: { name: 'shop-seed-rules', key: 'rules.yaml' },
      runner: 'Inline',
    });
    const midway = await waitForSeed(
      ns,
      'big',
      (o) => o.status?.phase === 'Running' && (o.status.totals?.rows ?? 0) > 0,
      60_000,
    );
    expect(condition(midway, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Seeding' });
    expect(condition(midway, 'Reconciling')?.message).toMatch(/^seeding: [0-9,]+ rows written of about [0-9,]+/);
    await first.stop();
    // Nothing claims the seed finished: the status still says it is running.
    await new Promise((r) => setTimeout(r, 1_000));
    const left = (await getDataSeed(ns, 'big'))!;
    expect(left.status?.phase).toBe('Running');
    expect(condition(left, 'Ready')?.status).toBe('False');

    const second = await startOperator([ns]);
    managers.push(second);
    const seeded = await waitForSeed(ns, 'big', isReady(1), 240_000);
    const counts = await rowCounts(target);
    expect(counts['public.users']).toBe(10_000);
    expect(seeded.status?.totals?.rows).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    const started = (await seedEvents(ns, 'big')).filter((e) => e.reason === 'SeedingStarted').map((e) => e.note);
    expect(started).toHaveLength(2);
    expect(started.some((note) => note?.includes('again after an interrupted run'))).toBe(true);
  });
});
