import fc from 'fast-check';
import { copySpecOf } from './testing/copy-spec';
import type { KubeObject } from './objects';
import { planEnvironment } from './plan';
import { optionalizeMissingSecrets } from './secret-references';
import { generateSecretData } from './secret-values';
import { applySecretsPolicy, decodeSecretData } from './secrets';

function counter(): (size: number) => Uint8Array {
  let n = 0;
  return (size) => Uint8Array.from({ length: size }, (_, i) => (n * 7 + i) % 256, n++);
}

const secret = (name: string, values: Record<string, string>, type?: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace: 'shop' },
  ...(type ? { type } : {}),
  data: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

describe('applySecretsPolicy', () => {
  const db = secret('db', {
    USER: 'shop_app',
    PASSWORD: 'hunter2-prod-9f8e',
    URL: 'postgres://shop_app:hunter2-prod-9f8e@postgres.shop.svc:5432/shop',
  });
  const tls = secret('tls', { 'tls.crt': 'CERT', 'tls.key': 'KEY' }, 'kubernetes.io/tls');
  const rewrite = { from: 'shop', to: 'shop-pr-1' };

  it('Omit copies nothing', () => {
    expect(applySecretsPolicy({ secrets: [db], policy: 'Omit', random: counter() }).objects).toEqual([]);
  });

  it('Generate keeps names and keys, and keeps a connection URL consistent with its parts', () => {
    const { objects, warnings } = applySecretsPolicy({
      secrets: [db, tls],
      policy: 'Generate',
      rewrite,
      random: counter(),
    });
    expect(objects.map((o) => o.metadata.name)).toEqual(['db']);
    expect(warnings[0]).toMatch(/tls \(kubernetes.io\/tls\) cannot be generated/);
    const generated = decodeSecretData(objects[0] as KubeObject);
    expect([...generated.keys()].sort()).toEqual(['PASSWORD', 'URL', 'USER']);
    expect(generated.get('PASSWORD')).toMatch(/^s[0-9a-f]{32}$/);
    expect(generated.get('URL')).toBe(
      `postgres://${generated.get('USER')}:${generated.get('PASSWORD')}@postgres.shop-pr-1.svc:5432/shop`,
    );
    expect(objects[0]?.metadata.annotations).toEqual({ 'understudy.dev/secret-policy': 'Generate' });
  });

  it('Generate keeps values it generated before, but never a production value', () => {
    const first = applySecretsPolicy({ secrets: [db], policy: 'Generate', rewrite, random: counter() })
      .objects[0] as KubeObject;
    const current = { db: first.data as Record<string, string> };
    const second = applySecretsPolicy({
      secrets: [db],
      policy: 'Generate',
      rewrite,
      current,
      random: () => new Uint8Array(16).fill(9),
    }).objects[0];
    expect(second?.data).toEqual(first.data);
    const leaked = { db: { PASSWORD: Buffer.from('hunter2-prod-9f8e').toString('base64') } };
    const third = decodeSecretData(
      applySecretsPolicy({ secrets: [db], policy: 'Generate', current: leaked, random: counter() })
        .objects[0] as KubeObject,
    );
    expect(third.get('PASSWORD')).not.toBe('hunter2-prod-9f8e');
  });

  it('CopyListed copies only the listed Secrets, pointing their addresses at the environment', () => {
    const { objects, warnings } = applySecretsPolicy({
      secrets: [db, tls],
      policy: 'CopyListed',
      names: ['tls', 'missing'],
      rewrite,
      random: counter(),
    });
    expect(objects.map((o) => o.metadata.name)).toEqual(['tls']);
    expect(decodeSecretData(objects[0] as KubeObject).get('tls.key')).toBe('KEY');
    expect(warnings).toEqual(['spec.secrets.names lists missing, which is not a Secret of the baseline']);
    const copiedDb = applySecretsPolicy({
      secrets: [db],
      policy: 'CopyListed',
      names: ['db'],
      rewrite,
      random: counter(),
    }).objects[0] as KubeObject;
    expect(decodeSecretData(copiedDb).get('URL')).toBe(
      'postgres://shop_app:hunter2-prod-9f8e@postgres.shop-pr-1.svc:5432/shop',
    );
  });
});

describe('generateSecretData', () => {
  it('replaces a token used as the user of a URL', () => {
    const out = generateSecretData(
      new Map([['REPO', 'https://ghp_prodtoken123@github.com/org/repo.git']]),
      new Map(),
      counter(),
    );
    expect(out.get('REPO')).toMatch(/^https:\/\/s[0-9a-f]{32}@github\.com\/org\/repo\.git$/);
  });

  // A URL keeps its shape, but not production's credentials in its query.
  it('generates the query parameters that carry credentials, keeps the settings, and is stable', () => {
    const originals = new Map([
      ['PASSWORD', 'dbpass-production-1'],
      [
        'URL',
        'postgres://app:dbpass-production-1@db.example/orders?sslmode=require&sslpassword=hunter2-production&api_key=abc123def456&pw=dbpass-production-1',
      ],
    ]);
    const first = generateSecretData(originals, new Map(), counter());
    const url = new URL(first.get('URL') ?? '');
    expect(url.searchParams.get('sslmode')).toBe('require');
    expect(url.searchParams.get('sslpassword')).toMatch(/^s[0-9a-f]{32}$/);
    expect(url.searchParams.get('api_key')).toMatch(/^s[0-9a-f]{32}$/);
    // Another key's production value takes that key's generated value, as the password does.
    expect(url.searchParams.get('pw')).toBe(first.get('PASSWORD'));
    expect(decodeURIComponent(url.password)).toBe(first.get('PASSWORD'));
    for (const production of ['hunter2-production', 'abc123def456', 'dbpass-production-1'])
      expect(first.get('URL')).not.toContain(production);
    expect(generateSecretData(originals, first, counter())).toEqual(first);
  });

  it('replaces a production query credential kept by an earlier version, and leaves URLs without one as they were', () => {
    const originals = new Map([['URL', 'https://u:p@h.example/x?token=prodtoken-1234&region=eu']]);
    const leaked = new Map([['URL', 'https://u:s1@h.example/x?token=prodtoken-1234&region=eu']]);
    expect(generateSecretData(originals, leaked, counter()).get('URL')).not.toContain('prodtoken-1234');
    const plain = new Map([
      ['MODE', 'majority'],
      ['URL', 'mongodb://u:p@h.example/db?authSource=admin&w=majority'],
    ]);
    expect(generateSecretData(plain, new Map(), counter()).get('URL')).toMatch(
      /^mongodb:\/\/u:s[0-9a-f]{32}@h\.example\/db\?authSource=admin&w=majority$/,
    );
  });
});

