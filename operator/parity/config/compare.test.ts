import fc from 'fast-check';
import type { Difference } from '../finding';
import { asStoredByServer, shopService, type ServiceOptions } from '../testing/shop-fixture';
import { compareConfiguration } from './compare';
import type { ConfigContext } from './context';
import { declaredOverridesFrom, NO_OVERRIDES, type DeclaredOverrides } from './declared';
import type { KubeObject } from './normalize';
import { buildSnapshot } from './snapshot';

const KEY = Buffer.alloc(32, 7);
const PROD = 'shop';
const STAGING = 'shop-pr-1';

function shop(namespace: string, overrides: Partial<ServiceOptions> = {}): KubeObject[] {
  return ['catalog', 'checkout']
    .flatMap((name) => shopService(name, { namespace, ...overrides }))
    .map(asStoredByServer);
}

function compare(
  staging: KubeObject[],
  production: KubeObject[],
  declared: DeclaredOverrides = NO_OVERRIDES,
): Difference[] {
  const context: ConfigContext = {
    mapping: { staging: STAGING, production: PROD },
    declared,
    tolerances: { resources: 0.05, replicas: 0 },
    staging: buildSnapshot(STAGING, staging, KEY),
    production: buildSnapshot(PROD, production, KEY),
  };
  return compareConfiguration(context, {});
}

function edit(objects: KubeObject[], kind: string, name: string, change: (o: any) => void): KubeObject[] {
  // any: test edits reach into free-form manifests
  return objects.map((o) => {
    if (o.kind !== kind || o.metadata.name !== name) return o;
    const copy = structuredClone(o);
    change(copy);
    return copy;
  });
}

