import { DataSeedSpecSchema } from '../../api/dataseed';
import { referencedNames } from './references';
import { ownershipOf, seedIdentity, seedIdentityName } from './seed-identity';

describe('the seed Job identity', () => {
  const spec = DataSeedSpecSchema.parse({
    source: { synthesize: { profile: { configMapRef: { name: 'profile', key: 'profile.json' } } } },
    target: { host: 'db', database: 'shop', user: 'shop', passwordSecretRef: { name: 'preview-db', key: 'password' } },
    rulesFrom: { name: 'rules', key: 'rules.yaml' },
  });

  it('names every Secret and ConfigMap of its namespace the spec refers to, once, and never a production database', () => {
    expect(referencedNames(spec)).toEqual({ secrets: ['preview-db'], configMaps: ['profile', 'rules'] });
    const anonymize = DataSeedSpecSchema.parse({
      baselineRef: { name: 'shop' },
      source: {
        anonymize: { from: { database: 'orders' }, key: { secretKeyRef: { name: 'masking-key', key: 'key' } } },
      },
      target: { urlSecretRef: { name: 'preview-db', key: 'url' } },
    });
    expect(referencedNames(anonymize)).toEqual({ secrets: ['masking-key', 'preview-db'], configMaps: [] });
  });

  it('grants the pod this DataSeed and its references by name, and nothing else, owned by the DataSeed', () => {
    const [account, role, binding] = seedIdentity({
      namespace: 'ns',
      name: 'shop',
      uid: 'u1',
      references: referencedNames(spec),
    }) as Array<Record<string, any>>; // any: free-form manifests
    expect(account).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'shop-seed', namespace: 'ns' } });
    expect(role!.rules).toEqual([
      { apiGroups: ['understudy.dev'], resources: ['dataseeds'], resourceNames: ['shop'], verbs: ['get'] },
      { apiGroups: ['understudy.dev'], resources: ['dataseeds/status'], resourceNames: ['shop'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['preview-db'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['profile', 'rules'], verbs: ['get'] },
    ]);
    expect(binding).toMatchObject({
      roleRef: { kind: 'Role', name: 'shop-seed' },
      subjects: [{ kind: 'ServiceAccount', name: 'shop-seed', namespace: 'ns' }],
    });
    for (const object of [account, role, binding])
      expect(object!.metadata.ownerReferences).toEqual([
        {
          apiVersion: 'understudy.dev/v1alpha1',
          kind: 'DataSeed',
          name: 'shop',
          uid: 'u1',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
  });

  it('names the three objects validly whatever the DataSeed is called, even when the cut lands on a dash', () => {
    for (const name of ['x'.repeat(253), `${'a'.repeat(51)}-${'b'.repeat(30)}`, 'a.b.c', `${'d'.repeat(62)}.e`]) {
      const derived = seedIdentityName(name);
      expect(derived).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?-seed$/);
      expect(derived.length).toBeLessThanOrEqual(63);
      const [account] = seedIdentity({ namespace: 'ns', name, uid: 'u', references: { secrets: [], configMaps: [] } });
      expect(account!.metadata?.labels?.['understudy.dev/dataseed']).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(seedIdentityName(`${'a'.repeat(60)}-one`)).not.toBe(seedIdentityName(`${'a'.repeat(60)}-two`));
  });

  it('treats as its own only objects whose controller owner reference has its uid', () => {
    const owner = (uid: string, name = 'shop', controller = true) => ({
      metadata: {
        ownerReferences: [{ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', name, uid, controller }],
      },
    });
    const me = { name: 'shop', uid: 'u1' };
    expect(ownershipOf(owner('u1'), me)).toBe('ours');
    // Left by an earlier DataSeed of this name: the garbage collector removes it.
    expect(ownershipOf(owner('u0'), me)).toBe('stale');
    // Someone's own ServiceAccount, with our labels copied on or not.
    expect(
      ownershipOf(
        { metadata: { labels: { 'app.kubernetes.io/managed-by': 'understudy', 'understudy.dev/dataseed': 'shop' } } },
        me,
      ),
    ).toBe('foreign');
    expect(ownershipOf(owner('u9', 'other'), me)).toBe('foreign');
    expect(ownershipOf(owner('u1', 'shop', false), me)).toBe('foreign');
    expect(
      ownershipOf(
        {
          metadata: {
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop', uid: 'u1', controller: true }],
          },
        },
        me,
      ),
    ).toBe('foreign');
  });
});
