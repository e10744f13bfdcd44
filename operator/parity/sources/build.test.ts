import { parseResolvedParityCheck } from '../../api/paritycheck';
import type { KubeObject } from '../config/normalize';
import { TenantNetwork } from '../../runtime/tenant-network';
import { buildSources, needsObjects, type SourceResolver } from './build';

const configMap: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'app', namespace: 'shop' },
  data: { REDIS_URL: 'redis://:pr0dpassw0rd@redis.shop.svc:6379' },
};

function resolver(overrides: Partial<SourceResolver> = {}): SourceResolver {
  const objects = {
    description: 'memory',
    list: async () => ({ objects: [configMap], forbidden: [] }),
    requests: () => 0,
  };
  return {
    objects: async () => ({ staging: objects, production: objects }),
    stagingDatabaseUrl: async (_ref, field) => Promise.reject(new Error(`${field}: Secret team-a/db not found`)),
    productionDatabaseUrl: async () => 'postgresql://u:p@127.0.0.1:1/shop',
    metrics: async (timeoutMs) => ({ description: `prometheus ${timeoutMs}`, requests: 0, queryRange: async () => [] }),
    ...overrides,
  };
}

const check = parseResolvedParityCheck({
  staging: { namespace: 'team-a' },
  production: { namespace: 'shop' },
  categories: {
    configuration: {},
    schema: { staging: { connectionSecretRef: { name: 'db', key: 'url' } }, production: { database: 'orders' } },
    data: {},
    behaviour: {
      prometheus: { timeout: '3s' },
      queries: [{ name: 'p95', query: 'x{namespace="{{namespace}}"}', services: ['a'] }],
    },
  },
});

describe("building one run's sources", () => {
  it('hides credentials in listed objects, under the key the engine hashes Secrets with', async () => {
    const { sources, close } = await buildSources(check, resolver());
    const listed = await sources.objects!.production.list('shop', ['ConfigMap']);
    expect(JSON.stringify(listed)).not.toContain('pr0dpassw0rd');
    expect(JSON.stringify(listed)).toContain('redis.shop.svc');
    expect(sources.secretKey).toHaveLength(32);
    await close();
  });

  it('reports what could not be built per category, naming the field, and passes the timeout to the metrics', async () => {
    const { sources, close } = await buildSources(check, resolver());
    expect(sources.unavailable).toEqual({
      schema: 'spec.categories.schema.staging.connectionSecretRef: Secret team-a/db not found',
      data: 'spec.categories.schema.staging.connectionSecretRef: Secret team-a/db not found',
    });
    expect(sources.metrics?.description).toBe('prometheus 3000');
    await close();
    const failing = await buildSources(
      check,
      resolver({ objects: async () => Promise.reject(new Error('--staging x: namespace does not exist')) }),
    );
    expect(failing.sources.unavailable?.configuration).toBe('--staging x: namespace does not exist');
  });

  it("connects to the staging database through the resolver's stream, so the operator's network rule applies to it alone", async () => {
    const { sources, close } = await buildSources(
      check,
      resolver({
        stagingDatabaseUrl: async () => 'postgresql://tenant:pw@localhost:5432/app',
        stagingStream: (field) => new TenantNetwork().pgStream(field),
      }),
    );
    await expect(sources.databases!.staging.schema(['public'])).rejects.toThrow(
      /^cannot connect to the staging database localhost:5432\/app: spec\.categories\.schema\.staging\.connectionSecretRef: host localhost resolves to .* loopback: the operator's own pod/,
    );
    // Production is the admin's: the rule is not applied there (it answers ECONNREFUSED from port 1, not a refusal).
    await expect(sources.databases!.production.schema(['public'])).rejects.toThrow(/ECONNREFUSED/);
    await close();
  });

  it('refuses to compare with a production that lists nothing of the compared kinds', async () => {
    const bookkeeping: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-root-ca.crt', namespace: 'shop' },
      data: { 'ca.crt': 'x' },
    };
    const empty = {
      description: 'production cluster (x)',
      list: async () => ({ objects: [bookkeeping], forbidden: [] }),
      requests: () => 0,
    };
    const full = {
      description: 'staging',
      list: async () => ({ objects: [configMap], forbidden: [] }),
      requests: () => 0,
    };
    const { sources } = await buildSources(
      check,
      resolver({ objects: async () => ({ staging: full, production: empty }) }),
    );
    await expect(sources.objects!.production.list('shop', ['ConfigMap'])).rejects.toThrow(
      'the production cluster (x) has none of the compared kinds in namespace shop; nothing to compare with',
    );
    await expect(sources.objects!.staging.list('team-a', ['ConfigMap'])).resolves.toMatchObject({
      objects: [expect.anything()],
    });
  });

  it('lists objects only when a category needs them', () => {
    expect(needsObjects(check)).toBe(true);
    expect(
      needsObjects(
        parseResolvedParityCheck({
          staging: { namespace: 'a' },
          production: { namespace: 'b' },
          categories: { configuration: { enabled: false } },
        }),
      ),
    ).toBe(false);
  });
});
