import { randomBytes } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import type { DataSeedSpecInput } from '../../operator/api/dataseed';
import type { Manager } from '../../operator/runtime/manager';
import { deleteNamespace, eventually, kubectlAsync } from '../support/kube';
import { orphanCount, query, rowCounts, shopDatabase, tableDigests } from '../support/shop-db';
import {
  admin,
  applyBaseline,
  applyDataSeed,
  condition,
  createConfigMap,
  createSecret,
  type DataSeedObject,
  deleteBaseline,
  getDataSeed,
  isReady,
  isStalled,
  productionCredentials,
  seedEvents,
  seedNamespace,
  shopFile,
  startOperator,
  waitForSeed,
} from './dataseed-controller.fixture';

jest.setTimeout(300_000);

// The DataSeed controller (runner: Inline) against the real control plane,
// under the operator's least-privilege identity, seeding real PostgreSQL
// databases: from a stored profile, as an anonymized subset of production
// reached through a Baseline, refused by strict mode, and re-seeded only when
// the spec changes.

const RUN = randomBytes(3).toString('hex');
const RULES = (parseYaml(shopFile('rules.yaml')) as { rules: DataSeedSpecInput['rules'] }).rules!;

function synthesize(extra: Partial<DataSeedSpecInput> = {}, seed = 7): DataSeedSpecInput {
  return {
    source: {
      synthesize: {
        profile: { configMapRef: { name: 'shop-profile', key: 'profile.json' } },
        scale: { ratio: '0.05', rows: { categories: 40, tags: 30 } },
        seed,
      },
    },
    target: { urlSecretRef: { name: 'synth-db', key: 'url' } },
    rulesFrom: { name: 'shop-seed-rules', key: 'rules.yaml' },
    runner: 'Inline',
    ...extra,
  };
}

