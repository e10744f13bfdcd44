import fc from 'fast-check';
import { isPlaceholder } from './credential-patterns';
import { REDACTED, redactCredentialValues, type CredentialPolicy } from './credential-values';
import type { KubeObject } from './objects';

function counter(): (size: number) => Uint8Array {
  let n = 0;
  return (size) => Uint8Array.from({ length: size }, (_, i) => (n * 7 + i * 13) % 256, n++);
}

const STRIPE = 'sk_live_51HprodKEYabcdefghij0123';
const PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';

const configMap = (name: string, data: Record<string, string>, binaryData?: Record<string, string>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'shop' },
  data,
  ...(binaryData ? { binaryData } : {}),
});

const shopConfig = configMap('shop-config', {
  REDIS_URL: 'redis://:redis-prod-pw@redis.shop.svc:6379/0',
  STRIPE_API_KEY: STRIPE,
  LOG_LEVEL: 'info',
  PASSWORD_POLICY: 'strict',
  DATABASE_URL: 'postgres://shop@postgres.shop.svc/shop',
  'application.properties': 'spring.datasource.password=props-prod-pw\nserver.port=8080\n',
  'tls.key': PEM,
});

const deployment = (kind: string, apiVersion: string, podSpec: Record<string, unknown>): KubeObject => {
  const template = { metadata: { labels: { app: 'x' } }, spec: podSpec };
  const spec = kind === 'CronJob' ? { schedule: '* * * * *', jobTemplate: { spec: { template } } } : { template };
  return { apiVersion, kind, metadata: { name: 'gateway', namespace: 'shop' }, spec };
};

const gateway = deployment('Deployment', 'apps/v1', {
  initContainers: [
    {
      name: 'migrate',
      env: [
        { name: 'DB_PASSWORD', value: 'db-prod-pw' },
        { name: 'DB_HOST', value: 'postgres' },
      ],
    },
  ],
  containers: [
    {
      name: 'app',
      env: [
        { name: 'DATABASE_URL', value: 'postgres://shop:db-prod-pw@postgres.shop.svc:5432/shop' },
        { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
        { name: 'DB_PASSWORD_REF', value: '$(DB_PASSWORD)' },
        { name: 'STRIPE_KEY', value: STRIPE },
      ],
    },
  ],
});

const envValues = (object: KubeObject | undefined, container = 'app'): Record<string, unknown> => {
  const spec =
    object?.kind === 'CronJob'
      ? (object.spec as any).jobTemplate.spec.template.spec
      : (object?.spec as any).template.spec; // any: reading the result
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  return Object.fromEntries(
    all
      .find((c: { name: string }) => c.name === container)
      .env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]),
  );
};

