import fc from 'fast-check';
import { keyedHash } from '../config/secrets';
import type { KubeObject } from '../config/normalize';
import { CredentialHashingSource, hashCredentials, hashFreeText, hashNamedValue } from './credentials';

const key = Buffer.alloc(32, 7);
const h = (value: string) => keyedHash(key, value);

function deployment(env: Array<{ name: string; value: string }>, args: string[] = []): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'api',
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ env }),
        note: 'see redis://:hunter2hunter2@redis.shop.svc',
      },
    },
    spec: {
      template: {
        spec: {
          containers: [
            {
              name: 'app',
              image: 'shop/api:1',
              env,
              args,
              readinessProbe: {
                httpGet: { path: '/', httpHeaders: [{ name: 'Authorization', value: 'Bearer abc.def' }] },
              },
            },
          ],
        },
      },
    },
  };
}

describe('hashing credentials in listed objects', () => {
  it('hashes the password of a URL but keeps its host, and a value under a secret name whole', () => {
    expect(hashNamedValue('REDIS_URL', 'redis://:s3cretpass@redis.shop.svc:6379', key)).toBe(
      `redis://:${h('s3cretpass')}@redis.shop.svc:6379`,
    );
    expect(hashNamedValue('STRIPE_API_KEY', 'anything-at-all', key)).toBe(h('anything-at-all'));
    expect(hashNamedValue('LOG_LEVEL', 'debug', key)).toBe('debug');
    expect(hashNamedValue('DB_PASSWORD', '$(FROM_SECRET)', key)).toBe('$(FROM_SECRET)');
    expect(hashFreeText('--token=sk_live_abcdefghijklmnopqrstuvwx', key)).not.toContain('sk_live_');
  });

  it('leaves no credential of a Deployment or ConfigMap anywhere in the object, and drops the last-applied copy', () => {
    const listed = hashCredentials(
      deployment(
        [
          { name: 'STRIPE_API_KEY', value: 'sk_live_0123456789abcdefghij' },
          { name: 'LOG_LEVEL', value: 'info' },
        ],
        ['--db=postgresql://app:pa55word@db/shop'],
      ),
      key,
    );
    const text = JSON.stringify(listed);
    for (const secret of ['sk_live_0123456789abcdefghij', 'pa55word', 'hunter2hunter2', 'Bearer abc.def'])
      expect(text).not.toContain(secret);
    expect(text).toContain('"value":"info"');
    expect(listed.metadata.annotations).toEqual({ note: `see redis://:${h('hunter2hunter2')}@redis.shop.svc` });

    const configMap = hashCredentials(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c' },
        data: { 'app.properties': 'db.password=topsecret1\nlog=debug\n', PASSWORD: 'plain1234', MODE: 'fast' },
        binaryData: { blob: 'AAEC' },
      },
      key,
    );
    expect(configMap.data).toEqual({
      'app.properties': `db.password=${h('topsecret1')}\nlog=debug\n`,
      PASSWORD: h('plain1234'),
      MODE: 'fast',
    });
    expect(configMap.binaryData).toEqual({ blob: h('AAEC') });
  });

  it('leaves Secrets to the engine, which hashes every value', () => {
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'eA==' } };
    expect(hashCredentials(secret, key)).toBe(secret);
  });

  it('hashes equal credentials equally, so a faithful copy still compares equal', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{8,20}$/), (password) => {
        const production = hashNamedValue('DATABASE_URL', `postgresql://app:${password}@db.shop.svc/shop`, key);
        const staging = hashNamedValue('DATABASE_URL', `postgresql://app:${password}@db.shop-pr-1.svc/shop`, key);
        return !production.includes(password) && production.replace('shop.svc', 'shop-pr-1.svc') === staging;
      }),
    );
  });

  it('wraps an object source', async () => {
    const inner = {
      description: 'd',
      list: async () => ({ objects: [deployment([{ name: 'TOKEN', value: 'abcdefgh1234' }])], forbidden: [] }),
      requests: () => 3,
    };
    const source = new CredentialHashingSource(inner, key);
    const { objects } = await source.list('ns', ['Deployment']);
    expect(JSON.stringify(objects)).not.toContain('abcdefgh1234');
    expect(source.requests()).toBe(3);
    expect(source.description).toBe('d');
  });
});