describe('optionalizeMissingSecrets', () => {
  it('makes every kind of reference to a missing Secret optional, and leaves present ones alone', () => {
    const spec = {
      containers: [
        {
          name: 'a',
          env: [
            { name: 'A', valueFrom: { secretKeyRef: { name: 'gone', key: 'a' } } },
            { name: 'B', valueFrom: { secretKeyRef: { name: 'here', key: 'b' } } },
          ],
          envFrom: [{ secretRef: { name: 'gone' } }, { configMapRef: { name: 'cm' } }],
        },
      ],
      volumes: [
        { name: 'v', secret: { secretName: 'gone-too' } },
        { name: 'p', projected: { sources: [{ secret: { name: 'gone' } }, { configMap: { name: 'cm' } }] } },
      ],
    };
    expect([...optionalizeMissingSecrets(spec, new Set(['here']))].sort()).toEqual(['gone', 'gone-too']);
    expect(spec.containers[0]?.env[0]?.valueFrom.secretKeyRef).toEqual({ name: 'gone', key: 'a', optional: true });
    expect(spec.containers[0]?.env[1]?.valueFrom.secretKeyRef).toEqual({ name: 'here', key: 'b' });
    expect(spec.containers[0]?.envFrom[0]).toEqual({ secretRef: { name: 'gone', optional: true } });
    expect(spec.volumes[0]?.secret).toEqual({ secretName: 'gone-too', optional: true });
    expect(spec.volumes[1]?.projected?.sources[0]).toEqual({ secret: { name: 'gone', optional: true } });
  });
});

describe('no production secret value leaks', () => {
  const name = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);
  const value = fc.stringMatching(/^[A-Za-z0-9+/_-]{12,40}$/);
  const secrets = fc.uniqueArray(
    fc.record({
      name,
      values: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z_]{0,8}$/), value, { minKeys: 1, maxKeys: 4 }),
      type: fc.constantFrom(undefined, 'Opaque', 'kubernetes.io/tls', 'kubernetes.io/basic-auth'),
    }),
    { selector: (s) => s.name, minLength: 1, maxLength: 5 },
  );
  const scenario = secrets.chain((list) =>
    fc.record({
      secrets: fc.constant(list),
      policy: fc.constantFrom('Omit', 'Generate', 'CopyListed'),
      listed: fc.subarray(
        list.map((s) => s.name),
        { minLength: 1 },
      ),
      stringData: fc.boolean(),
    }),
  );

  it('emits no value of an unlisted Secret, under any policy, anywhere in the plan', () => {
    fc.assert(
      fc.property(scenario, ({ secrets: list, policy, listed, stringData }) => {
        const baseline: KubeObject[] = list.map((s) => ({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: {
            name: s.name,
            namespace: 'shop',
            annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(s.values) },
          },
          ...(s.type ? { type: s.type } : {}),
          ...(stringData
            ? { stringData: s.values }
            : {
                data: Object.fromEntries(
                  Object.entries(s.values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
                ),
              }),
        }));
        baseline.push({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: 'app', namespace: 'shop' },
          spec: {
            template: {
              metadata: { labels: { app: 'app' } },
              spec: {
                containers: [
                  { name: 'app', image: 'app:1', envFrom: list.map((s) => ({ secretRef: { name: s.name } })) },
                ],
              },
            },
          },
        });
        const spec = copySpecOf(
          { secrets: policy === 'CopyListed' ? { policy, names: listed } : { policy } },
          { environment: { name: 'pr-1', namespace: 'previews' } },
        );
        const plan = planEnvironment({
          environment: { name: 'pr-1', namespace: 'previews' },
          spec,
          baseline,
          random: counter(),
        });
        const emitted = everythingEmitted(plan.objects);
        for (const s of list) {
          const isListed = policy === 'CopyListed' && listed.includes(s.name);
          for (const v of Object.values(s.values)) {
            expect(emitted.includes(v) || emitted.includes(Buffer.from(v).toString('base64'))).toBe(isListed);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** All text the plan would send, with Secret data decoded as well. */
function everythingEmitted(objects: readonly KubeObject[]): string {
  const decoded = objects.filter((o) => o.kind === 'Secret').flatMap((o) => [...decodeSecretData(o).values()]);
  return [JSON.stringify(objects), ...decoded].join('\n');
}
