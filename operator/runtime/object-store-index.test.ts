import fc from 'fast-check';
import type { KubernetesObject } from './client-node';
import { type IndexFunc, NAMESPACE_INDEX, ObjectStore } from './object-store';
import { objectKey } from './object-key';

// Indexes must always say what a scan of the cache would: after any sequence
// of adds, updates, deletes and relists, byIndex(name, v) holds exactly the
// objects whose index function returns v.

type Labelled = KubernetesObject & { spec?: { refs?: string[] } };

const byRef: IndexFunc<Labelled> = (o) => (o.spec?.refs ?? []).map((r) => `${o.metadata?.namespace ?? ''}/${r}`);
const byTeam: IndexFunc<Labelled> = (o) => (o.metadata?.labels?.team ? [o.metadata.labels.team] : []);

const specArb = fc.record({
  namespace: fc.constantFrom('', 'a', 'b'),
  name: fc.constantFrom('x', 'y', 'z'),
  rv: fc.integer({ min: 1, max: 4 }).map(String),
  refs: fc.array(fc.constantFrom('db', 'cache', 'rules'), { maxLength: 3 }),
  team: fc.option(fc.constantFrom('red', 'blue'), { nil: undefined }),
});
type Spec = typeof specArb extends fc.Arbitrary<infer S> ? S : never;

const toObject = (s: Spec): Labelled => ({
  apiVersion: 'v1',
  kind: 'Thing',
  metadata: {
    name: s.name,
    resourceVersion: s.rv,
    ...(s.namespace ? { namespace: s.namespace } : {}),
    ...(s.team ? { labels: { team: s.team } } : {}),
  },
  spec: { refs: s.refs },
});

const opArb = fc.oneof(
  specArb.map((s) => ({ op: 'upsert' as const, s })),
  specArb.map((s) => ({ op: 'remove' as const, s })),
  fc
    .tuple(fc.array(specArb, { maxLength: 5 }), fc.constantFrom('', 'a', 'b'))
    .map(([items, scope]) => ({ op: 'replace' as const, items, scope })),
);

function scan(store: ObjectStore<Labelled>, fn: IndexFunc<Labelled>, value: string): string[] {
  return store
    .list()
    .filter((o) => fn(o).includes(value))
    .map(objectKey)
    .sort();
}

const keys = (objects: KubernetesObject[]): string[] => objects.map(objectKey).sort();

describe('ObjectStore indexes', () => {
  it('equal a brute-force scan after any sequence of adds, updates, deletes and relists (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.integer({ min: 0, max: 30 }), (ops, lateAt) => {
        const store = new ObjectStore<Labelled>({ ref: byRef });
        ops.forEach((step, i) => {
          // An index added late files what is already cached.
          if (i === lateAt) store.addIndexer('team', byTeam);
          if (step.op === 'upsert') store.upsert(toObject(step.s));
          else if (step.op === 'remove') store.remove(toObject(step.s));
          else
            store.replace(
              step.items.filter((s) => !step.scope || s.namespace === step.scope).map(toObject),
              (o) => !step.scope || o.metadata?.namespace === step.scope,
            );
        });
        if (!store.hasIndexer('team')) store.addIndexer('team', byTeam);
        for (const ns of ['', 'a', 'b']) {
          for (const ref of ['db', 'cache', 'rules'])
            expect(keys(store.byIndex('ref', `${ns}/${ref}`))).toEqual(scan(store, byRef, `${ns}/${ref}`));
          expect(keys(store.list(ns))).toEqual(scan(store, (o) => [o.metadata?.namespace ?? ''], ns));
          expect(keys(store.byIndex(NAMESPACE_INDEX, ns))).toEqual(keys(store.list(ns)));
        }
        for (const team of ['red', 'blue'])
          expect(keys(store.byIndex('team', team))).toEqual(scan(store, byTeam, team));
      }),
    );
  });

  it('moves an object between values on update and drops it on delete', () => {
    const store = new ObjectStore<Labelled>({ ref: byRef });
    store.upsert(toObject({ namespace: 'a', name: 'x', rv: '1', refs: ['db'], team: undefined }));
    expect(keys(store.byIndex('ref', 'a/db'))).toEqual(['a/x']);
    store.upsert(toObject({ namespace: 'a', name: 'x', rv: '2', refs: ['cache'], team: undefined }));
    expect(store.byIndex('ref', 'a/db')).toEqual([]);
    expect(keys(store.byIndex('ref', 'a/cache'))).toEqual(['a/x']);
    store.remove(toObject({ namespace: 'a', name: 'x', rv: '3', refs: [], team: undefined }));
    expect(store.byIndex('ref', 'a/cache')).toEqual([]);
  });

  it('refuses an unknown index name and a second registration of a name', () => {
    const store = new ObjectStore<Labelled>({ ref: byRef });
    expect(() => store.byIndex('reff', 'a/db')).toThrow(/no index named reff/);
    expect(() => store.addIndexer('ref', byRef)).toThrow(/already registered/);
    expect(() => store.addIndexer(NAMESPACE_INDEX, byRef)).toThrow(/already registered/);
  });

  it('files an object whose index function throws nowhere in that index, and says so', () => {
    const errors: string[] = [];
    const store = new ObjectStore<Labelled>(
      {
        ref: (o) => {
          if (o.metadata?.name === 'bad') throw new Error('boom');
          return byRef(o);
        },
      },
      (index, key) => errors.push(`${index} ${key}`),
    );
    store.upsert({
      ...toObject({ namespace: 'a', name: 'x', rv: '1', refs: ['db'], team: undefined }),
      metadata: { namespace: 'a', name: 'bad' },
    });
    store.upsert(toObject({ namespace: 'a', name: 'x', rv: '1', refs: ['db'], team: undefined }));
    expect(keys(store.byIndex('ref', 'a/db'))).toEqual(['a/x']);
    expect(errors).toEqual(['ref a/bad']);
    // The object is cached all the same.
    expect(store.get('a', 'bad')).toBeDefined();
  });
});
