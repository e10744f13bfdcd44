import { parseLoadTestSpec } from './loadtest';

const base = {
  baselineRef: { name: 'shop' },
  targets: [{ name: 'web', service: 'gateway', port: 8080 }],
  scenarios: [{ name: 'browse', executor: 'constant-arrival-rate', rate: 10, duration: '1m', requests: [{ path: '/' }] }],
};

describe('LoadTest spec', () => {
  it('accepts a test and fills defaults', () => {
    const parsed = parseLoadTestSpec(base);
    expect(parsed.ok && parsed.spec).toMatchObject({ runner: 'Job', parallelism: 1, targets: [{ scheme: 'http' }] });
  });

  it.each([
    [{ scenarios: undefined }, 'spec.scenarios', 'give scenarios, a profile or a replay'],
    [{ targets: [...base.targets, { name: 'api', service: 'api', port: 'http' }] }, 'spec.scenarios[0].target', 'required with more than one target'],
    [{ scenarios: [{ ...base.scenarios[0], target: 'nope' }] }, 'spec.scenarios[0].target', 'no target named nope'],
    [{ runner: 'Inline', parallelism: 2 }, 'spec.parallelism', 'runner Inline runs one worker; use runner Job for parallelism'],
    [{ targets: [{ name: 'web', service: 'Gateway!', port: 80 }] }, 'spec.targets[0].service', 'must be a Service name'],
    [{ targets: [{ name: 'web', service: 'gateway', port: 70000 }] }, 'spec.targets[0].port', undefined],
  ])('refuses a bad spec naming the field (%#)', (patch, field, message) => {
    const parsed = parseLoadTestSpec({ ...base, ...patch });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.field).toBe(field);
    if (message) expect(parsed.message).toBe(message);
  });
});