describe('the DataSeed controller, inline runner', () => {
  let ns: string;
  let manager: Manager;
  let synthTarget: string;

  beforeAll(async () => {
    ns = await seedNamespace('dseed');
    synthTarget = (await shopDatabase(`dseed_synth_${RUN}`)).url;
    createSecret(ns, 'synth-db', { url: synthTarget });
    createConfigMap(ns, 'shop-profile', { 'profile.json': shopFile('profile.json') });
    createConfigMap(ns, 'shop-seed-rules', { 'rules.yaml': shopFile('rules.yaml') });
    manager = await startOperator([ns]);
  });
  afterAll(async () => {
    await manager?.stop();
    if (ns) deleteNamespace(ns);
  });

  it('synthesizes the shop from a profile in a ConfigMap: Running, then Ready with per-table status, and `kubectl wait` returns 0', async () => {
    const phases: string[] = [];
    const stopWatch = new AbortController();
    const watching = admin
      .watch('understudy.dev/v1alpha1', 'DataSeed', { namespace: ns, signal: stopWatch.signal }, (e) => {
        const o = e.object as DataSeedObject;
        const phase = o.metadata?.name === 'synthetic' ? o.status?.phase : undefined;
        if (phase && phases.at(-1) !== phase) phases.push(phase);
      })
      .catch(() => undefined);
    await applyDataSeed(ns, 'synthetic', synthesize());
    const waited = await kubectlAsync([
      'wait',
      '-n',
      ns,
      '--for=condition=Ready',
      'dataseed/synthetic',
      '--timeout=180s',
    ]);
    expect(waited).toMatchObject({ code: 0 });
    await eventually(() => phases.at(-1) === 'Succeeded', { what: 'the watch to see the seed succeed' }).catch(
      () => undefined,
    );
    stopWatch.abort();
    await watching;

    const seeded = (await getDataSeed(ns, 'synthetic'))!;
    const counts = await rowCounts(synthTarget);
    expect(counts['public.users']).toBe(500);
    expect(counts['public.categories']).toBe(40);
    expect(seeded.status).toMatchObject({
      phase: 'Succeeded',
      observedGeneration: 1,
      fidelity: { passed: true, foreignKeyOrphans: 0, uniqueViolations: 0 },
    });
    expect(seeded.status?.tables).toHaveLength(11);
    expect(Object.fromEntries(seeded.status!.tables!.map((t) => [t.name, t.rows]))).toEqual(counts);
    expect(seeded.status?.totals?.rows).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    expect(seeded.status?.piiCoverage?.covered).toBe(seeded.status?.piiCoverage?.total);
    expect(seeded.status?.profileDigest).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(seeded.status!.lastSeededAt!)).toBeGreaterThan(Date.now() - 300_000);
    expect(condition(seeded, 'Seeded')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(condition(seeded, 'Ready')?.message).toMatch(/^seeded [0-9,]+ rows into 11 tables/);
    // kstatus: no Reconciling or Stalled once done.
    expect(condition(seeded, 'Reconciling')).toBeUndefined();
    expect(condition(seeded, 'Stalled')).toBeUndefined();
    // The watch saw the seed running before it succeeded.
    expect(phases.at(-1)).toBe('Succeeded');
    expect(phases.slice(0, -1)).toContain('Running');
    expect(await orphanCount(synthTarget)).toBe(0);
    const events = await seedEvents(ns, 'synthetic');
    expect(events.filter((e) => e.reason === 'SeedingStarted')).toHaveLength(1);
    expect(events.filter((e) => e.reason === 'Seeded')).toHaveLength(1);
  });

  it('does not re-seed on a label change, and re-seeds when the spec changes (generation 2)', async () => {
    const before = (await getDataSeed(ns, 'synthetic'))!;
    await applyDataSeed(ns, 'synthetic', synthesize(), { team: 'checkout' });
    const labelled = await waitForSeed(ns, 'synthetic', (o) => o.metadata?.labels?.team === 'checkout');
    expect(labelled.metadata?.generation).toBe(1);
    // Long enough for a reconcile (the label change wakes it) to have started a seed if it were going to.
    await new Promise((r) => setTimeout(r, 4_000));
    const after = (await getDataSeed(ns, 'synthetic'))!;
    expect(after.status?.lastSeededAt).toBe(before.status?.lastSeededAt);
    expect(after.status?.phase).toBe('Succeeded');
    expect((await seedEvents(ns, 'synthetic')).filter((e) => e.reason === 'SeedingStarted')).toHaveLength(1);

    const digest = (await tableDigests(synthTarget))['users'];
    await applyDataSeed(ns, 'synthetic', synthesize({}, 8), { team: 'checkout' });
    const reseeded = await waitForSeed(ns, 'synthetic', isReady(2));
    expect(reseeded.status?.observedGeneration).toBe(2);
    expect(Date.parse(reseeded.status!.lastSeededAt!)).toBeGreaterThan(Date.parse(before.status!.lastSeededAt!));
    // Another random seed, other rows.
    expect((await tableDigests(synthTarget))['users']).not.toBe(digest);
    expect((await seedEvents(ns, 'synthetic')).filter((e) => e.reason === 'SeedingStarted')).toHaveLength(2);
  });

  it('fails enforced fidelity thresholds with FidelityBelowThreshold and the worst metrics in the message', async () => {
    const target = (await shopDatabase(`dseed_fidelity_${RUN}`)).url;
    createSecret(ns, 'fidelity-db', { url: target });
    await applyDataSeed(
      ns,
      'strict-fidelity',
      synthesize({
        target: { urlSecretRef: { name: 'fidelity-db', key: 'url' } },
        fidelity: { maxKolmogorovSmirnov: '0.000001', enforce: true },
      }),
    );
    const failed = await waitForSeed(ns, 'strict-fidelity', isStalled('FidelityBelowThreshold'));
    expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'FidelityBelowThreshold' });
    expect(condition(failed, 'Ready')?.message).toMatch(/^fidelity below the enforced thresholds \(worst: KS 0\.\d+/);
    expect(condition(failed, 'Ready')?.message).toMatch(/KS distance \d\.\d+ > 0\.000001/);
    expect(failed.status).toMatchObject({ phase: 'Failed', fidelity: { passed: false } });
    expect(failed.status?.tables).toHaveLength(11);
    // Events are posted after the status write: wait for the first, then check there is only one.
    const failures = async () => (await seedEvents(ns, 'strict-fidelity')).filter((e) => e.reason === 'SeedFailed');
    await eventually(async () => (await failures()).length > 0, { timeoutMs: 10_000, what: 'the SeedFailed event' });
    expect(await failures()).toHaveLength(1);
  });
});

