import fc from 'fast-check';
import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import { staticCaches } from '../../runtime/testing/static-caches';
import { NAMESPACE_BY_ENVIRONMENT_NAMESPACE, namespaceByEnvironmentNamespace } from '../shared-indexes';
import { ReferenceChanges } from './references';
import {
  dataSeedIndexers,
  referenceWatchers,
  SEED_BY_CONFIG_MAP,
  seedsJudgedByNamespace,
  seedsNamingBaseline,
  seedsNamingConfigMap,
} from './watches';

// Mappings from a ConfigMap, Baseline or Namespace to the DataSeeds it wakes
// come from the DataSeed cache's indexes alone: a fresh cache, as after a
// restart, answers them before any DataSeed has been reconciled.

const target = {
  host: 'db',
  database: 'shop',
  user: 'shop',
  passwordSecretRef: { name: 'preview-db', key: 'password' },
};
const seed = (namespace: string, name: string, spec: Record<string, unknown>): KubernetesObject =>
  ({
    apiVersion: Kinds.DataSeed.apiVersion,
    kind: 'DataSeed',
    metadata: { namespace, name },
    spec,
  }) as KubernetesObject;
const withRules = (rules: string, extra: Record<string, unknown> = {}) => ({
  source: { sql: { configMapRef: { name: 'schema', key: 'schema.sql' } } },
  target,
  rulesFrom: { name: rules, key: 'rules.yaml' },
  ...extra,
});
const configMap = (namespace: string, name: string): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { namespace, name },
});
const baseline = (name: string, generation = 1): KubernetesObject => ({
  apiVersion: Kinds.Baseline.apiVersion,
  kind: 'Baseline',
  metadata: { name, generation },
});
const namespace = (name: string, labels: Record<string, string> = {}): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

const freshCaches = (objects: KubernetesObject[]) =>
  staticCaches(objects, [
    { kind: Kinds.DataSeed, indexers: dataSeedIndexers },
    { kind: Kinds.Namespace, indexers: { [NAMESPACE_BY_ENVIRONMENT_NAMESPACE]: namespaceByEnvironmentNamespace } },
  ]);
const names = (requests: Array<{ namespace: string; name: string }>) =>
  requests.map((r) => `${r.namespace}/${r.name}`).sort();

describe('which DataSeeds a change wakes', () => {
  const objects = [
    seed('ns', 'a', withRules('rules', { baselineRef: { name: 'shop' } })),
    seed('ns', 'b', withRules('other-rules')),
    seed('elsewhere', 'c', withRules('rules', { baselineRef: { name: 'payments' } })),
    seed('ns', 'broken', { source: 'not a source' }),
  ];

  it('finds the DataSeeds naming a ConfigMap in their own namespace, from a cache no reconcile has seen', () => {
    const caches = freshCaches(objects);
    expect(names(seedsNamingConfigMap(configMap('ns', 'rules'), caches))).toEqual(['ns/a']);
    expect(names(seedsNamingConfigMap(configMap('ns', 'schema'), caches))).toEqual(['ns/a', 'ns/b']);
    expect(names(seedsNamingConfigMap(configMap('elsewhere', 'rules'), caches))).toEqual(['elsewhere/c']);
    expect(seedsNamingConfigMap(configMap('ns', 'unrelated'), caches)).toEqual([]);
  });

  it("finds the DataSeeds naming a Baseline, and those a namespace's labels judge", () => {
    const caches = freshCaches(objects);
    expect(names(seedsNamingBaseline(baseline('shop'), caches))).toEqual(['ns/a']);
    expect(names(seedsJudgedByNamespace(namespace('ns'), caches))).toEqual(['ns/a']);
    expect(seedsJudgedByNamespace(namespace('quiet'), caches)).toEqual([]);
  });

  it('re-judges the seeds of a preview when the namespace it acts for changes its labels', () => {
    const preview: KubernetesObject = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'preview-1', labels: { 'understudy.dev/environment-namespace': 'ns' } },
    };
    const caches = freshCaches([
      ...objects,
      preview,
      seed('preview-1', 'made', withRules('rules', { baselineRef: { name: 'shop' } })),
      seed('preview-1', 'plain', withRules('rules')),
    ]);
    expect(names(seedsJudgedByNamespace(namespace('ns'), caches))).toEqual(['ns/a', 'preview-1/made']);
    expect(names(seedsJudgedByNamespace(namespace('preview-1'), caches))).toEqual(['preview-1/made']);
  });

  it('follows a DataSeed whose spec changes or that goes away', () => {
    const caches = freshCaches(objects);
    caches.upsert(seed('ns', 'a', withRules('new-rules')));
    expect(names(seedsNamingConfigMap(configMap('ns', 'rules'), caches))).toEqual([]);
    expect(names(seedsNamingConfigMap(configMap('ns', 'new-rules'), caches))).toEqual(['ns/a']);
    caches.remove(seed('ns', 'b', {}));
    expect(names(seedsNamingConfigMap(configMap('ns', 'schema'), caches))).toEqual(['ns/a']);
  });

  it("marks reference changes: every ConfigMap event, a Baseline's new generation and a namespace's new labels, never a repeat", () => {
    let now = 100;
    const changes = new ReferenceChanges(() => now);
    const watchers = referenceWatchers(changes);
    const caches = freshCaches(objects);
    expect(names(watchers.configMap(configMap('ns', 'rules'), caches))).toEqual(['ns/a']);
    expect(changes.changedAtMs('ns/a')).toBe(100);
    expect(changes.changedAtMs('ns/b')).toBeUndefined();
    now = 200;
    // First sight of a Baseline is not a change; the same generation again (a status write) neither.
    watchers.baselines.ofBaseline(baseline('shop', 1), caches);
    watchers.baselines.ofBaseline(baseline('shop', 1), caches);
    expect(changes.changedAtMs('ns/a')).toBe(100);
    watchers.baselines.ofBaseline(baseline('shop', 2), caches);
    expect(changes.changedAtMs('ns/a')).toBe(200);
    now = 300;
    watchers.baselines.ofNamespace(namespace('ns'), caches);
    watchers.baselines.ofNamespace(namespace('ns', { team: 'a' }), caches);
    expect(changes.changedAtMs('ns/a')).toBe(300);
    changes.forget('ns/a');
    expect(changes.changedAtMs('ns/a')).toBeUndefined();
  });

  it('indexes exactly what a scan of the DataSeeds finds, after any adds, spec changes and deletes (property)', () => {
    const specArb = fc.record({
      ns: fc.constantFrom('ns', 'other'),
      name: fc.constantFrom('a', 'b', 'c'),
      rules: fc.constantFrom('r1', 'r2', 'r3'),
      gone: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(specArb, { maxLength: 20 }), (steps) => {
        const caches = freshCaches([]);
        const live = new Map<string, string>();
        for (const s of steps) {
          const object = seed(s.ns, s.name, withRules(s.rules));
          if (s.gone) {
            caches.remove(object);
            live.delete(`${s.ns}/${s.name}`);
          } else {
            caches.upsert(object);
            live.set(`${s.ns}/${s.name}`, s.rules);
          }
        }
        for (const ns of ['ns', 'other'])
          for (const rules of ['r1', 'r2', 'r3']) {
            const expected = [...live]
              .filter(([key, r]) => key.startsWith(`${ns}/`) && r === rules)
              .map(([key]) => key)
              .sort();
            expect(
              caches
                .cache(Kinds.DataSeed)
                .byIndex(SEED_BY_CONFIG_MAP, `${ns}/${rules}`)
                .map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)
                .sort(),
            ).toEqual(expected);
          }
      }),
    );
  });
});
