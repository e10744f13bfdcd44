import { LoadScenarioSchema } from '../../api/load-scenario';
import { PlanTooLarge, loadJob, loadJobName, resultFromLog } from './job';

describe('the load Job', () => {
  const plan = {
    scenarios: [
      LoadScenarioSchema.parse({
        name: 's',
        executor: 'constant-arrival-rate',
        rate: 10,
        duration: '1s',
        requests: [{ path: '/' }],
      }),
    ],
    targets: { shop: 'http://shop.ns.svc:80' },
    values: {},
    thresholds: [],
  };
  const owner = {
    apiVersion: 'understudy.dev/v1alpha1',
    kind: 'LoadTest',
    metadata: { name: 'checkout-peak', namespace: 'shop-pr-1', uid: 'u1', generation: 2 },
  };

  it("names a Job beside the targets after the LoadTest's namespace too: two LoadTests named alike never share one", () => {
    const made = loadJob(owner, 1, 'shop-pr-1', plan, 1, { image: 'understudy:1' });
    const beside = loadJob({ ...owner, metadata: { ...owner.metadata, namespace: 'team' } }, 1, 'shop-pr-1', plan, 1, {
      image: 'understudy:1',
    });
    expect(made.metadata?.name).toBe('checkout-peak-load-1');
    expect(beside.metadata?.name).toMatch(/^checkout-peak-[0-9a-f]{6}-load-1$/);
    expect(beside.metadata?.labels).toMatchObject({
      'understudy.dev/loadtest': 'checkout-peak',
      'understudy.dev/loadtest-namespace': 'team',
    });
  });

  it('labels a Job of a LoadTest whose name is longer than a label value may be', () => {
    const long = 'checkout.'.repeat(20) + 'peak';
    const job = loadJob({ ...owner, metadata: { ...owner.metadata, name: long } }, 1, 'shop-pr-1', plan, 1, {
      image: 'understudy:1',
    });
    const labels = [
      job.metadata?.labels?.['understudy.dev/loadtest'],
      (job.spec.template as { metadata?: { labels?: Record<string, string> } }).metadata?.labels?.[
        'understudy.dev/loadtest'
      ],
    ];
    for (const value of labels) expect(value).toMatch(/^checkout\.checkout\..{30,}-[0-9a-f]{6}$/);
    for (const value of labels) expect(value!.length).toBeLessThanOrEqual(63);
    expect(job.metadata?.name?.length).toBeLessThanOrEqual(63);
  });

  it('is an Indexed Job of N workers, each taking its share by completion index, without API access', () => {
    const job = loadJob(owner, 2, 'shop-pr-1', plan, 4, { image: 'understudy:1' });
    expect(job.metadata?.name).toBe('checkout-peak-load-2');
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4, backoffLimit: 0 });
    const pod = (
      job.spec.template as {
        spec: {
          automountServiceAccountToken: boolean;
          containers: Array<{ args: string[]; env: Array<{ value: string }> }>;
        };
      }
    ).spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.containers[0]!.args).toEqual([
      'load',
      '--plan-env',
      'UNDERSTUDY_LOAD_PLAN',
      '--worker',
      '$(JOB_COMPLETION_INDEX)/4',
      '--result-line',
      '--no-progress',
    ]);
    expect(JSON.parse(pod.containers[0]!.env[0]!.value)).toMatchObject({ targets: plan.targets });
    expect(job.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'LoadTest', uid: 'u1', controller: true });
    // In another namespace than the LoadTest's, no owner reference (they cannot cross namespaces).
    expect(loadJob(owner, 2, 'elsewhere', plan, 1, { image: 'x' }).metadata?.ownerReferences).toBeUndefined();
  });

  it('keeps its name a DNS label', () => {
    expect(loadJobName('x'.repeat(70), 12)).toHaveLength(63);
    expect(loadJobName('x'.repeat(70), 12, 'team', 'shop-pr-1')).toHaveLength(63);
  });

  it('refuses a plan too large for a Job spec, saying what to shrink', () => {
    const values = { ids: Array.from({ length: 10_000 }, (_, i) => `${'x'.repeat(100)}${i}`) };
    expect(() => loadJob(owner, 1, 'shop-pr-1', { ...plan, values }, 1, { image: 'understudy:1' })).toThrow(
      PlanTooLarge,
    );
    expect(() => loadJob(owner, 1, 'shop-pr-1', { ...plan, values }, 1, { image: 'understudy:1' })).toThrow(
      /^the plan \(scenarios, values, replayed requests\) is \d+ KiB, more than a Job's spec can carry \(1024 KiB\): fewer spec\.valuesFrom rows/,
    );
  });

  it("reads a worker's result from the end of its log", () => {
    const result = { worker: { index: 1, count: 2 }, startedAt: '2026-12-07T08:00:00.000Z', scenarios: [] };
    expect(resultFromLog(`scenario s ...\nunderstudy-load-result ${JSON.stringify(result)}\n`)).toEqual(result);
    expect(resultFromLog('no result here')).toBeUndefined();
    expect(resultFromLog(`understudy-load-result ${JSON.stringify(result).slice(0, 30)}`)).toBeUndefined();
  });
});
