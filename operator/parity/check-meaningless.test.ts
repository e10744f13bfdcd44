import { parseResolvedParityCheck, type ResolvedParityCheckInput } from '../api/paritycheck';
import type { Series } from './behaviour/prometheus';
import { invalidSpecStatus, runParityCheck, type ParitySources } from './check';
import type { KubeObject } from './config/normalize';
import type { DatabaseSchema, DatabaseStatistics } from './database/model';
import { exitCodeOf } from './report';
import { MemoryCatalogue, MemoryMetrics, MemoryObjects } from './testing/memory-sources';
import { asStoredByServer, shopService } from './testing/shop-fixture';

// A check reports parity only when something of production was compared and
// found equal. Each case here compared nothing, or compared something with
// itself, or ignored everything, and once reported InParity with exit code 0.

const now = new Date('2026-03-01T12:00:00Z');
const shop = (namespace: string): KubeObject[] =>
  ['catalog', 'checkout'].flatMap((n) => shopService(n, { namespace })).map(asStoredByServer);
const condition = (result: Awaited<ReturnType<typeof runParityCheck>>, type: string) =>
  result.status.conditions?.find((c) => c.type === type);

const orders = (): DatabaseSchema =>
  new Map([
    [
      'public.orders',
      { columns: new Map([['id', { type: 'bigint', nullable: false }]]), indexes: [], constraints: [] },
    ],
  ]);
const rows = (): DatabaseStatistics =>
  new Map([
    [
      'public.orders',
      {
        rows: 1000,
        exactRows: 1000,
        columns: new Map([['id', { nullFraction: 0, distinct: -1 }]]),
        lastAnalyzed: now.toISOString(),
      },
    ],
  ]);
const flat = (value: number): Series[] => [{ labels: {}, values: Array(60).fill(value) }];

function objects(staging: KubeObject[] = shop('shop-pr-1'), production: KubeObject[] = shop('shop')) {
  const all = new MemoryObjects([...staging, ...production]);
  return { staging: all, production: all };
}

async function check(input: Partial<ResolvedParityCheckInput>, sources: ParitySources) {
  const spec = parseResolvedParityCheck({
    staging: { namespace: 'shop-pr-1' },
    production: { namespace: 'shop' },
    ...input,
  });
  return runParityCheck(spec, { secretKey: Buffer.alloc(32, 1), ...sources }, undefined, now);
}

