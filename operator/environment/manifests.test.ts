import { ManifestError, ManifestSourceError, manifestsFromConfigMap, parseManifests } from './manifests';

describe('parseManifests', () => {
  it('reads multi-document YAML as helm template prints it, skipping empty documents', () => {
    const text = [
      '---',
      '# Source: shop/templates/service.yaml',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: catalog}',
      '---',
      '# Source: shop/templates/empty.yaml',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: catalog, namespace: shop}',
      'spec: {replicas: 2}',
      '',
    ].join('\n');
    const objects = parseManifests(text);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Service/catalog', 'Deployment/catalog']);
    expect(objects[1]?.spec).toEqual({ replicas: 2 });
  });

  it('flattens List documents', () => {
    const objects = parseManifests(
      'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n',
    );
    expect(objects.map((o) => o.metadata.name)).toEqual(['a', 'b']);
  });

  it.each([
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: ConfigMap\nmetadata: {name: b}\n',
      2,
      /missing apiVersion/,
    ],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
      2,
      /ConfigMap without metadata.name/,
    ],
    ['- a\n- b\n', 1, /found a list/],
    ['apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: [\n', 3, /invalid YAML/],
    ['apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, metadata: {name: a}}\n', 1, /items\[0\]: missing kind/],
  ])('names the document of an error (%#)', (text, index, message) => {
    try {
      parseManifests(text);
      throw new Error('expected a ManifestError');
    } catch (error) {
      expect(error).toBeInstanceOf(ManifestError);
      expect((error as ManifestError).documentIndex).toBe(index);
      expect((error as ManifestError).message).toMatch(new RegExp(`^document ${index}: `));
      expect((error as ManifestError).message).toMatch(message);
    }
  });
});

describe('manifestsFromConfigMap', () => {
  const configMap = (data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'rendered' },
    data,
  });
  const doc = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;

  it('reads one key, or every key in key order', () => {
    const source = configMap({ 'b.yaml': doc('b'), 'a.yaml': doc('a') });
    expect(manifestsFromConfigMap(source, undefined).map((o) => o.metadata.name)).toEqual(['a', 'b']);
    expect(manifestsFromConfigMap(source, 'b.yaml').map((o) => o.metadata.name)).toEqual(['b']);
  });

  it('names the field and the key when it cannot', () => {
    expect(() => manifestsFromConfigMap(configMap({}), 'all.yaml')).toThrow(
      expect.objectContaining({ field: 'spec.baseline.manifests.configMapRef.key' }),
    );
    expect(() => manifestsFromConfigMap(configMap({}), undefined)).toThrow(ManifestSourceError);
    expect(() => manifestsFromConfigMap(configMap({ 'x.yaml': `${doc('a')}---\nkind: Service\n` }), undefined)).toThrow(
      /ConfigMap rendered, key x.yaml, document 2: missing apiVersion/,
    );
  });
});
