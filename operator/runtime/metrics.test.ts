import { createMetricsRegistry, runtimeMetrics } from './metrics';

describe('runtime metrics', () => {
  it('counts REST requests by code, method and host, and times all but watches', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const metrics = runtimeMetrics(registry);
    metrics.observeRequest({ method: 'GET', code: '200', host: '127.0.0.1:6443', seconds: 0.02 });
    metrics.observeRequest({ method: 'GET', code: '200', host: '127.0.0.1:6443', seconds: 0.2 });
    metrics.observeRequest({ method: 'POST', code: '<error>', host: '127.0.0.1:6443', seconds: 30 });
    metrics.observeRequest({ method: 'GET', code: '200', host: '127.0.0.1:6443' });
    const text = await registry.metrics();
    expect(text).toContain('rest_client_requests_total{code="200",method="GET",host="127.0.0.1:6443"} 3');
    expect(text).toContain('rest_client_requests_total{code="<error>",method="POST",host="127.0.0.1:6443"} 1');
    expect(text).toContain('rest_client_request_duration_seconds_count{verb="GET",host="127.0.0.1:6443"} 2');
    expect(text).toContain(
      'rest_client_request_duration_seconds_bucket{le="0.025",verb="GET",host="127.0.0.1:6443"} 1',
    );
  });

  it('exports leader_election_master_status by lease name', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const metrics = runtimeMetrics(registry);
    metrics.leaderStatus.set({ name: 'understudy-operator' }, 1);
    expect(await registry.metrics()).toContain('leader_election_master_status{name="understudy-operator"} 1');
  });

  it('adds the controller label to every workqueue series', async () => {
    const registry = createMetricsRegistry({ defaultMetrics: false });
    const { workqueue } = runtimeMetrics(registry);
    workqueue.depth.set({ name: 'dataseed' }, 3);
    workqueue.adds.inc({ name: 'dataseed' });
    workqueue.retries.inc({ name: 'dataseed' });
    workqueue.queueDuration.observe({ name: 'dataseed' }, 0.5);
    workqueue.workDuration.observe({ name: 'dataseed' }, 0.5);
    workqueue.inFlight.set('dataseed', { unfinishedWorkSeconds: () => 1, longestRunningProcessorSeconds: () => 2 });
    const series = (await registry.metrics())
      .split('\n')
      .filter((l) => l.startsWith('workqueue_') && !l.includes('_bucket'));
    expect(series.length).toBe(9);
    for (const line of series) expect(line).toMatch(/\{controller="dataseed",name="dataseed"\}/);
  });
});