describe('the DataSeed controller, anonymize and strict mode', () => {
  let ns: string;
  let credentials: string;
  let manager: Manager;
  let production: string;
  const baseline = `dseed-shop-${RUN}`;

  beforeAll(async () => {
    ns = await seedNamespace('dseed-anon');
    production = (await shopDatabase(`dseed_prod_${RUN}`, 400)).url;
    const withSsn = (await shopDatabase(`dseed_strict_prod_${RUN}`, 60)).url;
    await query(
      withSsn,
      "ALTER TABLE users ADD COLUMN ssn text; UPDATE users SET ssn = lpad((random() * 999999999)::int::text, 9, '0')",
    );
    // Production's credentials live in an admin namespace, named by the Baseline; the DataSeed's namespace never holds them.
    const prod = await productionCredentials('dseed-prod', { shop: production, 'shop-with-ssn': withSsn });
    credentials = prod.namespace;
    applyBaseline(baseline, [ns], prod.databases);
    createSecret(ns, 'masking-key', { key: `controller-test-key-${RUN}-0123456789` });
    createConfigMap(ns, 'shop-seed-rules', { 'rules.yaml': shopFile('rules.yaml') });
    manager = await startOperator([ns]);
  });
  afterAll(async () => {
    await manager?.stop();
    deleteBaseline(baseline);
    if (ns) deleteNamespace(ns);
    if (credentials) deleteNamespace(credentials);
  });

  const anonymize = (
    targetSecret: string,
    rules?: DataSeedSpecInput['rules'],
    database = 'shop',
  ): DataSeedSpecInput => ({
    baselineRef: { name: baseline },
    source: {
      anonymize: {
        from: { database },
        subset: { roots: [{ table: 'users', fraction: '0.1' }] },
        key: { secretKeyRef: { name: 'masking-key', key: 'key' } },
      },
    },
    target: { urlSecretRef: { name: targetSecret, key: 'url' } },
    ...(rules ? { rules } : { rulesFrom: { name: 'shop-seed-rules', key: 'rules.yaml' } }),
  });

  it('anonymizes a 10% subset with the key from a Secret: Ready, and the target holds the masked subset', async () => {
    const target = (await shopDatabase(`dseed_anon_${RUN}`)).url;
    createSecret(ns, 'anon-db', { url: target });
    await applyDataSeed(ns, 'anonymized', anonymize('anon-db'));
    const seeded = await waitForSeed(ns, 'anonymized', isReady(1));
    expect(seeded.status).toMatchObject({ phase: 'Succeeded', piiCoverage: { covered: 65, total: 65 } });
    const counts = await rowCounts(target);
    expect(counts['public.users']).toBeGreaterThan(10);
    expect(counts['public.users']).toBeLessThan(100);
    expect(seeded.status?.totals?.rows).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
    expect(await orphanCount(target)).toBe(0);
    // Masked: no production email or card number made it into the target.
    const leaked = await query<{ n: string }>(
      target,
      `SELECT count(*) AS n FROM users WHERE email IN (${(await query<{ email: string }>(production, 'SELECT email FROM users')).map((r) => `'${r.email.replace(/'/g, "''")}'`).join(',')})`,
    );
    expect(Number(leaked[0]!.n)).toBe(0);
    const cards = new Set(
      (
        await query<{ card_number: string }>(
          production,
          'SELECT card_number FROM payments WHERE card_number IS NOT NULL',
        )
      ).map((r) => r.card_number),
    );
    const targetCards = (
      await query<{ card_number: string }>(target, 'SELECT card_number FROM payments WHERE card_number IS NOT NULL')
    ).map((r) => r.card_number);
    expect(targetCards.length).toBeGreaterThan(0);
    expect(targetCards.filter((c) => cards.has(c))).toEqual([]);
    // Users' children came along: orders, and no more of them than production has.
    const productionOrders = Number((await query<{ n: string }>(production, 'SELECT count(*) AS n FROM orders'))[0]!.n);
    expect(counts['public.orders']).toBeGreaterThan(0);
    expect(counts['public.orders']).toBeLessThan(productionOrders);
  });

  it('in strict mode refuses a column without a rule, naming it, and leaves the target as it was', async () => {
    const target = (await shopDatabase(`dseed_strict_${RUN}`, 30)).url;
    await query(target, 'ALTER TABLE users ADD COLUMN ssn text');
    const before = await tableDigests(target);
    createSecret(ns, 'strict-db', { url: target });
    await applyDataSeed(ns, 'strict', anonymize('strict-db', RULES, 'shop-with-ssn'));
    const refused = await waitForSeed(ns, 'strict', isStalled('UncoveredColumns'));
    expect(condition(refused, 'Ready')).toMatchObject({ status: 'False', reason: 'UncoveredColumns' });
    expect(condition(refused, 'Stalled')?.message).toContain('public.users.ssn');
    expect(refused.status?.phase).toBe('Failed');
    expect(await tableDigests(target)).toEqual(before);
  });

  it("synthesizes from the Baseline's production profiled live, and says which databases the Baseline has when asked for another", async () => {
    const target = (await shopDatabase(`dseed_live_${RUN}`)).url;
    createSecret(ns, 'live-db', { url: target });
    const spec = (database: string): DataSeedSpecInput => ({
      baselineRef: { name: baseline },
      source: { synthesize: { profile: { fromBaseline: { database } }, scale: { ratio: '0.5' }, seed: 2 } },
      target: { urlSecretRef: { name: 'live-db', key: 'url' } },
      rulesFrom: { name: 'shop-seed-rules', key: 'rules.yaml' },
    });
    await applyDataSeed(ns, 'live-profile', spec('payments'));
    const missing = await waitForSeed(ns, 'live-profile', isStalled('ReferenceNotFound'));
    expect(condition(missing, 'Ready')?.message).toBe(
      `spec.source.synthesize.profile.fromBaseline.database: Baseline ${baseline} has no database payments; it has shop, shop-with-ssn`,
    );
    await applyDataSeed(ns, 'live-profile', spec('shop'));
    const seeded = await waitForSeed(ns, 'live-profile', isReady(2));
    expect((await rowCounts(target))['public.users']).toBe(200);
    expect(seeded.status?.profileDigest).toMatch(/^[0-9a-f]{64}$/);
    // Nothing of production's connection is in the status or the Events.
    const said = JSON.stringify([seeded.status, await seedEvents(ns, 'live-profile')]);
    expect(said).not.toContain(new URL(production).pathname.slice(1));
    expect(said).not.toContain(new URL(production).host);
  });
});