describe('configuration comparison', () => {
  it('finds nothing between a namespace and its copy, namespace references included', () => {
    expect(compare(shop(STAGING), shop(PROD))).toEqual([]);
  });

  it('finds nothing when one side wrote every default explicitly', () => {
    const explicit = ['catalog', 'checkout'].flatMap((name) =>
      shopService(name, { namespace: STAGING, explicitDefaults: true }),
    );
    const implicit = ['catalog', 'checkout'].flatMap((name) => shopService(name, { namespace: PROD }));
    expect(compare(explicit, implicit)).toEqual([]);
    expect(compare(explicit.map(asStoredByServer), implicit)).toEqual([]);
  });

  it('reports a changed env value as a warning at its path', () => {
    const staging = edit(
      shop(STAGING),
      'Deployment',
      'checkout',
      (d) => (d.spec.template.spec.containers[0].env[0].value = 'debug'),
    );
    const found = compare(staging, shop(PROD));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      resource: 'Deployment/checkout',
      path: 'spec.template.spec.containers[app].env[LOG_LEVEL]',
      staging: 'debug',
      production: 'info',
      severity: 'warning',
      expected: false,
    });
  });

  it('reports a ConfigMap key missing in staging as critical, through env references too', () => {
    const staging = edit(shop(STAGING), 'ConfigMap', 'catalog-config', (c) => delete c.data['cache.ttl']);
    const found = compare(staging, shop(PROD));
    expect(found.map((f) => [f.resource, f.path, f.severity])).toEqual([
      ['ConfigMap/catalog-config', 'data[cache.ttl]', 'critical'],
    ]);
    const changed = edit(shop(STAGING), 'ConfigMap', 'catalog-config', (c) => (c.data.features = 'search'));
    expect(
      compare(changed, shop(PROD))
        .map((f) => [f.resource, f.path, f.severity])
        .sort(),
    ).toEqual([
      ['ConfigMap/catalog-config', 'data.features', 'warning'],
      ['Deployment/catalog', 'spec.template.spec.containers[app].env[FEATURE_FLAGS]', 'warning'],
    ]);
  });

  it('compares Secrets by keyed hash and never shows a value', () => {
    const staging = shop(STAGING, { secret: { password: 'staging-only-password' } });
    const found = compare(staging, shop(PROD));
    expect(found.length).toBeGreaterThan(0);
    expect(
      found.every((f) => f.severity === 'info' && f.staging === '<redacted>' && f.production === '<redacted>'),
    ).toBe(true);
    const text = JSON.stringify(found);
    expect(text).not.toContain('staging-only-password');
    expect(text).not.toContain('catalog-s3cret');
    expect(text).not.toContain(Buffer.from('staging-only-password').toString('base64'));
  });

  it('reports fresh Secret values as expected under Generate, and as drift for a Secret copied on purpose', () => {
    const staging = shop(STAGING, { secret: { password: 'staging-only-password' } });
    const generated = compare(
      staging,
      shop(PROD),
      declaredOverridesFrom({
        metadata: { name: 'pr-1', namespace: 'previews' },
        spec: { secrets: { policy: 'Generate' } },
      }),
    );
    expect(generated.length).toBeGreaterThan(0);
    expect(generated.every((f) => f.expected && f.severity === 'info')).toBe(true);
    const secretNames = [...new Set(staging.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name))];
    const listed = compare(
      staging,
      shop(PROD),
      declaredOverridesFrom({ spec: { secrets: { policy: 'CopyListed', names: secretNames } } }),
    );
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((f) => !f.expected)).toBe(true);
    expect(JSON.stringify([generated, listed])).not.toContain('staging-only-password');
  });

  it('reports replicas against the declared ratio', () => {
    const declared = declaredOverridesFrom({
      metadata: { name: 'pr-1', namespace: 'previews' },
      spec: { scale: { replicas: '0.5' } },
    });
    const asked = compare(shop(STAGING, { replicas: 2 }), shop(PROD, { replicas: 4 }), declared);
    expect(asked.map((f) => [f.path, f.expected, f.severity])).toEqual([
      ['spec.replicas', true, 'info'],
      ['spec.replicas', true, 'info'],
    ]);
    const off = compare(
      edit(shop(STAGING, { replicas: 2 }), 'Deployment', 'catalog', (d) => (d.spec.replicas = 1)),
      shop(PROD, { replicas: 4 }),
      declared,
    );
    expect(off.find((f) => f.resource === 'Deployment/catalog')).toMatchObject({
      path: 'spec.replicas',
      expected: false,
      severity: 'warning',
      staging: 1,
      production: 4,
    });
    expect(compare(shop(STAGING, { replicas: 1 }), shop(PROD, { replicas: 1 }), declared)).toEqual([]);
  });

  it('reports resources as ratios against the declared scale', () => {
    const declared = declaredOverridesFrom({ spec: { scale: { resources: '0.5' } } });
    const scaled = compare(shop(STAGING, { cpu: '125m', memory: '128Mi' }), shop(PROD), declared);
    expect(scaled.every((f) => f.expected)).toBe(true);
    const unscaled = compare(shop(STAGING, { cpu: '500m' }), shop(PROD));
    expect(unscaled.map((f) => [f.path, f.severity])).toContainEqual([
      'spec.template.spec.containers[app].resources.requests.cpu',
      'warning',
    ]);
  });

  it('reports an image override the environment declared as expected, and an undeclared one as critical', () => {
    const staging = edit(
      shop(STAGING),
      'Deployment',
      'checkout',
      (d) => (d.spec.template.spec.containers[0].image = 'registry.example.com/shop/checkout:pr-1'),
    );
    const declared = declaredOverridesFrom({
      metadata: { name: 'pr-1', namespace: 'previews' },
      spec: { services: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:pr-1' }] },
    });
    expect(compare(staging, shop(PROD), declared)).toEqual([
      expect.objectContaining({
        path: 'spec.template.spec.containers[app].image',
        expected: true,
        severity: 'info',
        message: expect.stringContaining('previews/pr-1'),
      }),
    ]);
    expect(compare(staging, shop(PROD))).toEqual([
      expect.objectContaining({
        path: 'spec.template.spec.containers[app].image',
        expected: false,
        severity: 'critical',
      }),
    ]);
  });

  it('excuses a declared env override only for the value it declares', () => {
    const declared = declaredOverridesFrom({
      metadata: { name: 'pr-1', namespace: 'previews' },
      spec: { services: [{ name: 'checkout', env: [{ name: 'LOG_LEVEL', value: 'debug' }] }] },
    });
    const withLogLevel = (value: string | undefined) =>
      edit(shop(STAGING), 'Deployment', 'checkout', (d) => {
        const env = d.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>;
        d.spec.template.spec.containers[0].env =
          value === undefined
            ? env.filter((e) => e.name !== 'LOG_LEVEL')
            : env.map((e) => (e.name === 'LOG_LEVEL' ? { ...e, value } : e));
      });
    const path = 'spec.template.spec.containers[app].env[LOG_LEVEL]';
    expect(compare(withLogLevel('debug'), shop(PROD), declared)).toEqual([
      expect.objectContaining({ path, expected: true, severity: 'info' }),
    ]);
    // Someone changed it by hand, or the override was not applied: drift, not an expected difference.
    expect(compare(withLogLevel('trace'), shop(PROD), declared)).toEqual([
      expect.objectContaining({
        path,
        expected: false,
        severity: 'warning',
        staging: 'trace',
        message: expect.stringContaining('declares "debug"'),
      }),
    ]);
    expect(compare(withLogLevel(undefined), shop(PROD), declared)).toEqual([
      expect.objectContaining({ path, expected: false, severity: 'critical' }),
    ]);
  });

  it('compares images by the digest pods report when both sides know it', () => {
    const pod = (namespace: string, digest: string): KubeObject => ({
      kind: 'Pod',
      metadata: { name: 'checkout-1', namespace, labels: { app: 'checkout' } },
      status: {
        containerStatuses: [{ name: 'app', imageID: `registry.example.com/shop/checkout@sha256:${digest.repeat(64)}` }],
      },
    });
    expect(compare([...shop(STAGING), pod(STAGING, 'a')], [...shop(PROD), pod(PROD, 'a')])).toEqual([]);
    const found = compare([...shop(STAGING), pod(STAGING, 'a')], [...shop(PROD), pod(PROD, 'b')]);
    expect(found).toEqual([
      expect.objectContaining({ severity: 'critical', message: expect.stringContaining('different builds') }),
    ]);
  });

  it('reports missing objects, and Secrets an Omit policy left out as expected', () => {
    const staging = shop(STAGING).filter(
      (o) => !(o.kind === 'Deployment' && o.metadata.name === 'catalog') && o.kind !== 'Secret',
    );
    const found = compare(staging, shop(PROD), declaredOverridesFrom({ spec: { secrets: { policy: 'Omit' } } }));
    expect(found.find((f) => f.resource === 'Deployment/catalog')).toMatchObject({
      path: '',
      severity: 'critical',
      expected: false,
    });
    expect(found.filter((f) => f.resource.startsWith('Secret/')).every((f) => f.expected)).toBe(true);
    // Generate promised every Secret: one missing is drift, not a choice.
    const generated = compare(
      staging,
      shop(PROD),
      declaredOverridesFrom({ spec: { secrets: { policy: 'Generate' } } }),
    );
    expect(generated.filter((f) => f.resource.startsWith('Secret/')).every((f) => !f.expected)).toBe(true);
  });

  it('compares HPA bounds and skips replicas the HPA owns', () => {
    const staging = shop(STAGING, { hpa: { min: 2, max: 10 }, replicas: 3 });
    const found = compare(staging, shop(PROD, { hpa: { min: 2, max: 20 }, replicas: 7 }));
    expect(found.map((f) => [f.resource, f.path, f.severity])).toEqual([
      ['HorizontalPodAutoscaler/catalog', 'spec.maxReplicas', 'warning'],
      ['HorizontalPodAutoscaler/checkout', 'spec.maxReplicas', 'warning'],
    ]);
  });

  it('property: any service compared with its own copy in another namespace yields nothing', () => {
    const options = fc.record({
      replicas: fc.integer({ min: 0, max: 50 }),
      image: fc.constantFrom(
        'nginx',
        'nginx:1.27',
        'ghcr.io/acme/api:2',
        'registry.example.com/a/b@sha256:' + 'c'.repeat(64),
      ),
      env: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z_]{0,8}$/), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
      config: fc.dictionary(fc.stringMatching(/^[a-z][a-z.]{0,8}$/), fc.string({ maxLength: 20 }), { maxKeys: 5 }),
      explicitDefaults: fc.boolean(),
    });
    fc.assert(
      fc.property(options, fc.boolean(), (opts, stored) => {
        const env = Object.fromEntries(Object.entries(opts.env).map(([k, v]) => [k, v.replaceAll(PROD, 'x')]));
        const make = (namespace: string) =>
          shopService('svc', { ...opts, env, namespace }).map((o) => (stored ? asStoredByServer(o) : o));
        return compare(make(STAGING), make(PROD)).length === 0;
      }),
    );
  });
});
