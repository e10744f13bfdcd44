import { DataSeedSpecSchema } from '../../api/dataseed';
import { ReferenceIndex, referencedNames } from './references';
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
      source: { anonymize: { from: { database: 'orders' }, key: { secretKeyRef: { name: 'masking-key', key: 'key' } } } },
      target: { urlSecretRef: { name: 'preview-db', key: 'url' } },
    });
    expect(referencedNames(anonymize)).toEqual({ secrets: ['masking-key', 'preview-db'], configMaps: [] });
  });

  it('grants the pod this DataSeed and its references by name, and nothing else, owned by the DataSeed', () => {
    const [account, role, binding] = seedIdentity({ namespace: 'ns', name: 'shop', uid: 'u1', references: referencedNames(spec) }) as Array<Record<string, any>>; // any: free-form manifests
    expect(account).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'shop-seed', namespace: 'ns' } });
    expect(role!.rules).toEqual([
      { apiGroups: ['understudy.dev'], resources: ['dataseeds'], resourceNames: ['shop'], verbs: ['get'] },
      { apiGroups: ['understudy.dev'], resources: ['dataseeds/status'], resourceNames: ['shop'], verbs: ['patch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['preview-db'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['profile', 'rules'], verbs: ['get'] },
    ]);
    expect(binding).toMatchObject({ roleRef: { kind: 'Role', name: 'shop-seed' }, subjects: [{ kind: 'ServiceAccount', name: 'shop-seed', namespace: 'ns' }] });
    for (const object of [account, role, binding]) expect(object!.metadata.ownerReferences).toEqual([{ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', name: 'shop', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
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
    const owner = (uid: string, name = 'shop', controller = true) => ({ metadata: { ownerReferences: [{ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', name, uid, controller }] } });
    const me = { name: 'shop', uid: 'u1' };
    expect(ownershipOf(owner('u1'), me)).toBe('ours');
    // Left by an earlier DataSeed of this name: the garbage collector removes it.
    expect(ownershipOf(owner('u0'), me)).toBe('stale');
    // Someone's own ServiceAccount, with our labels copied on or not.
    expect(ownershipOf({ metadata: { labels: { 'app.kubernetes.io/managed-by': 'understudy', 'understudy.dev/dataseed': 'shop' } } }, me)).toBe('foreign');
    expect(ownershipOf(owner('u9', 'other'), me)).toBe('foreign');
    expect(ownershipOf(owner('u1', 'shop', false), me)).toBe('foreign');
    expect(ownershipOf({ metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shop', uid: 'u1', controller: true }] } }, me)).toBe('foreign');
  });
});

describe('ReferenceIndex', () => {
  it('finds the DataSeeds naming a Secret or ConfigMap in their namespace, and remembers when it changed', () => {
    let now = 100;
    const index = new ReferenceIndex(() => now);
    index.set('ns/a', 'ns', { secrets: ['db'], configMaps: ['rules'] });
    index.set('ns/b', 'ns', { secrets: ['other'], configMaps: ['rules'] });
    index.set('elsewhere/c', 'elsewhere', { secrets: ['db'], configMaps: [] });
    expect(index.touch('Secret', 'ns', 'db')).toEqual([{ namespace: 'ns', name: 'a' }]);
    expect(index.changedAtMs('ns/a')).toBe(100);
    expect(index.changedAtMs('elsewhere/c')).toBeUndefined();
    now = 200;
    expect(index.touch('ConfigMap', 'ns', 'rules')).toEqual([{ namespace: 'ns', name: 'a' }, { namespace: 'ns', name: 'b' }]);
    expect(index.touch('ConfigMap', 'ns', 'db')).toEqual([]);
    expect(index.changedAtMs('ns/b')).toBe(200);
    index.delete('ns/a');
    expect(index.touch('Secret', 'ns', 'db')).toEqual([]);
    expect(index.changedAtMs('ns/a')).toBeUndefined();
  });

  it('finds the DataSeeds naming a Baseline, and counts only a spec or label change as a change', () => {
    let now = 100;
    const index = new ReferenceIndex(() => now);
    index.set('ns/a', 'ns', { secrets: [], configMaps: [] }, 'shop');
    index.set('ns/b', 'ns', { secrets: [], configMaps: [] });
    index.set('other/c', 'other', { secrets: [], configMaps: [] }, 'payments');
    expect(index.touchBaseline('shop', '1')).toEqual([{ namespace: 'ns', name: 'a' }]);
    // First sight is not a change; the same generation again (a status write) neither.
    expect(index.changedAtMs('ns/a')).toBeUndefined();
    now = 200;
    index.touchBaseline('shop', '1');
    expect(index.changedAtMs('ns/a')).toBeUndefined();
    index.touchBaseline('shop', '2');
    expect(index.changedAtMs('ns/a')).toBe(200);
    expect(index.touchNamespace('ns', '{}')).toEqual([{ namespace: 'ns', name: 'a' }]);
    now = 300;
    index.touchNamespace('ns', '{"team":"a"}');
    expect(index.changedAtMs('ns/a')).toBe(300);
    expect(index.changedAtMs('ns/b')).toBeUndefined();
  });
});
