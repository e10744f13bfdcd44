import { randomBytes } from 'node:crypto';
import type { DataSeedSpecInput } from '../../operator/api/dataseed';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace } from '../support/kube';
import { query, shopDatabase, tableDigests } from '../support/shop-db';
import {
  applyDataSeed,
  condition,
  createConfigMap,
  createSecret,
  isReady,
  isStalled,
  seedNamespace,
  shopFile,
  startOperator,
  waitForSeed,
} from './dataseed-controller.fixture';

jest.setTimeout(300_000);

// Inline seeds run inside the operator: one tenant's database must not be able
// to crash it, hold every slot, or keep a slot forever.

const RUN = randomBytes(3).toString('hex');

/** A synthesize seed big enough to be caught running (10,000 users and their rows). */
function bigSeed(): DataSeedSpecInput {
  return {
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
  };
}

async function shopNamespace(prefix: string, database: string): Promise<{ ns: string; target: string }> {
  const ns = await seedNamespace(prefix);
  const target = (await shopDatabase(database)).url;
  createSecret(ns, 'db', { url: target });
  createConfigMap(ns, 'shop-profile', { 'profile.json': shopFile('profile.json') });
  createConfigMap(ns, 'shop-seed-rules', { 'rules.yaml': shopFile('rules.yaml') });
  return { ns, target };
}

const running = (o: { status?: { phase?: string; totals?: { rows?: number } } }) =>
  o.status?.phase === 'Running' && (o.status.totals?.rows ?? 0) > 0;

describe('Inline seeds against a database that drops their connections', () => {
  let ns: string;
  let target: string;
  let manager: Manager;
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);

  beforeAll(async () => {
    ({ ns, target } = await shopNamespace('dseed-reset', `dseed_reset_${RUN}`));
    process.on('uncaughtException', onUncaught);
    manager = await startOperator([ns], { progressIntervalMs: 250 });
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it('survives pg_terminate_backend mid-seed: the operator lives on, the DataSeed is Stalled naming the lost connection, the target is untouched', async () => {
    const before = await tableDigests(target);
    await applyDataSeed(ns, 'big', bigSeed());
    await waitForSeed(ns, 'big', running, 60_000);
    const [ended] = await query<{ n: string }>(
      target,
      "SELECT count(pg_terminate_backend(pid))::text AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'understudy-seed%'",
    );
    expect(Number(ended!.n)).toBeGreaterThanOrEqual(2);
    const stalled = await waitForSeed(ns, 'big', isStalled('ConnectionFailed'), 60_000);
    expect(condition(stalled, 'Ready')?.message).toMatch(/^lost the connection to a database/);
    expect(uncaught).toEqual([]);
    // Rolled back as a whole; the retry (with backoff) may be loading again, never visibly.
    const after = await tableDigests(target);
    expect([JSON.stringify(before)]).toContain(JSON.stringify(after));
    // The operator that survived finishes the seed on its retry.
    await waitForSeed(ns, 'big', isReady(1), 240_000);
    expect(uncaught).toEqual([]);
  });
});

describe('Inline seeds with a deadline and a limit per namespace', () => {
  const namespaces: string[] = [];
  let manager: Manager | undefined;
  afterAll(async () => {
    await manager?.stop();
    for (const ns of namespaces) deleteNamespace(ns);
  });

  it('cancels a seed past its deadline: Stalled with DeadlineExceeded, the target as it was', async () => {
    const { ns, target } = await shopNamespace('dseed-deadline', `dseed_deadline_${RUN}`);
    namespaces.push(ns);
    manager = await startOperator([ns], { inlineSeedDeadlineSeconds: 1, progressIntervalMs: 250 });
    const before = await tableDigests(target);
    await applyDataSeed(ns, 'slow', bigSeed());
    const stalled = await waitForSeed(ns, 'slow', isStalled('DeadlineExceeded'), 120_000);
    expect(condition(stalled, 'Ready')?.message).toContain('deadline of 1s');
    expect(await tableDigests(target)).toEqual(before);
    await manager.stop();
    manager = undefined;
  });

  it("runs one seed per namespace at a time while another namespace's seed runs beside it", async () => {
    const a = await shopNamespace('dseed-limit-a', `dseed_limit_a_${RUN}`);
    const b = await shopNamespace('dseed-limit-b', `dseed_limit_b_${RUN}`);
    namespaces.push(a.ns, b.ns);
    manager = await startOperator([a.ns, b.ns], {
      maxInlineSeeds: 3,
      maxInlineSeedsPerNamespace: 1,
      progressIntervalMs: 250,
    });
    // team-a's second seed writes to a database of its own, so only the limit holds it back.
    const second = (await shopDatabase(`dseed_limit_a2_${RUN}`)).url;
    createSecret(a.ns, 'db2', { url: second });
    await applyDataSeed(a.ns, 'one', bigSeed());
    await waitForSeed(a.ns, 'one', running, 60_000);
    await applyDataSeed(a.ns, 'two', { ...bigSeed(), target: { urlSecretRef: { name: 'db2', key: 'url' } } });
    await applyDataSeed(b.ns, 'one', bigSeed());
    await waitForSeed(b.ns, 'one', running, 60_000);
    const queued = await waitForSeed(
      a.ns,
      'two',
      (o) => /waiting for a free slot/.test(condition(o, 'Reconciling')?.message ?? ''),
      30_000,
    );
    expect(condition(queued, 'Reconciling')?.message).toContain('1 from one namespace');
    for (const [ns, name] of [
      [a.ns, 'one'],
      [b.ns, 'one'],
      [a.ns, 'two'],
    ] as const)
      await waitForSeed(ns, name, isReady(1), 240_000);
  });
});