describe('a check that compared nothing is never in parity', () => {
  it('is Inconclusive (exit 2) when the configuration selector matches no production object', async () => {
    const result = await check(
      { categories: { configuration: { selector: { matchLabels: { app: 'typo' } } } } },
      { objects: objects() },
    );
    expect(result.status.summary?.verdict).toBe('Inconclusive');
    expect(condition(result, 'InParity')).toMatchObject({ status: 'Unknown', reason: 'Inconclusive' });
    expect(condition(result, 'ConfigDrifted')).toMatchObject({
      status: 'Unknown',
      message: expect.stringMatching(/production namespace shop has no object selected by .*selector.*nothing/),
    });
    expect(condition(result, 'Ready')).toMatchObject({ status: 'True' });
    expect(exitCodeOf(result)).toBe(2);
  });

  it('is Inconclusive when include names nothing, or the compared kinds are absent from production', async () => {
    const include = await check(
      { categories: { configuration: { include: ['Deployment/chekout'] } } },
      { objects: objects() },
    );
    expect(include.status.summary?.verdict).toBe('Inconclusive');
    // Production has ConfigMaps (listed for env references) but no Deployment: zero workloads compared.
    const noWorkloads = (ns: string) => shop(ns).filter((o) => o.kind !== 'Deployment');
    const kinds = await check(
      { categories: { configuration: { kinds: ['Deployment'] } } },
      { objects: objects(noWorkloads('shop-pr-1'), noWorkloads('shop')) },
    );
    expect(kinds.status.summary?.verdict).toBe('Inconclusive');
    expect(kinds.inconclusive).toEqual([expect.objectContaining({ category: 'configuration', resource: '*' })]);
  });

  it('does not count objects only staging has as a comparison', async () => {
    const onlyStaging: KubeObject[] = [
      ...shop('shop-pr-1'),
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'new-feature', namespace: 'shop-pr-1', labels: { tier: 'new' } },
        data: { FLAG: 'on' },
      },
    ];
    const result = await check(
      { categories: { configuration: { selector: { matchLabels: { tier: 'new' } } } }, failOn: 'warning' },
      { objects: objects(onlyStaging) },
    );
    expect(result.findings.every((f) => f.severity === 'info')).toBe(true);
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.status.summary?.verdict).toBe('Inconclusive');
  });

  it('cannot have the missing comparison ignored away', async () => {
    const result = await check(
      {
        categories: { configuration: { selector: { matchLabels: { app: 'typo' } } } },
        // `*` matches the empty path of the nothing-compared item, without matching everything.
        ignore: [{ path: '*', category: 'configuration', reason: 'top-level fields do not matter' }],
      },
      { objects: objects() },
    );
    expect(result.status.summary?.verdict).toBe('Inconclusive');
  });

  it('compares a staging copy that lost the selected label instead of skipping it', async () => {
    const staging = shop('shop-pr-1').map((o) => {
      if (o.kind !== 'Deployment' || o.metadata.name !== 'checkout') return o;
      const copy = structuredClone(o) as KubeObject & { spec: { replicas: number } };
      copy.metadata.labels = {};
      copy.spec.replicas = 9;
      return copy;
    });
    const result = await check(
      { categories: { configuration: { selector: { matchLabels: { app: 'checkout' } } } } },
      { objects: objects(staging) },
    );
    expect(result.status.summary?.verdict).toBe('Drifted');
    expect(result.findings).toContainEqual(
      expect.objectContaining({ resource: 'Deployment/checkout', path: 'spec.replicas' }),
    );
  });

  it('is Inconclusive when excludeTables leaves out every production table, whatever sequences they own', async () => {
    const identity = {
      type: 'bigint',
      start: '1',
      increment: '1',
      min: '1',
      max: '9223372036854775807',
      cycle: false,
    };
    const types = { enums: new Map(), domains: new Map(), sequences: new Map([['public.orders_id_seq', identity]]) };
    const database = () => new MemoryCatalogue('db', orders(), rows(), undefined, types);
    const result = await check(
      {
        categories: {
          configuration: { enabled: false },
          schema: {
            staging: { connectionSecretRef: { name: 's', key: 'url' } },
            production: { database: 'p' },
            excludeTables: ['*'],
          },
        },
      },
      { databases: { staging: database(), production: database() } },
    );
    expect(result.status.summary?.verdict).toBe('Inconclusive');
    expect(condition(result, 'SchemaDrifted')).toMatchObject({
      status: 'Unknown',
      message: expect.stringContaining('excludeTables'),
    });
  });

  it('refuses a spec in which every category is off: InvalidSpec, no verdict, exit 2', async () => {
    const result = await check({ categories: { configuration: { enabled: false } } }, {});
    expect(result.status.summary).toBeUndefined();
    expect(condition(result, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InvalidSpec',
      message: expect.stringContaining('spec.categories'),
    });
    expect(condition(result, 'InParity')).toMatchObject({ status: 'Unknown' });
    expect(result.events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InvalidSpec' })]);
    expect(exitCodeOf(result)).toBe(2);
  });
});

describe('a check that compared production with itself is never in parity', () => {
  const schemaSpec = {
    categories: {
      configuration: { enabled: false },
      schema: { staging: { connectionSecretRef: { name: 's', key: 'url' } }, production: { database: 'p' } },
      data: {},
    },
  };

  it('stops schema and data when both sides are the same database, naming the field', async () => {
    const same = 'db.internal:5432/shop';
    const result = await check(schemaSpec, {
      databases: {
        staging: new MemoryCatalogue('staging', orders(), rows(), same),
        production: new MemoryCatalogue('production', orders(), rows(), same),
      },
    });
    expect(condition(result, 'SchemaDrifted')).toMatchObject({
      status: 'Unknown',
      reason: 'SourceUnavailable',
      message: expect.stringMatching(/spec\.categories\.schema: .*same database \(db\.internal:5432\/shop\)/),
    });
    expect(condition(result, 'DataDrifted')).toMatchObject({ status: 'Unknown', reason: 'SourceUnavailable' });
    expect(exitCodeOf(result)).toBe(2);
    const apart = await check(schemaSpec, {
      databases: {
        staging: new MemoryCatalogue('staging', orders(), rows(), 'db.internal:5432/shop_staging'),
        production: new MemoryCatalogue('production', orders(), rows(), same),
      },
    });
    expect(apart.status.summary?.verdict).toBe('InParity');
  });

  it('stops behaviour when both sides have one namespace name (one Prometheus, the same series)', async () => {
    const result = await check(
      {
        production: { namespace: 'shop' },
        staging: { namespace: 'shop' },
        categories: {
          configuration: { enabled: false },
          behaviour: { queries: [{ name: 'p95', query: 'p95{namespace="{{namespace}}"}' }] },
        },
      },
      { metrics: new MemoryMetrics(() => flat(0.1)) },
    );
    expect(condition(result, 'BehaviourDrifted')).toMatchObject({
      status: 'Unknown',
      reason: 'SourceUnavailable',
      message: expect.stringContaining('both namespace shop'),
    });
    expect(exitCodeOf(result)).toBe(2);
  });
});

