import { Registry } from 'prom-client';
import { operatorMetrics } from './operator-metrics';

async function value(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const metric = registry.getSingleMetric(name);
  if (!metric) return undefined;
  const found = (await metric.get()).values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return found?.value;
}

describe('operator metrics', () => {
  it('is registered once per registry', () => {
    const registry = new Registry();
    expect(operatorMetrics(registry)).toBe(operatorMetrics(registry));
    expect(operatorMetrics(new Registry())).not.toBe(operatorMetrics(registry));
  });

  it('counts environments by their current phase and drops forgotten ones', async () => {
    const registry = new Registry();
    const m = operatorMetrics(registry);
    m.environmentReported({ namespace: 'a', name: 'x' }, undefined, { phase: 'Provisioning' });
    m.environmentReported({ namespace: 'a', name: 'y' }, undefined, { phase: 'Provisioning' });
    m.environmentReported({ namespace: 'a', name: 'x' }, { phase: 'Provisioning' }, { phase: 'Ready' });
    expect(await value(registry, 'understudy_environments', { phase: 'Ready' })).toBe(1);
    expect(await value(registry, 'understudy_environments', { phase: 'Provisioning' })).toBe(1);
    m.environmentForgotten({ namespace: 'a', name: 'y' });
    expect(await value(registry, 'understudy_environments', { phase: 'Provisioning' })).toBeUndefined();
    expect(await registry.metrics()).toContain('understudy_environments{phase="Ready"} 1');
  });

  it('observes time to Ready once, the first time it is reached', async () => {
    const registry = new Registry();
    const m = operatorMetrics(registry);
    const key = { namespace: 'a', name: 'x' };
    m.environmentReported(key, { phase: 'Seeding' }, { phase: 'Ready', timings: { readySeconds: 42 } });
    m.environmentReported(
      key,
      { phase: 'Ready', timings: { readySeconds: 42 } },
      { phase: 'Progressing', timings: { readySeconds: 42 } },
    );
    m.environmentReported(
      key,
      { phase: 'Progressing', timings: { readySeconds: 42 } },
      { phase: 'Ready', timings: { readySeconds: 42 } },
    );
    const text = await registry.metrics();
    expect(text).toContain('understudy_environment_time_to_ready_seconds_count 1');
    expect(text).toContain('understudy_environment_time_to_ready_seconds_sum 42');
    expect(text).toContain('understudy_environment_time_to_ready_seconds_bucket{le="30"} 0');
    expect(text).toContain('understudy_environment_time_to_ready_seconds_bucket{le="60"} 1');
  });

  it('counts an expiry once however often the Expired status is written, and cleanups by kind', async () => {
    const registry = new Registry();
    const m = operatorMetrics(registry);
    const key = { namespace: 'a', name: 'x' };
    m.environmentReported(key, { phase: 'Ready' }, { phase: 'Expired' });
    m.environmentReported(key, { phase: 'Expired' }, { phase: 'Expired' });
    m.environmentCleanedUp('finalized');
    m.environmentCleanedUp('orphan', 2);
    m.environmentCleanedUp('orphan', 0);
    expect(await value(registry, 'understudy_environment_expirations_total')).toBe(1);
    expect(await value(registry, 'understudy_environment_cleanups_total', { kind: 'finalized' })).toBe(1);
    expect(await value(registry, 'understudy_environment_cleanups_total', { kind: 'orphan' })).toBe(2);
  });

  it('records seed rows and duration of committed runs, failures by reason', async () => {
    const registry = new Registry();
    const m = operatorMetrics(registry);
    m.seedFinished({ runner: 'Inline', succeeded: true, rows: 1200, seconds: 3.5 });
    m.seedFinished({ runner: 'Inline', succeeded: false, rows: 500, seconds: 1, reason: 'ConnectionFailed' });
    m.seedFinished({ runner: 'Job', succeeded: false });
    expect(await value(registry, 'understudy_seed_rows_total', { runner: 'Inline' })).toBe(1200);
    expect(
      await value(registry, 'understudy_seed_failures_total', { runner: 'Inline', reason: 'ConnectionFailed' }),
    ).toBe(1);
    expect(await value(registry, 'understudy_seed_failures_total', { runner: 'Job', reason: 'Unknown' })).toBe(1);
    const text = await registry.metrics();
    expect(text).toContain('understudy_seed_duration_seconds_count{runner="Inline",result="succeeded"} 1');
    expect(text).toContain('understudy_seed_duration_seconds_count{runner="Inline",result="failed"} 1');
    expect(text).toContain('understudy_seed_runs_total{runner="Inline",result="succeeded"} 1');
    expect(text).toContain('understudy_seed_runs_total{runner="Job",result="failed"} 1');
    expect(text).not.toContain('understudy_seed_duration_seconds_count{runner="Job"');
  });

  it("replaces a check's behaviour series with each run's, skipping non-finite values", async () => {
    const registry = new Registry();
    const m = operatorMetrics(registry);
    const check = { namespace: 'shop-pr-1', name: 'parity' };
    const obs = (service: string, side: 'staging' | 'production', value: number) => ({
      check,
      metric: 'error-rate',
      service,
      side,
      value,
    });
    m.behaviourObserved(check, [
      obs('checkout', 'staging', 0.03),
      obs('checkout', 'production', 0.01),
      obs('cart', 'staging', 0.01),
      obs('cart', 'production', NaN),
    ]);
    const labels = { check: 'shop-pr-1/parity', metric: 'error-rate' };
    expect(
      await value(registry, 'understudy_parity_behaviour_value', { ...labels, service: 'checkout', side: 'staging' }),
    ).toBe(0.03);
    expect(
      await value(registry, 'understudy_parity_behaviour_value', { ...labels, service: 'cart', side: 'production' }),
    ).toBeUndefined();
    m.behaviourObserved(check, [obs('checkout', 'staging', 0.02)]);
    expect(
      await value(registry, 'understudy_parity_behaviour_value', { ...labels, service: 'checkout', side: 'staging' }),
    ).toBe(0.02);
    expect(
      await value(registry, 'understudy_parity_behaviour_value', { ...labels, service: 'cart', side: 'staging' }),
    ).toBeUndefined();
    m.behaviourForgotten(check);
    expect((await registry.getSingleMetric('understudy_parity_behaviour_value')!.get()).values).toEqual([]);
  });
});
