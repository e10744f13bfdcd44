import fc from 'fast-check';
import { secretReferencePath, tlsSecretProblem } from './tls-secret-references';

// The Baseline's TLS key is for the ingress controller: no pod the tenant
// writes (env overrides, test Jobs) may name its Secret, wherever a pod spec
// can name one.

const TLS = 'preview-wildcard';

const podTemplate = (spec: Record<string, unknown>) => ({ template: { spec: { restartPolicy: 'Never', ...spec } } });
const container = (fields: Record<string, unknown>) => ({ containers: [{ name: 't', image: 'curl', ...fields }] });

describe('tlsSecretProblem', () => {
  it('refuses an env override reading the TLS Secret', () => {
    const spec = {
      services: [
        { name: 'web', mode: 'copy' as const, env: [{ name: 'A', value: 'b' }] },
        {
          name: 'checkout',
          mode: 'copy' as const,
          env: [{ name: 'KEY', valueFrom: { secretKeyRef: { name: TLS, key: 'tls.key' } } }],
        },
      ],
    };
    expect(tlsSecretProblem(spec, TLS)).toEqual({
      field: 'spec.services[1].env[0].valueFrom.secretKeyRef.name',
      message: expect.stringContaining("the Baseline's TLS Secret"),
    });
  });

  it.each([
    ['env', container({ env: [{ name: 'K', valueFrom: { secretKeyRef: { name: TLS, key: 'tls.key' } } }] })],
    ['envFrom', container({ envFrom: [{ secretRef: { name: TLS } }] })],
    ['a secret volume', { ...container({}), volumes: [{ name: 'v', secret: { secretName: TLS } }] }],
    [
      'a projected volume',
      { ...container({}), volumes: [{ name: 'v', projected: { sources: [{ secret: { name: TLS } }] } }] },
    ],
    [
      'an init container',
      { ...container({}), initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: TLS } }] }] },
    ],
  ])('refuses a test Job reading it through %s', (_how, spec) => {
    const problem = tlsSecretProblem({ tests: [{ name: 'smoke', template: podTemplate(spec) }] }, TLS);
    expect(problem?.field).toMatch(/^spec\.tests\[0\]\.template\.template\.spec\./);
  });

  it("refuses a child template naming it: a DataSeed's password would be sent to a host of the tenant's choosing", () => {
    const target = {
      host: 'db.attacker.example',
      database: 'x',
      user: 'x',
      passwordSecretRef: { name: TLS, key: 'tls.key' },
    };
    expect(tlsSecretProblem({ dataSeeds: [{ name: 'seed', spec: { target, sql: {} } }] }, TLS)?.field).toBe(
      'spec.dataSeeds[0].spec.target.passwordSecretRef.name',
    );
    const values = { connectionSecretRef: { name: TLS, key: 'tls.key' } };
    expect(tlsSecretProblem({ loadTests: [{ name: 'load', spec: { values } }] }, TLS)?.field).toBe(
      'spec.loadTests[0].spec.values.connectionSecretRef.name',
    );
  });

  it('allows other Secrets, and names that only look alike', () => {
    const spec = {
      services: [
        {
          name: 'web',
          mode: 'copy' as const,
          env: [{ name: TLS, valueFrom: { secretKeyRef: { name: 'db', key: 'k' } } }],
        },
      ],
      tests: [
        {
          name: 'smoke',
          template: podTemplate({
            ...container({ envFrom: [{ secretRef: { name: `${TLS}-2` } }] }),
            volumes: [{ name: TLS, secret: { secretName: 'public' } }],
          }),
        },
      ],
    };
    expect(tlsSecretProblem(spec, TLS)).toBeUndefined();
  });

  it('finds a reference at any depth, and only where one is', () => {
    const ref = fc.constantFrom(
      { secretKeyRef: { name: TLS } },
      { secretRef: { name: TLS } },
      { secret: { secretName: TLS } },
    );
    const nest = (inner: unknown, keys: string[]): unknown =>
      keys.reduceRight<unknown>((acc, key, i) => (i % 2 === 0 ? { [key]: acc } : [acc]), inner);
    fc.assert(
      fc.property(ref, fc.array(fc.constantFrom('a', 'spec', 'env', 'x'), { maxLength: 6 }), (reference, keys) => {
        expect(secretReferencePath(nest(reference, keys), TLS, 'p')).toBeDefined();
        expect(secretReferencePath(nest({ other: { name: TLS } }, keys), TLS, 'p')).toBeUndefined();
      }),
    );
  });
});