describe('redactCredentialValues under Omit', () => {
  it('replaces ConfigMap credentials by a placeholder, keeping URLs pointing where they did, and names each by key', () => {
    const before = JSON.stringify(shopConfig);
    const { objects, redacted } = redactCredentialValues([shopConfig], 'Omit');
    expect(objects[0]?.data).toEqual({
      REDIS_URL: `redis://:${REDACTED}@redis.shop.svc:6379/0`,
      STRIPE_API_KEY: REDACTED,
      LOG_LEVEL: 'info',
      PASSWORD_POLICY: 'strict',
      DATABASE_URL: 'postgres://shop@postgres.shop.svc/shop',
      'application.properties': `spring.datasource.password=${REDACTED}\nserver.port=8080\n`,
      'tls.key': REDACTED,
    });
    expect(redacted).toEqual([
      'ConfigMap/shop-config:REDIS_URL',
      'ConfigMap/shop-config:STRIPE_API_KEY',
      'ConfigMap/shop-config:application.properties',
      'ConfigMap/shop-config:tls.key',
    ]);
    expect(JSON.stringify(shopConfig)).toBe(before);
  });

  it('replaces plain env values of every container, init containers included, and leaves valueFrom and references alone', () => {
    const before = JSON.stringify(gateway);
    const { objects, redacted } = redactCredentialValues([gateway], 'Omit');
    expect(envValues(objects[0], 'migrate')).toEqual({ DB_PASSWORD: REDACTED, DB_HOST: 'postgres' });
    expect(envValues(objects[0])).toEqual({
      DATABASE_URL: `postgres://shop:${REDACTED}@postgres.shop.svc:5432/shop`,
      FROM_SECRET: { secretKeyRef: { name: 'db', key: 'password' } },
      DB_PASSWORD_REF: '$(DB_PASSWORD)',
      STRIPE_KEY: REDACTED,
    });
    expect(redacted).toEqual([
      'Deployment/gateway:migrate/DB_PASSWORD',
      'Deployment/gateway:app/DATABASE_URL',
      'Deployment/gateway:app/STRIPE_KEY',
    ]);
    expect(JSON.stringify(gateway)).toBe(before);
  });

  it.each([
    ['StatefulSet', 'apps/v1'],
    ['DaemonSet', 'apps/v1'],
    ['Job', 'batch/v1'],
    ['CronJob', 'batch/v1'],
  ])('reaches env values of a %s', (kind, apiVersion) => {
    const workload = deployment(kind, apiVersion, {
      containers: [{ name: 'app', env: [{ name: 'API_TOKEN', value: 'prod-token-value' }] }],
    });
    const { objects, redacted } = redactCredentialValues([workload], 'Omit');
    expect(envValues(objects[0])).toEqual({ API_TOKEN: REDACTED });
    expect(redacted).toEqual([`${kind}/gateway:app/API_TOKEN`]);
  });

  it('returns objects without credentials as they came, and leaves other kinds alone', () => {
    const clean = configMap('clean', { LOG_LEVEL: 'debug' });
    const service: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', annotations: { note: STRIPE } },
    };
    const { objects, redacted } = redactCredentialValues([clean, service], 'Omit');
    expect(objects[0]).toBe(clean);
    expect(objects[1]).toBe(service);
    expect(redacted).toEqual([]);
  });

  it('finds an AWS secret key next to an access key id in another key or env var', () => {
    const aws = configMap('aws', {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      S3_CREDENTIAL: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      REGION: 'eu-west-1',
    });
    expect(redactCredentialValues([aws], 'Omit').objects[0]?.data).toEqual({
      AWS_ACCESS_KEY_ID: REDACTED,
      S3_CREDENTIAL: REDACTED,
      REGION: 'eu-west-1',
    });
    const job = deployment('Job', 'batch/v1', {
      containers: [
        {
          name: 'app',
          env: [
            { name: 'KEY_ID', value: 'AKIAIOSFODNN7EXAMPLE' },
            { name: 'KEY', value: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
          ],
        },
      ],
    });
    expect(envValues(redactCredentialValues([job], 'Omit').objects[0])).toEqual({ KEY_ID: REDACTED, KEY: REDACTED });
  });

  it('reads text kept as binaryData and leaves real binary alone', () => {
    const text = Buffer.from('password: bin-prod-pw\n').toString('base64');
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x70, 0x61, 0x73, 0x73]).toString('base64');
    const { objects, redacted } = redactCredentialValues(
      [configMap('files', {}, { 'app.yaml': text, 'blob.bin': binary })],
      'Omit',
    );
    const out = objects[0]?.binaryData as Record<string, string>;
    expect(Buffer.from(out['app.yaml'] ?? '', 'base64').toString()).toBe(`password: ${REDACTED}\n`);
    expect(out['blob.bin']).toBe(binary);
    expect(redacted).toEqual(['ConfigMap/files:app.yaml']);
  });
});

describe('redactCredentialValues under Generate', () => {
  it('gives fresh values of the same shape, the same one wherever a production value was used, deterministically', () => {
    const first = redactCredentialValues([gateway, shopConfig], 'Generate', { random: counter() });
    const second = redactCredentialValues([gateway, shopConfig], 'Generate', { random: counter() });
    expect(second).toEqual(first);
    const env = envValues(first.objects[0]);
    const migrate = envValues(first.objects[0], 'migrate');
    const password = migrate.DB_PASSWORD as string;
    expect(password).toMatch(/^[a-z]{2}-[a-z]{4}-[a-z]{2}$/);
    expect(env.DATABASE_URL).toBe(`postgres://shop:${password}@postgres.shop.svc:5432/shop`);
    expect(env.STRIPE_KEY).toMatch(/^sk_live_\d{2}[A-Z][a-z]{4}[A-Z]{3}[a-z]{10}\d{4}$/);
    expect(env.STRIPE_KEY).not.toBe(STRIPE);
    const data = first.objects[1]?.data as Record<string, string>;
    expect(data.REDIS_URL).toMatch(/^redis:\/\/:[0-9a-f]{32}@redis\.shop\.svc:6379\/0$/);
    expect(data.STRIPE_API_KEY).toBe(env.STRIPE_KEY);
    expect(data['tls.key']).toBe(REDACTED);
    expect(first.redacted).toHaveLength(7);
  });

  it('keeps hex as hex and never hands back the production value, even from a constant random source', () => {
    const hexKey = 'deadbeef00112233deadbeef00112233';
    const cm = configMap('c', { ENCRYPTION_KEY: hexKey, DB_PASSWORD: 'a' + 'b' });
    const zeros = (size: number): Uint8Array => new Uint8Array(size);
    const data = redactCredentialValues([cm], 'Generate', { random: zeros }).objects[0]?.data as Record<string, string>;
    expect(data.ENCRYPTION_KEY).toMatch(/^[0-9a-f]{32}$/);
    expect(data.ENCRYPTION_KEY).not.toBe(hexKey);
    expect(data.DB_PASSWORD).not.toBe('ab');
  });
});

