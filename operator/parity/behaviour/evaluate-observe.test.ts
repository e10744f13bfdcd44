import { PrometheusQuerySchema } from '../../api/paritycheck';
import { type BehaviourObservation, evaluateBehaviour } from './evaluate';
import type { MetricsSource, Series } from './prometheus';

// The behaviour gauges: every side's median per query and service, reported
// whether or not the two sides differ, so an alert can compare them itself.
describe('behaviour observations', () => {
  const series = (values: number[]): Series[] => [{ labels: {}, values }];
  const source: MetricsSource = {
    description: 'fake',
    requests: 0,
    queryRange: async (query) => {
      if (query.includes('shop-pr-1') && query.includes('checkout')) return series([0.03, 0.03, NaN, 0.05, 0.01]);
      if (query.includes('checkout')) return series([0.01, 0.01, 0.01]);
      return [];
    },
  };

  it("reports each side's median of finite samples, and nothing for a side without data", async () => {
    const observed: BehaviourObservation[] = [];
    const query = PrometheusQuerySchema.parse({
      name: 'error-rate',
      query: 'rate(errors{namespace="{{namespace}}",service="{{service}}"}[5m])',
      range: '10m',
      minSamples: 1,
    });
    await evaluateBehaviour(source, {
      queries: [query],
      defaultTolerance: 0.2,
      noiseFloor: false,
      mapping: { staging: 'shop-pr-1', production: 'shop' },
      services: ['checkout', 'cart'],
      now: new Date('2026-01-01T00:00:00Z'),
      observe: (o) => observed.push(o),
    });
    expect(observed).toEqual([
      { query: 'error-rate', service: 'checkout', side: 'staging', value: 0.03 },
      { query: 'error-rate', service: 'checkout', side: 'production', value: 0.01 },
    ]);
  });
});
