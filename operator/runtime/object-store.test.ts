import fc from 'fast-check';
import type { KubernetesObject } from './client-node';
import { ObjectStore, type StoreDelta, deepFreeze, objectKey, splitKey } from './object-store';

const objectArb = fc.record({
  namespace: fc.constantFrom('a', 'b'),
  name: fc.constantFrom('x', 'y', 'z'),
  rv: fc.integer({ min: 1, max: 5 }).map(String),
});
type Spec = { namespace: string; name: string; rv: string };
const toObject = (s: Spec): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace: s.namespace, name: s.name, resourceVersion: s.rv },
});

function apply(state: Map<string, string>, delta: StoreDelta<KubernetesObject>): void {
  if (delta.type === 'delete') state.delete(objectKey(delta.object));
  else state.set(objectKey(delta.object), delta.object.metadata!.resourceVersion!);
}

describe('ObjectStore', () => {
  it('keys namespaced and cluster-scoped objects', () => {
    expect(objectKey({ metadata: { name: 'n', namespace: 'ns' } })).toBe('ns/n');
    expect(objectKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(splitKey('ns/n')).toEqual({ namespace: 'ns', name: 'n' });
    expect(splitKey('node-1')).toEqual({ namespace: '', name: 'node-1' });
    expect(() => objectKey({ kind: 'Pod', metadata: {} })).toThrow(/Pod has no metadata.name/);
  });

  it('replace reports exactly the changes that turn the old cache into the listed one (property)', () => {
    fc.assert(
      fc.property(
        fc.array(objectArb, { maxLength: 12 }),
        fc.array(objectArb, { maxLength: 12 }),
        fc.constantFrom('a', 'b'),
        (before, listed, scope) => {
          const store = new ObjectStore<KubernetesObject>();
          for (const s of before) store.upsert(toObject(s));
          const replayed = new Map(store.list().map((o) => [objectKey(o), o.metadata!.resourceVersion!]));
          const inScope = listed.filter((s) => s.namespace === scope);
          const deltas = store.replace(inScope.map(toObject), (o) => o.metadata?.namespace === scope);
          for (const delta of deltas) apply(replayed, delta);
          const now = new Map(store.list().map((o) => [objectKey(o), o.metadata!.resourceVersion!]));
          // Handlers that only saw the deltas hold the same picture as the cache.
          expect(replayed).toEqual(now);
          // The scope now mirrors the list (last entry per key wins) and other namespaces are untouched.
          const expectedScope = new Map(inScope.map((s) => [`${s.namespace}/${s.name}`, s.rv]));
          expect(new Map([...now].filter(([k]) => k.startsWith(`${scope}/`)))).toEqual(expectedScope);
          const otherBefore = new Map(
            before.filter((s) => s.namespace !== scope).map((s) => [`${s.namespace}/${s.name}`, s.rv]),
          );
          expect(new Map([...now].filter(([k]) => !k.startsWith(`${scope}/`)))).toEqual(otherBefore);
        },
      ),
    );
  });

  it('upsert with an unchanged resourceVersion reports nothing; remove of an unknown object reports nothing', () => {
    const store = new ObjectStore<KubernetesObject>();
    expect(store.upsert(toObject({ namespace: 'a', name: 'x', rv: '1' }))?.type).toBe('add');
    expect(store.upsert(toObject({ namespace: 'a', name: 'x', rv: '1' }))).toBeUndefined();
    expect(store.upsert(toObject({ namespace: 'a', name: 'x', rv: '2' }))?.type).toBe('update');
    expect(store.remove(toObject({ namespace: 'a', name: 'nope', rv: '1' }))).toBeUndefined();
    expect(store.remove(toObject({ namespace: 'a', name: 'x', rv: '3' }))?.type).toBe('delete');
    expect(store.size).toBe(0);
  });
});

describe('ObjectStore reads', () => {
  const configMap = (): KubernetesObject & { data: Record<string, string> } => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { namespace: 'ns', name: 'a', resourceVersion: '1', labels: { app: 'shop' }, finalizers: ['f'] },
    data: { key: 'value' },
  });

  it('cannot be changed by a reader: every level is frozen, a write throws and the cache keeps its value', () => {
    const store = new ObjectStore<ReturnType<typeof configMap>>();
    store.upsert(configMap());
    const read = store.get('ns', 'a')!;
    expect(() => {
      read.data.key = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      read.metadata!.labels!.app = 'other';
    }).toThrow(TypeError);
    expect(() => read.metadata!.finalizers!.push('g')).toThrow(TypeError);
    expect(() => {
      delete read.metadata!.resourceVersion;
    }).toThrow(TypeError);
    expect(store.get('ns', 'a')).toEqual(configMap());
    expect(store.list('ns')[0]).toEqual(configMap());
  });

  it('hands out frozen objects from a replace too, and a copy is writable', () => {
    const store = new ObjectStore<ReturnType<typeof configMap>>();
    store.replace([configMap()], () => true);
    const read = store.list()[0]!;
    expect(Object.isFrozen(read.data)).toBe(true);
    const copy = structuredClone(read);
    copy.data.key = 'changed';
    expect(store.get('ns', 'a')!.data.key).toBe('value');
  });

  it('deepFreeze leaves typed arrays alone instead of throwing', () => {
    expect(() => deepFreeze({ bytes: new Uint8Array([1, 2]) })).not.toThrow();
  });
});
