import { parseLoadTestSpec } from './loadtest';

const base = {
  baselineRef: { name: 'shop' },
  targets: [{ name: 'web', service: 'gateway', port: 8080 }],
  scenarios: [
    { name: 'browse', executor: 'constant-arrival-rate', rate: 10, duration: '1m', requests: [{ path: '/' }] },
  ],
};

describe('LoadTest spec', () => {
  it('accepts a test and fills defaults', () => {
    const parsed = parseLoadTestSpec(base);
    expect(parsed.ok && parsed.spec).toMatchObject({ runner: 'Job', parallelism: 1, targets: [{ scheme: 'http' }] });
  });

  it.each([
    [{ scenarios: undefined }, 'spec.scenarios', 'give scenarios, a profile or a replay'],
    [
      { targets: [...base.targets, { name: 'api', service: 'api', port: 'http' }] },
      'spec.scenarios[0].target',
      'required with more than one target',
    ],
    [{ scenarios: [{ ...base.scenarios[0], target: 'nope' }] }, 'spec.scenarios[0].target', 'no target named nope'],
    [
      { runner: 'Inline', parallelism: 2 },
      'spec.parallelism',
      'runner Inline runs one worker; use runner Job for parallelism',
    ],
    [
      { targets: [{ name: 'web', service: 'Gateway!', port: 80 }] },
      'spec.targets[0].service',
      'must be a Service name',
    ],
    [{ targets: [{ name: 'web', service: 'gateway', port: 70000 }] }, 'spec.targets[0].port', undefined],
    [{ profile: { window: '365d' } }, 'spec.profile.window', 'must be at most 90d'],
    [
      { scenarios: [base.scenarios[0], { ...base.scenarios[0], rate: 50 }] },
      'spec.scenarios[1].name',
      'scenario browse appears twice',
    ],
    [
      // The replay's arrivals go to the scenario named replay: a second one would send them twice.
      {
        scenarios: [{ ...base.scenarios[0], name: 'replay' }],
        replay: { configMapRef: { name: 'log', key: 'access.log' } },
      },
      'spec.scenarios[0].name',
      'replay is the name of the scenario spec.replay makes; choose another',
    ],
    [
      { scenarios: [{ ...base.scenarios[0], name: 'production-profile' }], profile: {} },
      'spec.scenarios[0].name',
      'production-profile is the name of the scenario spec.profile makes; choose another',
    ],
  ])('refuses a bad spec naming the field (%#)', (patch, field, message) => {
    const parsed = parseLoadTestSpec({ ...base, ...patch });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.field).toBe(field);
    if (message) expect(parsed.message).toBe(message);
  });
});

describe('loadTests templates of a StagingEnvironment', () => {
  // Imported here so the template check is tested beside the schema it applies.
  const { parseStagingEnvironmentSpec } =
    jest.requireActual<typeof import('./stagingenvironment')>('./stagingenvironment');
  const { childObjects } = jest.requireActual<typeof import('../environment/children')>('../environment/children');
  const { baselineRef: _ref, ...template } = base;

  it('are judged by the LoadTest schema, naming the field', () => {
    const bad = parseStagingEnvironmentSpec({
      baselineRef: { name: 'shop' },
      loadTests: [{ name: 'peak', spec: { ...template, parallelism: 0 } }],
    });
    expect(bad).toMatchObject({ ok: false, field: 'spec.loadTests[0].spec.parallelism' });
    expect(
      parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, loadTests: [{ name: 'peak', spec: template }] }).ok,
    ).toBe(true);
  });

  it("become LoadTests naming the environment's Baseline", () => {
    const parsed = parseStagingEnvironmentSpec({
      baselineRef: { name: 'shop' },
      loadTests: [{ name: 'peak', spec: template }],
    });
    if (!parsed.ok) throw new Error(parsed.message);
    expect(childObjects(parsed.spec)).toEqual([
      {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'LoadTest',
        metadata: { name: 'peak' },
        spec: { baselineRef: { name: 'shop' }, ...template },
      },
    ]);
  });
});