describe('a check that ignores everything is refused, not passed', () => {
  const drifted = () => {
    const staging = shop('shop-pr-1').map((o) =>
      o.kind === 'Deployment' ? { ...o, spec: { ...(o.spec as object), replicas: 7 } } : o,
    );
    return { objects: objects(staging) };
  };

  it.each([
    [{ path: '**', reason: 'noise' }, /spec\.ignore\[0\] .* ignores every finding of every category/],
    [{ path: '**', resource: '*', reason: 'noise' }, /spec\.ignore\[0\] .* ignores every finding of every category/],
    [
      { path: '**', category: 'configuration' as const, reason: 'noise' },
      /spec\.ignore\[0\] .* ignores every configuration finding.*enabled: false/,
    ],
    [{ path: '**', resource: 'Query/*', reason: 'noise' }, /ignores every behaviour finding/],
    [{ path: '**', resource: 'Table/*', reason: 'noise' }, /ignores every data finding.*remove spec\.categories\.data/],
  ])('refuses %j', async (rule, message) => {
    const result = await check({ ignore: [rule] }, drifted());
    expect(result.status.summary).toBeUndefined();
    expect(condition(result, 'Stalled')).toMatchObject({
      reason: 'InvalidSpec',
      message: expect.stringMatching(message),
    });
    expect(exitCodeOf(result)).toBe(2);
  });

  it('accepts rules narrowed to a resource or a path, and says in InParity that findings were ignored', async () => {
    const result = await check(
      {
        ignore: [
          { path: 'spec.replicas', reason: 'scaled down' },
          { path: '**', resource: 'Secret/*', reason: 'not ours' },
        ],
      },
      drifted(),
    );
    expect(result.status.summary).toMatchObject({ verdict: 'InParity', ignored: 2 });
    expect(condition(result, 'InParity')).toMatchObject({
      status: 'True',
      message: expect.stringContaining('2 ignored by spec.ignore'),
    });
  });
});

describe('missing data', () => {
  it('is never ignored into a pass: a rule that matches only "no data" is unmatched', async () => {
    const result = await check(
      {
        categories: {
          configuration: { enabled: false },
          behaviour: { queries: [{ name: 'p95', query: 'p95{namespace="{{namespace}}"}' }] },
        },
        ignore: [{ path: 'median', category: 'behaviour', resource: 'Query/p95', reason: 'staging gets no traffic' }],
      },
      { metrics: new MemoryMetrics(() => []) },
    );
    expect(result.status.summary).toMatchObject({ verdict: 'Inconclusive', inconclusive: 1, ignored: 0 });
    expect(result.status.unmatchedIgnoreRules).toEqual([0]);
    expect(exitCodeOf(result)).toBe(2);
  });
});

describe('an invalid spec', () => {
  it('keeps no verdict of an earlier run (the Verdict column would still say InParity)', () => {
    const previous = {
      summary: {
        verdict: 'InParity' as const,
        score: 100,
        critical: 0,
        warning: 0,
        info: 0,
        expected: 0,
        ignored: 0,
        inconclusive: 0,
        total: 0,
      },
      findings: [],
      lastCheckedAt: now.toISOString(),
    };
    const status = invalidSpecStatus('spec.interval: bad', previous, now, 4);
    expect(status.summary).toBeUndefined();
    expect(status.findings).toBeUndefined();
    expect(status.observedGeneration).toBe(4);
  });
});

describe('failOn', () => {
  const staging = () =>
    shop('shop-pr-1').map((o) =>
      o.kind === 'Deployment' && o.metadata.name === 'checkout'
        ? { ...o, spec: { ...(o.spec as object), replicas: 7 } }
        : o,
    );
  it('fails on a finding exactly at the threshold and passes one below it', async () => {
    // A replica count off its ratio is a warning.
    const at = await check({ failOn: 'warning' }, { objects: objects(staging()) });
    expect(at.findings.map((f) => f.severity)).toEqual(['warning']);
    expect(exitCodeOf(at)).toBe(1);
    const below = await check({ failOn: 'critical' }, { objects: objects(staging()) });
    expect(below.status.summary?.verdict).toBe('InParity');
    expect(exitCodeOf(below)).toBe(0);
  });
});
