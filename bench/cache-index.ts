import { performance } from 'node:perf_hooks';
import type { KubernetesObject } from '../operator/runtime/client-node';
import { deepFreeze, ObjectStore, objectKey } from '../operator/runtime/object-store';

// What the cache's indexes buy a reconcile: list(namespace) through the
// namespace index against the scan of every cached object of the kind that it
// replaced, and an index lookup (which DataSeeds name this ConfigMap?) against
// the scan of every entry the hand-filled reverse indexes made. Both anchors
// are measured in this run, on the same store.
//
//   npx tsx bench/cache-index.ts [--objects 20000] [--namespaces 400]

function flag(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 && process.argv[at + 1] ? Number(process.argv[at + 1]) : fallback;
}

type Seed = KubernetesObject & { spec: { configMap: string } };

const objects = flag('--objects', 20_000);
const namespaces = flag('--namespaces', 400);
const store = new ObjectStore<Seed>({ configMap: (o) => [`${o.metadata?.namespace}/${o.spec.configMap}`] });
for (let i = 0; i < objects; i++) {
  store.upsert({
    apiVersion: 'v1',
    kind: 'Thing',
    metadata: { namespace: `ns-${i % namespaces}`, name: `o-${i}`, resourceVersion: '1' },
    spec: { configMap: `cm-${i % 7}` },
  });
}

function time(what: string, rounds: number, fn: (i: number) => number): number {
  let sink = 0;
  for (let i = 0; i < Math.min(rounds, 50); i++) sink += fn(i);
  const start = performance.now();
  for (let i = 0; i < rounds; i++) sink += fn(i);
  const perCallUs = ((performance.now() - start) * 1000) / rounds;
  console.log(`${what.padEnd(44)} ${perCallUs.toFixed(2).padStart(10)} µs/call  (${sink} found)`);
  return perCallUs;
}

const rounds = 2_000;
const scanList = time(
  'list(namespace), scan of every object (anchor)',
  rounds,
  (i) => store.list().filter((o) => o.metadata?.namespace === `ns-${i % namespaces}`).length,
);
const indexList = time('list(namespace), namespace index', rounds, (i) => store.list(`ns-${i % namespaces}`).length);
const scanMap = time(
  'who names ns/cm, scan of every entry (anchor)',
  rounds,
  (i) =>
    store.list().filter((o) => `${o.metadata?.namespace}/${o.spec.configMap}` === `ns-${i % namespaces}/cm-${i % 7}`)
      .length,
);
const indexMap = time(
  'who names ns/cm, byIndex',
  rounds,
  (i) => store.byIndex('configMap', `ns-${i % namespaces}/cm-${i % 7}`).length,
);
console.log(
  `\n${objects} objects in ${namespaces} namespaces: list(namespace) ${(scanList / indexList).toFixed(0)}x faster than the scan; a mapping lookup ${(scanMap / indexMap).toFixed(0)}x faster`,
);

// The price: every watch event updates the indexes too.
function fill(indexed: boolean): number {
  const target = indexed
    ? new ObjectStore<Seed>({ configMap: (o) => [`${o.metadata?.namespace}/${o.spec.configMap}`] })
    : new ObjectStoreWithoutIndexes();
  const start = performance.now();
  for (let i = 0; i < objects; i++)
    target.upsert({
      apiVersion: 'v1',
      kind: 'Thing',
      metadata: { namespace: `ns-${i % namespaces}`, name: `o-${i}`, resourceVersion: String(i) },
      spec: { configMap: `cm-${i % 7}` },
    });
  return ((performance.now() - start) * 1000) / objects;
}

/** The store's upsert as it was before indexes (keyed, deep-frozen), as the write-side anchor. */
class ObjectStoreWithoutIndexes {
  private readonly objects = new Map<string, Seed>();
  upsert(object: Seed): void {
    const key = objectKey(object);
    deepFreeze(object);
    this.objects.set(key, object);
  }
}

fill(false);
fill(true);
const plain = fill(false);
const indexed = fill(true);
console.log(
  `upsert: ${plain.toFixed(2)} µs without indexes (anchor), ${indexed.toFixed(2)} µs with the namespace index and one more (${(indexed / plain).toFixed(1)}x)`,
);
