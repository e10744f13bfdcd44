import { PrometheusQuerySchema } from '../../api/paritycheck';
import { evaluateBehaviour } from './evaluate';
import type { MetricsSource, Series } from './prometheus';

// Each side must read its own series: when one side's answer holds the
// other's, or both sides are one namespace, the comparison would measure
// staging (or production) against itself and always agree.

const now = new Date('2026-01-01T00:00:00Z');
const flat = (namespace: string, value: number): Series => ({ labels: { namespace }, values: Array(30).fill(value) });
const query = PrometheusQuerySchema.parse({ name: 'p95', query: 'p95{namespace=~"{{namespace}}.*"}', range: '30m' });

function run(answer: (query: string) => Series[], mapping = { staging: 'shop-pr-1', production: 'shop' }) {
  const source: MetricsSource = { description: 'fake', requests: 0, queryRange: async (q) => answer(q) };
  return evaluateBehaviour(source, {
    queries: [query],
    defaultTolerance: 0.2,
    noiseFloor: false,
    mapping,
    services: [],
    now,
  });
}

describe('behaviour sides', () => {
  it("is inconclusive when production's query returns only staging's series (a namespace regex)", async () => {
    // Production has no data; its regex shop.* matches shop-pr-1, so the one series both sides get is staging's.
    const result = await run((q) =>
      q.includes('"shop-pr-1.*"') || q.includes('"shop.*"') ? [flat('shop-pr-1', 1)] : [],
    );
    expect(result.differences).toEqual([]);
    expect(result.inconclusive).toEqual([
      expect.objectContaining({
        resource: 'Query/p95',
        reason: expect.stringContaining('the production query returned series of namespace shop-pr-1'),
      }),
    ]);
  });

  it('compares when each side returns its own series', async () => {
    const result = await run((q) => (q.includes('"shop-pr-1.*"') ? [flat('shop-pr-1', 3)] : [flat('shop', 1)]));
    expect(result.inconclusive).toEqual([]);
    expect(result.differences).toEqual([expect.objectContaining({ resource: 'Query/p95', path: 'median' })]);
    expect(result.compared).toBe(1);
  });

  it('refuses one namespace name on both sides: one Prometheus would answer both with the same series', async () => {
    await expect(run(() => [flat('shop', 1)], { staging: 'shop', production: 'shop' })).rejects.toThrow(
      /staging and production are both namespace shop/,
    );
  });
});
