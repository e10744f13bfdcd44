import fc from 'fast-check';
import { DevInputError, environmentManifest, parseDevUpInput } from './dev-input';

const parse = (raw: Record<string, unknown>) => parseDevUpInput({ name: 'pr-7', ...raw });
const specOf = (raw: Record<string, unknown>, base?: Record<string, unknown>) =>
  environmentManifest(parse(raw), 'previews', base).spec as Record<string, unknown>;

describe('understudy dev up input', () => {
  it('turns flags into a StagingEnvironment holding only what was declared', () => {
    const manifest = environmentManifest(
      parse({
        baseline: 'shop',
        image: ['checkout=registry.example.com/checkout:pr-7', 'cart=registry.example.com/cart:pr-7'],
        env: ['checkout:FEATURE_X=on', 'checkout:GREETING=a=b c'],
        shared: ['payments'],
        replicas: '0.25',
        ttl: '8h',
        hostTemplate: '{{service}}.{{environment}}.preview.example.com',
      }),
      'previews',
    );
    expect(manifest).toEqual({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'StagingEnvironment',
      metadata: { name: 'pr-7', namespace: 'previews' },
      spec: {
        baselineRef: { name: 'shop' },
        services: [
          {
            name: 'checkout',
            image: 'registry.example.com/checkout:pr-7',
            env: [
              { name: 'FEATURE_X', value: 'on' },
              { name: 'GREETING', value: 'a=b c' },
            ],
          },
          { name: 'cart', image: 'registry.example.com/cart:pr-7' },
          { name: 'payments', mode: 'shared' },
        ],
        scale: { replicas: '0.25' },
        ttl: '8h',
        ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com' },
      },
    });
  });

  it('lays flags over a manifest file, replacing its expiry with --ttl and keeping its labels', () => {
    const base = {
      kind: 'StagingEnvironment',
      metadata: { name: 'ignored', namespace: 'ignored', labels: { team: 'payments' }, uid: 'x' },
      spec: {
        baselineRef: { name: 'shop' },
        expiresAt: '2030-01-01T00:00:00Z',
        services: [{ name: 'checkout', env: [{ name: 'A', value: '1' }] }],
        scale: { resources: '0.5' },
      },
    };
    const manifest = environmentManifest(
      parse({ env: ['checkout:A=2'], ttl: '1h', replicas: '0.5' }),
      'previews',
      base,
    );
    expect(manifest.metadata).toEqual({ name: 'pr-7', namespace: 'previews', labels: { team: 'payments' } });
    expect(manifest.spec).toEqual({
      baselineRef: { name: 'shop' },
      ttl: '1h',
      services: [{ name: 'checkout', env: [{ name: 'A', value: '2' }] }],
      scale: { resources: '0.5', replicas: '0.5' },
    });
    expect(base.spec.services[0]?.env?.[0]?.value).toBe('1');
  });

  it('lists copied Secrets under CopyListed, and refuses them with another policy', () => {
    expect(specOf({ baseline: 'shop', copySecret: ['stripe-test-key'] }).secrets).toEqual({
      policy: 'CopyListed',
      names: ['stripe-test-key'],
    });
    expect(specOf({ baseline: 'shop', secrets: 'Generate' }).secrets).toEqual({ policy: 'Generate' });
    expect(() => specOf({ baseline: 'shop', secrets: 'Omit', copySecret: ['x'] })).toThrow(
      '--copy-secret needs --secrets CopyListed',
    );
  });

  it.each([
    [{ image: ['checkout'] }, /^--image "checkout": expected service=image/],
    [{ env: ['checkout=FEATURE_X'] }, /^--env "checkout=FEATURE_X": expected service:NAME=value/],
    [{ ttl: 'soon' }, /^--ttl "soon": must be a duration/],
    [{ baseline: 'Shop' }, /^--baseline "Shop": must be a lowercase RFC 1123 subdomain/],
    [{ name: 'PR_7' }, /^the environment name "PR_7"/],
    [{ secrets: 'Everything' }, /^--secrets "Everything"/],
    [{ timeout: '10' }, /^--timeout "10"/],
  ])('names the flag when %j is malformed', (raw, message) => {
    expect(() => parse(raw)).toThrow(message);
  });

  it.each([
    [{ baseline: 'shop', replicas: '0' }, /^spec\.scale\.replicas \(--replicas\): /],
    [{ baseline: 'shop', resources: 'lots' }, /^spec\.scale\.resources \(--resources\): must be a decimal number/],
    [{ baseline: 'shop', hostTemplate: '{{nope}}.example.com' }, /^spec\.ingress\.hostTemplate \(--host-template\): /],
    [
      { baseline: 'shop', env: ['checkout:1BAD=x'] },
      /^spec\.services\[0\]\.env\[0\]\.name \(--env\): must be an environment variable name/,
    ],
    [{}, /^--baseline is required \(or spec\.baselineRef in --file\): the name of a Baseline/],
  ])('refuses %j the way the operator would, naming the spec field and the flag', (raw, message) => {
    expect(() => specOf(raw)).toThrow(message);
  });

  it('sets spec.baselineRef.name from --baseline, over the one in --file', () => {
    expect(specOf({ baseline: 'shop.eu-west' }).baselineRef).toEqual({ name: 'shop.eu-west' });
    expect(specOf({ baseline: 'orders' }, { spec: { baselineRef: { name: 'shop' } } }).baselineRef).toEqual({
      name: 'orders',
    });
    expect(specOf({}, { spec: { baselineRef: { name: 'shop' } } }).baselineRef).toEqual({ name: 'shop' });
  });

  it.each([
    [
      { baseline: { namespace: 'shop' } },
      /^spec\.baseline \(--file\) is no longer part of a StagingEnvironment: name a Baseline an admin created in spec\.baselineRef\.name/,
    ],
    [
      { baselineRef: { name: 'shop' }, targetNamespace: 'shop-pr-7' },
      /^spec\.targetNamespace \(--file\) is no longer part of a StagingEnvironment: the target namespace is derived, .* and cannot be chosen$/,
    ],
    [{ baselineRef: { name: 'shop' }, kinds: ['Deployment'] }, /^spec\.kinds \(--file\) .*spec\.source\.kinds/],
    [
      {
        baselineRef: { name: 'shop' },
        ingress: { hostTemplate: '{{environment}}.example.com', tlsSecretRef: { name: 'wildcard' } },
      },
      /^spec\.ingress\.tlsSecretRef \(--file\) .*Baseline's spec\.ingress\.tlsSecretRef/,
    ],
    [
      { baselineRef: { name: 'shop' }, ingress: { hostTemplate: '{{environment}}.example.com', className: 'nginx' } },
      /^spec\.ingress\.className \(--file\)/,
    ],
    [
      { baselineRef: { name: 'shop' }, isolation: { networkPolicy: false } },
      /^spec\.isolation\.networkPolicy \(--file\) .*Baseline's spec\.isolation\.networkPolicy/,
    ],
    [
      { baselineRef: { name: 'shop' }, isolation: { allowIngressFromNamespaces: ['x'] } },
      /^spec\.isolation\.allowIngressFromNamespaces \(--file\)/,
    ],
  ])('refuses a --file spec %j written before Baselines, saying what replaced the field', (spec, message) => {
    expect(() => specOf({ baseline: 'shop' }, { kind: 'StagingEnvironment', spec })).toThrow(message);
    expect(() => specOf({ baseline: 'shop' }, { kind: 'StagingEnvironment', spec })).toThrow(DevInputError);
  });

  it('refuses with a DevInputError, so the command reports it as bad input', () => {
    expect(() => specOf({ baseline: 'shop', replicas: '0' })).toThrow(DevInputError);
  });

  const serviceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}[a-z0-9]$/);
  const image = fc.stringMatching(
    /^[a-z0-9]{1,10}(\.[a-z0-9]{1,8})?(\/[a-z0-9]{1,10}){0,2}:[a-zA-Z0-9_][a-zA-Z0-9._-]{0,19}$/,
  );
  const value = fc.string({ maxLength: 40 }).filter((s) => !s.includes('\u0000'));

  it('property: the last --image and the last --env of a name win, for every service, and the spec stays valid', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(serviceName, image), { maxLength: 12 }),
        fc.array(fc.tuple(serviceName, fc.constantFrom('A', 'B', 'C_1'), value), { maxLength: 12 }),
        (images, envs) => {
          const spec = specOf({
            baseline: 'shop',
            image: images.map(([s, i]) => `${s}=${i}`),
            env: envs.map(([s, n, v]) => `${s}:${n}=${v}`),
          });
          const services = (spec.services ?? []) as Array<{
            name: string;
            image?: string;
            env?: Array<{ name: string; value: string }>;
          }>;
          expect(new Set(services.map((s) => s.name)).size).toBe(services.length);
          for (const [service] of images)
            expect(services.find((s) => s.name === service)?.image).toBe(
              images.filter(([s]) => s === service).at(-1)?.[1],
            );
          for (const [service, name] of envs) {
            const env = services.find((s) => s.name === service)?.env ?? [];
            expect(env.filter((e) => e.name === name)).toEqual([
              { name, value: envs.filter(([s, n]) => s === service && n === name).at(-1)?.[2] },
            ]);
          }
        },
      ),
    );
  });
});
