import { Registry } from 'prom-client';
import type { LoadReport } from '../../load/report';
import { LoadTestMetrics } from './metrics';

describe('LoadTest metrics', () => {
  it("exports requests under the default query set's names, labelled by tested namespace and service", async () => {
    const registry = new Registry();
    const metrics = new LoadTestMetrics(registry);
    const observe = metrics.observer({ namespace: 'previews', name: 'peak' }, 'shop-pr-1', { web: 'gateway' });
    observe(
      's',
      'web',
      { route: 'GET /items', method: 'GET', path: '/items/1', headers: {}, body: undefined },
      0.2,
      200,
      undefined,
    );
    observe(
      's',
      'web',
      { route: 'GET /items', method: 'GET', path: '/items/2', headers: {}, body: undefined },
      0.4,
      undefined,
      'timeout',
    );
    const text = await registry.metrics();
    expect(text).toContain(
      'http_request_duration_seconds_bucket{le="0.25",namespace="shop-pr-1",service="gateway",route="GET /items",method="GET",loadtest="previews/peak"} 1',
    );
    expect(text).toContain(
      'http_requests_total{namespace="shop-pr-1",service="gateway",route="GET /items",method="GET",loadtest="previews/peak",code="200"} 1',
    );
    expect(text).toContain('code="timeout"');
    // A second controller on the same registry shares the metrics instead of failing to register them.
    expect(() => new LoadTestMetrics(registry)).not.toThrow();
    // Deleted, the test's request series go (another test's stay).
    metrics.observer({ namespace: 'previews', name: 'other' }, 'shop-pr-2', { web: 'gateway' })(
      's',
      'web',
      { route: 'GET /items', method: 'GET', path: '/items/1', headers: {}, body: undefined },
      0.1,
      200,
      undefined,
    );
    metrics.remove({ namespace: 'previews', name: 'peak' });
    const after = await registry.metrics();
    expect(after).not.toContain('loadtest="previews/peak"');
    expect(after).toContain('loadtest="previews/other",code="200"} 1');
  });

  it('exports the last run per route and forgets it with the test', async () => {
    const registry = new Registry();
    const metrics = new LoadTestMetrics(registry);
    const report = {
      passed: true,
      violations: [],
      scenarios: [
        {
          routes: [
            {
              scenario: 's',
              route: 'r',
              requests: 5,
              p50Ms: 10,
              p95Ms: 20,
              p99Ms: 30,
              maxMs: 40,
              errorRate: 0.2,
              errors: {},
              retries: 0,
            },
          ],
        },
      ],
    } as unknown as LoadReport;
    metrics.observe({ namespace: 'n', name: 't' }, report);
    expect(await registry.metrics()).toContain(
      'understudy_loadtest_route{namespace="n",loadtest="n/t",route="r",figure="p95_seconds"} 0.02',
    );
    metrics.forget({ namespace: 'n', name: 't' });
    expect(await registry.metrics()).not.toContain('loadtest="n/t",route="r"');
  });
});
