import { parseStagingEnvironmentSpec } from '../api/stagingenvironment';
import { resolveEnvironment } from './resolve';
import { baselineSpecOf } from './testing/copy-spec';

const environment = { name: 'pr-1', namespace: 'previews' };
const specOf = (raw: Record<string, unknown>) => {
  const parsed = parseStagingEnvironmentSpec({ baselineRef: { name: 'shop' }, ...raw });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return parsed.spec;
};
const start = new Date('2030-01-01T00:00:00Z');

describe('resolveEnvironment', () => {
  it('yields the copy, the kinds it reads (Secrets only when the policy copies them) and its expiry from the lifetime start', () => {
    const result = resolveEnvironment({
      environment,
      spec: specOf({ ttl: '2h', secrets: { policy: 'Generate' } }),
      baseline: { name: 'shop', spec: baselineSpecOf() },
      createdAt: start,
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.resolved.expiresAt?.toISOString()).toBe('2030-01-01T02:00:00.000Z');
    expect(result.resolved.kinds.map((k) => k.kind)).toContain('Secret');
    expect(result.resolved.copy.targetNamespace).toBe('previews-pr-1');
  });

  it("takes the Baseline's maxTtl when the spec sets no lifetime, and refuses one beyond it, naming the field", () => {
    const baseline = {
      name: 'shop',
      spec: baselineSpecOf({ limits: { maxReplicas: '1', maxResources: '1', maxTtl: '24h' } }),
    };
    const result = resolveEnvironment({ environment, spec: specOf({}), baseline, createdAt: start });
    expect(result.ok && result.resolved.expiresAt?.toISOString()).toBe('2030-01-02T00:00:00.000Z');
    expect(result.ok && result.resolved.kinds.some((k) => k.kind === 'Secret')).toBe(false);
    expect(resolveEnvironment({ environment, spec: specOf({ ttl: '48h' }), baseline, createdAt: start })).toEqual({
      ok: false,
      field: 'spec.ttl',
      message: "48h is longer than the Baseline's limit of 24h",
    });
  });
});
