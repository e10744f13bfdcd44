import { DataSeedSpecSchema } from '../api/dataseed';
import { SeedError } from './errors';
import { type ProductionSource, type ReferenceReader, resolveSeedRequest, SeedReferenceError } from './resolve';

const TARGET = 'postgresql://preview@db.preview:5432/shop';
const reader = (
  secrets: Record<string, Record<string, string>>,
  configMaps: Record<string, Record<string, string>> = {},
): ReferenceReader => ({
  secret: async (_ns, name) => secrets[name],
  configMap: async (_ns, name) => configMaps[name],
});
const local = reader(
  { 'preview-db': { url: TARGET }, 'masking-key': { key: 'a-masking-key-of-32-bytes-000000' } },
  { rules: { 'rules.yaml': '[]' } },
);
const target = { urlSecretRef: { name: 'preview-db', key: 'url' } };
const anonymize = DataSeedSpecSchema.parse({
  baselineRef: { name: 'shop' },
  source: { anonymize: { from: { database: 'orders' }, key: { secretKeyRef: { name: 'masking-key', key: 'key' } } } },
  target,
});
const fromBaseline = DataSeedSpecSchema.parse({
  baselineRef: { name: 'shop' },
  source: { synthesize: { profile: { fromBaseline: { database: 'orders' } } } },
  target,
});

function production(profile?: string): ProductionSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    connectionUrl: async (name, field) => (asked.push(`url ${name} ${field}`), 'postgresql://reader@db.prod/shop'),
    storedProfile: async (name, field) => (asked.push(`profile ${name} ${field}`), profile),
  };
}

describe('resolveSeedRequest', () => {
  it("reads production only through the operator's production source", async () => {
    const prod = production();
    const request = await resolveSeedRequest(anonymize, 'ns', local, prod);
    expect(request).toMatchObject({ target: TARGET, source: 'postgresql://reader@db.prod/shop' });
    expect(prod.asked).toEqual(['url orders spec.source.anonymize.from.database']);
  });

  it('refuses a target URL whose parameters would have the operator read its own files, before production', async () => {
    const prod = production();
    const hostile = reader({
      'preview-db': {
        url: `${TARGET}?sslmode=require&sslrootcert=/var/run/secrets/kubernetes.io/serviceaccount/token`,
      },
      'masking-key': { key: 'a-masking-key-of-32-bytes-000000' },
    });
    await expect(resolveSeedRequest(anonymize, 'ns', hostile, prod)).rejects.toThrow(
      /^spec\.target\.urlSecretRef \(Secret ns\/preview-db key url\): parameter sslrootcert is not allowed/,
    );
    expect(prod.asked).toEqual([]);
  });

  it("refuses a production source without one (a seed Job's pod) before reading production", async () => {
    const err = await resolveSeedRequest(anonymize, 'ns', local).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeedError);
    expect((err as SeedError).message).toMatch(
      /^spec\.source\.anonymize\.from\.database: production is read only inside the operator/,
    );
    await expect(resolveSeedRequest(fromBaseline, 'ns', local)).rejects.toThrow(
      /^spec\.source\.synthesize\.profile\.fromBaseline\.database: production is read only inside the operator/,
    );
  });

  it("synthesizes from the Baseline's stored profile when there is one, else from a live profile of the database", async () => {
    const profile = {
      kind: 'understudy.dev/profile',
      version: 1,
      capturedAt: '2030-01-01T00:00:00Z',
      database: 'shop',
      schema: { tables: [] },
      tables: {},
    };
    const stored = production(JSON.stringify(profile));
    const fromStored = await resolveSeedRequest(fromBaseline, 'ns', local, stored);
    // The stored profile is used, and the database is not connected to.
    expect(fromStored.profile).toMatchObject({ database: 'shop' });
    expect(fromStored.source).toBeUndefined();
    expect(stored.asked).toEqual(['profile orders spec.source.synthesize.profile.fromBaseline.database']);
    await expect(resolveSeedRequest(fromBaseline, 'ns', local, production('{"not":"a profile"}'))).rejects.toThrow(
      /fromBaseline\.database: the Baseline's profileRef: not an understudy profile/,
    );
    const live = production();
    expect((await resolveSeedRequest(fromBaseline, 'ns', local, live)).source).toBe('postgresql://reader@db.prod/shop');
    expect(live.asked).toEqual([
      'profile orders spec.source.synthesize.profile.fromBaseline.database',
      'url orders spec.source.synthesize.profile.fromBaseline.database',
    ]);
  });

  it('names the field of a Secret the operator may not read', async () => {
    const denied: ReferenceReader = {
      secret: async () => {
        throw new SeedReferenceError('ReferenceUnreadable', 'the operator may not read Secrets in namespace ns');
      },
      configMap: async () => undefined,
    };
    const sql = DataSeedSpecSchema.parse({ source: { sql: { configMapRef: { name: 'x', key: 'y' } } }, target });
    await expect(resolveSeedRequest(sql, 'ns', denied)).rejects.toMatchObject({
      reason: 'ReferenceUnreadable',
      message: 'spec.target.urlSecretRef: the operator may not read Secrets in namespace ns',
    });
  });
});

describe('fidelity of a resolved seed', () => {
  it('gives a synthesis without spec.fidelity the defaults, enforced; leaves an anonymize and an explicit choice alone', async () => {
    expect((await resolveSeedRequest(fromBaseline, 'team-a', local, production())).spec.fidelity).toEqual({
      enforce: true,
    });
    expect((await resolveSeedRequest(anonymize, 'team-a', local, production())).spec.fidelity).toBeUndefined();
    const loose = DataSeedSpecSchema.parse({ ...fromBaseline, fidelity: { enforce: false } });
    expect((await resolveSeedRequest(loose, 'team-a', local, production())).spec.fidelity).toEqual({ enforce: false });
  });
});
