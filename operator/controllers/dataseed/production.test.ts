import { accessBaseline } from '../baseline-access';
import { SeedReferenceError } from '../../seed/resolve';
import { baselineProduction } from './production';
import { baseline, fakeContext, secret } from './testing/access-fakes';

const PROD_URL = 'postgresql://reader:s3cret-prod@db.prod:5432/shop';
const shop = baseline('shop', {
  allowedNamespaces: { names: ['team-a'] },
  data: {
    databases: [
      { name: 'orders', connectionSecretRef: { namespace: 'prod-creds', name: 'orders-ro', key: 'url' } },
      {
        name: 'profiled',
        connectionSecretRef: { namespace: 'prod-creds', name: 'orders-ro', key: 'url' },
        profileRef: { namespace: 'prod-creds', name: 'orders-profile' },
      },
      { name: 'hidden', connectionSecretRef: { namespace: 'locked', name: 'x', key: 'url' } },
      { name: 'bad', connectionSecretRef: { namespace: 'prod-creds', name: 'not-a-url', key: 'url' } },
    ],
  },
});
const profile = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'orders-profile', namespace: 'prod-creds' },
  data: { 'profile.json': '{"tables":[]}' },
};

function source(
  objects = [
    shop,
    secret('prod-creds', 'orders-ro', { url: PROD_URL }),
    secret('prod-creds', 'not-a-url', { url: 'mysql://x' }),
    profile,
  ],
) {
  const ctx = fakeContext(objects, ['locked']);
  const access = accessBaseline(ctx, 'shop', 'team-a');
  if (!access.ok) throw new Error(access.message);
  return { ctx, production: baselineProduction(ctx, access.baseline) };
}

async function refusal(p: Promise<unknown>): Promise<SeedReferenceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SeedReferenceError)) throw new Error(`expected a SeedReferenceError, got ${String(err)}`);
  return err;
}

describe('production through the Baseline', () => {
  it('reads the connection URL from where the admin put it', async () => {
    const { ctx, production } = source();
    expect(await production.connectionUrl('orders', 'spec.source.anonymize.from.database')).toBe(PROD_URL);
    expect(ctx.reads).toEqual(['Secret prod-creds/orders-ro']);
  });

  it('names the databases the Baseline has when asked for another, reading nothing', async () => {
    const { ctx, production } = source();
    const err = await refusal(production.connectionUrl('payments', 'spec.source.anonymize.from.database'));
    expect(err.reason).toBe('ReferenceNotFound');
    expect(err.message).toBe(
      'spec.source.anonymize.from.database: Baseline shop has no database payments; it has orders, profiled, hidden, bad',
    );
    expect(ctx.reads).toEqual([]);
  });

  it('says who must grant what when the operator may not read the Secret, and never shows a bad value', async () => {
    const { production } = source();
    const denied = await refusal(production.connectionUrl('hidden', 'f'));
    expect(denied.reason).toBe('ReferenceUnreadable');
    expect(denied.message).toMatch(/may not read Secrets in namespace locked.*rbac\.secretNamespaces/);
    const bad = await refusal(production.connectionUrl('bad', 'f'));
    expect(bad.reason).toBe('InvalidReference');
    expect(bad.message).not.toContain('mysql');
  });

  it('uses the stored profile when the Baseline names one, and none otherwise', async () => {
    const { production } = source();
    expect(await production.storedProfile('profiled', 'f')).toBe('{"tables":[]}');
    expect(await production.storedProfile('orders', 'f')).toBeUndefined();
    const missing = source([shop]).production;
    expect((await refusal(missing.storedProfile('profiled', 'f'))).reason).toBe('ReferenceNotFound');
  });
});