describe('redactCredentialValues under CopyListed', () => {
  it('copies the listed objects as they are and treats the others like Omit', () => {
    const { objects, redacted } = redactCredentialValues([shopConfig, gateway], 'CopyListed', {
      keep: new Set(['shop-config']),
    });
    expect(objects[0]).toBe(shopConfig);
    expect(envValues(objects[1])).toMatchObject({ STRIPE_KEY: REDACTED });
    expect(redacted.every((entry) => entry.startsWith('Deployment/'))).toBe(true);
  });

  it('ignores keep under Omit', () => {
    expect(redactCredentialValues([shopConfig], 'Omit', { keep: new Set(['shop-config']) }).objects[0]).not.toBe(
      shopConfig,
    );
  });
});

describe('no detected production value survives', () => {
  const secret = fc.stringMatching(/^[a-z0-9]{12,24}$/).filter((s) => !isPlaceholder(s));
  const shapes: ReadonlyArray<(s: string) => { name: string; value: string }> = [
    (s) => ({ name: 'REDIS_URL', value: `redis://:${s}@redis:6379/0` }),
    (s) => ({ name: 'DATABASE_URL', value: `postgres://app:${s}@db.shop.svc/shop?sslmode=require` }),
    (s) => ({ name: 'DB_PASSWORD', value: s }),
    (s) => ({ name: 'stripeKey', value: `sk_live_${s}` }),
    (s) => ({ name: 'GH', value: `token ghp_${s}${s}${s}` }),
    (s) => ({ name: 'app.properties', value: `a=1\ndb.password=${s}\nb=2` }),
    (s) => ({ name: 'config.json', value: `{"apiKey": "${s}", "port": 80}` }),
    (s) => ({ name: 'JAVA_OPTS', value: `-Xmx1g -Dspring.datasource.password=${s}` }),
  ];
  const entries = fc.array(fc.tuple(fc.integer({ min: 0, max: shapes.length - 1 }), secret), {
    minLength: 1,
    maxLength: 6,
  });

  it('in the objects or in the list of what was replaced, under every policy', () => {
    fc.assert(
      fc.property(
        entries,
        fc.constantFrom<CredentialPolicy>('Omit', 'Generate', 'CopyListed'),
        fc.boolean(),
        (list, policy, asEnv) => {
          // Distinct names per entry; a file keeps its extension so it is read as a file.
          const values = list.map(([shape, s], i) => {
            const { name, value } = (shapes[shape] as (s: string) => { name: string; value: string })(s);
            return { name: name.includes('.') ? `${i}-${name}` : `${name}_${i}`, value };
          });
          const secrets = list.map(([, s]) => s);
          const object = asEnv
            ? deployment('Deployment', 'apps/v1', { containers: [{ name: 'app', env: values }] })
            : configMap('cm', Object.fromEntries(values.map(({ name, value }) => [name, value])));
          const input = JSON.stringify(object);
          const { objects, redacted } = redactCredentialValues([object], policy, { random: counter() });
          const output = JSON.stringify(objects);
          for (const s of secrets) {
            expect(output).not.toContain(s);
            expect(redacted.join('\n')).not.toContain(s);
          }
          expect(redacted.length).toBeGreaterThan(0);
          expect(JSON.stringify(object)).toBe(input);
        },
      ),
    );
  });
});
