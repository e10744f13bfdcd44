import { parseResolvedParityCheck, type ResolvedParityCheckInput } from '../api/paritycheck';
import type { Series } from './behaviour/prometheus';
import { runParityCheck, type ParitySources } from './check';
import type { KubeObject } from './config/normalize';
import type { DatabaseSchema, DatabaseStatistics } from './database/model';
import { MemoryCatalogue, MemoryMetrics, MemoryObjects } from './testing/memory-sources';
import { asStoredByServer, shopService } from './testing/shop-fixture';

const table = (): DatabaseSchema =>
  new Map([
    [
      'public.orders',
      { columns: new Map([['id', { type: 'bigint', nullable: false }]]), indexes: [], constraints: [] },
    ],
  ]);
const stats = (rows: number): DatabaseStatistics =>
  new Map([['public.orders', { rows, columns: new Map([['id', { nullFraction: 0, distinct: -1 }]]) }]]);
const flat = (value: number): Series[] => [{ labels: {}, values: Array(60).fill(value) }];

function shop(namespace: string, change?: (objects: KubeObject[]) => void): KubeObject[] {
  const objects = ['catalog', 'checkout'].flatMap((n) => shopService(n, { namespace })).map(asStoredByServer);
  change?.(objects);
  return objects;
}

const baseSpec: ResolvedParityCheckInput = {
  staging: { namespace: 'shop-pr-1' },
  production: { namespace: 'shop' },
  categories: {
    schema: { staging: { connectionSecretRef: { name: 's', key: 'url' } }, production: { database: 'p' } },
    data: {},
    behaviour: { queries: [{ name: 'p95-latency', query: 'p95{namespace="{{namespace}}",service="{{service}}"}' }] },
  },
  ignore: [{ path: 'spec.never', reason: 'test' }],
};

function sources(
  overrides: Partial<ParitySources> & { staging?: KubeObject[]; stagingRows?: number } = {},
): ParitySources {
  const objects = new MemoryObjects([...(overrides.staging ?? shop('shop-pr-1')), ...shop('shop')]);
  return {
    objects: { staging: objects, production: objects },
    databases: {
      staging: new MemoryCatalogue('staging', table(), stats(overrides.stagingRows ?? 1000)),
      production: new MemoryCatalogue('production', table(), stats(1000)),
    },
    metrics: new MemoryMetrics(() => flat(0.1)),
    secretKey: Buffer.alloc(32, 1),
    ...overrides,
  };
}

const now = new Date('2026-03-01T12:00:00Z');
const condition = (status: { conditions?: Array<{ type: string; status: string; reason: string }> }, type: string) =>
  status.conditions?.find((c) => c.type === type);

describe('runParityCheck', () => {
  it('reports parity when nothing differs, with Ready and InParity True', async () => {
    const result = await runParityCheck(parseResolvedParityCheck(baseSpec), sources(), undefined, now, {
      generation: 3,
    });
    expect(result.findings).toEqual([]);
    expect(result.status.summary).toMatchObject({ verdict: 'InParity', score: 100, total: 0 });
    expect(condition(result.status, 'Ready')).toMatchObject({ status: 'True' });
    expect(condition(result.status, 'InParity')).toMatchObject({ status: 'True' });
    expect(
      ['ConfigDrifted', 'SchemaDrifted', 'DataDrifted', 'BehaviourDrifted'].map(
        (t) => condition(result.status, t)?.status,
      ),
    ).toEqual(['False', 'False', 'False', 'False']);
    expect(condition(result.status, 'Stalled')).toBeUndefined();
    expect(result.status.observedGeneration).toBe(3);
    expect(result.status.unmatchedIgnoreRules).toEqual([0]);
    expect(result.events).toEqual([{ type: 'Normal', reason: 'InParity', message: expect.any(String) }]);
    expect(result.requests.prometheus).toBe(4); // one query, two services, two sides
  });

  it('keeps Ready True on drift, carries firstSeen over and emits events only on transitions', async () => {
    const staging = shop('shop-pr-1', (objects) => {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'checkout') as any; // any: editing a fixture
      deployment.spec.template.spec.containers[0].env[0].value = 'debug';
    });
    const spec = parseResolvedParityCheck(baseSpec);
    const first = await runParityCheck(spec, sources({ staging, stagingRows: 500 }), undefined, now);
    expect(first.status.summary).toMatchObject({ verdict: 'Drifted', warning: 2 });
    expect(condition(first.status, 'Ready')).toMatchObject({ status: 'True' });
    expect(condition(first.status, 'InParity')).toMatchObject({ status: 'False', reason: 'Drifted' });
    expect(condition(first.status, 'ConfigDrifted')).toMatchObject({ status: 'True' });
    expect(condition(first.status, 'DataDrifted')).toMatchObject({ status: 'True' });
    expect(first.events.map((e) => e.reason).sort()).toEqual(['ConfigDrifted', 'DataDrifted', 'DriftDetected']);
    expect(first.metrics).toContainEqual({ labels: { category: 'configuration', severity: 'warning' }, value: 1 });

    const later = new Date(now.getTime() + 60_000);
    const second = await runParityCheck(spec, sources({ staging, stagingRows: 500 }), first.status, later);
    expect(second.events).toEqual([]);
    expect(second.status.findings!.every((f) => f.firstSeen === now.toISOString())).toBe(true);
    expect(condition(second.status, 'InParity')!).toMatchObject({ lastTransitionTime: now.toISOString() });
  });

  it('is Inconclusive with InParity Unknown when Prometheus has no data, never True', async () => {
    const result = await runParityCheck(
      parseResolvedParityCheck(baseSpec),
      sources({ metrics: new MemoryMetrics(() => []) }),
      undefined,
      now,
    );
    expect(result.status.summary).toMatchObject({ verdict: 'Inconclusive', inconclusive: 2 });
    expect(condition(result.status, 'InParity')).toMatchObject({ status: 'Unknown', reason: 'Inconclusive' });
    expect(condition(result.status, 'BehaviourDrifted')).toMatchObject({
      status: 'Unknown',
      reason: 'InsufficientData',
    });
    expect(condition(result.status, 'Ready')).toMatchObject({ status: 'True' });
  });

  it('turns an unreachable source into Stalled with its message while other categories still report', async () => {
    const down = new MemoryMetrics(() => new Error('cannot reach Prometheus at http://prometheus:9090: ECONNREFUSED'));
    const result = await runParityCheck(
      parseResolvedParityCheck(baseSpec),
      sources({ metrics: down, stagingRows: 500 }),
      undefined,
      now,
    );
    expect(condition(result.status, 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'SourceUnavailable',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(condition(result.status, 'Ready')).toMatchObject({ status: 'False' });
    expect(condition(result.status, 'BehaviourDrifted')).toMatchObject({
      status: 'Unknown',
      reason: 'SourceUnavailable',
    });
    expect(condition(result.status, 'DataDrifted')).toMatchObject({ status: 'True' });
  });

  it('reports sources the caller could not build', async () => {
    const result = await runParityCheck(
      parseResolvedParityCheck(baseSpec),
      sources({ unavailable: { schema: 'Secret s has no key url' } }),
      undefined,
      now,
    );
    expect(condition(result.status, 'SchemaDrifted')).toMatchObject({ status: 'Unknown', reason: 'SourceUnavailable' });
    expect(condition(result.status, 'Stalled')!).toMatchObject({ status: 'True' });
  });
});
