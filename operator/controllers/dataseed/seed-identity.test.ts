import { DataSeedSpecSchema } from '../../api/dataseed';
import { ReferenceIndex, referencedNames } from './references';
import { seedIdentity, seedIdentityName } from './seed-identity';

describe('the seed Job identity', () => {
  const spec = DataSeedSpecSchema.parse({
    source: { anonymize: { from: { urlSecretRef: { name: 'prod-db', key: 'url' } }, key: { secretKeyRef: { name: 'masking-key', key: 'key' } } } },
    target: { host: 'db', database: 'shop', user: 'shop', passwordSecretRef: { name: 'preview-db', key: 'password' } },
    rulesFrom: { name: 'rules', key: 'rules.yaml' },
  });

  it('names every Secret and ConfigMap the spec refers to, once', () => {
    expect(referencedNames(spec)).toEqual({ secrets: ['masking-key', 'preview-db', 'prod-db'], configMaps: ['rules'] });
  });

  it('grants the pod this DataSeed and its references by name, and nothing else, owned by the DataSeed', () => {
    const [account, role, binding] = seedIdentity({ namespace: 'ns', name: 'shop', uid: 'u1', references: referencedNames(spec) }) as Array<Record<string, any>>; // any: free-form manifests
    expect(account).toMatchObject({ kind: 'ServiceAccount', metadata: { name: 'shop-seed', namespace: 'ns' } });
    expect(role!.rules).toEqual([
      { apiGroups: ['understudy.dev'], resources: ['dataseeds'], resourceNames: ['shop'], verbs: ['get'] },
      { apiGroups: ['understudy.dev'], resources: ['dataseeds/status'], resourceNames: ['shop'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['masking-key', 'preview-db', 'prod-db'], verbs: ['get'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['rules'], verbs: ['get'] },
    ]);
    expect(binding).toMatchObject({ roleRef: { kind: 'Role', name: 'shop-seed' }, subjects: [{ kind: 'ServiceAccount', name: 'shop-seed', namespace: 'ns' }] });
    for (const object of [account, role, binding]) expect(object!.metadata.ownerReferences).toEqual([{ apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', name: 'shop', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
    expect(seedIdentityName('x'.repeat(253)).length).toBe(253);
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
});
