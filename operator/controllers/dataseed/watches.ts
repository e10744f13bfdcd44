import { Kinds, type BaselineObject, type DataObject, type NamespaceObject } from '../../kinds';
import type { Indexers } from '../../runtime/object-store';
import { namespacedKey } from '../../runtime/object-key';
import type { Caches, Request } from '../../runtime/reconciler';
import { type BaselineUsers, namespacesActingFor } from '../baseline-access';
import { type ReferenceChanges, referencedNames } from './references';
import { type DataSeedObject, parseSpec } from './spec';

// Which DataSeeds a change wakes: those naming a ConfigMap (or Secret) in
// their namespace, a Baseline, or living in a namespace whose labels decide
// their access. Index lookups over the DataSeed cache, so they are right from
// the first event after a restart; the ReferenceChanges they feed only
// remembers when, for the retry decision.

export const SEED_BY_SECRET = 'secret';
export const SEED_BY_CONFIG_MAP = 'configMap';
export const SEED_BY_BASELINE = 'spec.baselineRef.name';

/** An invalid spec names nothing: it waits for its own fix, which is a DataSeed event. */
export const dataSeedIndexers: Indexers<DataSeedObject> = {
  [SEED_BY_SECRET]: (seed) => namesOf(seed)?.secrets.map((name) => namespacedKey(seed.metadata?.namespace, name)) ?? [],
  [SEED_BY_CONFIG_MAP]: (seed) =>
    namesOf(seed)?.configMaps.map((name) => namespacedKey(seed.metadata?.namespace, name)) ?? [],
  [SEED_BY_BASELINE]: (seed) => {
    const parsed = parseSpec(seed.spec);
    const name = parsed.ok ? parsed.spec.baselineRef?.name : undefined;
    return name ? [name] : [];
  },
};

function namesOf(seed: DataSeedObject): ReturnType<typeof referencedNames> | undefined {
  const parsed = parseSpec(seed.spec);
  return parsed.ok ? referencedNames(parsed.spec) : undefined;
}

const requestOf = (seed: DataSeedObject): Request => ({
  namespace: seed.metadata?.namespace ?? '',
  name: seed.metadata?.name ?? '',
});
const seeds = (caches: Caches) => caches.cache(Kinds.DataSeed);

export function seedsNamingConfigMap(configMap: DataObject, caches: Caches): Request[] {
  return seeds(caches)
    .byIndex(SEED_BY_CONFIG_MAP, namespacedKey(configMap.metadata?.namespace, configMap.metadata?.name ?? ''))
    .map(requestOf);
}

export function seedsNamingBaseline(baseline: BaselineObject, caches: Caches): Request[] {
  return seeds(caches)
    .byIndex(SEED_BY_BASELINE, baseline.metadata?.name ?? '')
    .map(requestOf);
}

/**
 * DataSeeds that name a Baseline and whose access this namespace's labels
 * decide: those in it, and those in the previews' target namespaces that act
 * for it (gate.ts asks the Baseline on behalf of the environment's namespace).
 */
export function seedsJudgedByNamespace(namespace: NamespaceObject, caches: Caches): Request[] {
  const name = namespace.metadata?.name ?? '';
  const namespaces = [name, ...namespacesActingFor(caches, name).map((ns) => ns.metadata?.name ?? '')];
  return namespaces.flatMap((ns) =>
    seeds(caches)
      .list(ns)
      .filter((seed) => dataSeedIndexers[SEED_BY_BASELINE]!(seed).length > 0)
      .map(requestOf),
  );
}

const keysOf = (requests: Request[]): string[] => requests.map((r) => namespacedKey(r.namespace, r.name));

/** The mappers with the side effect the retry decision needs: a ConfigMap event, a Baseline's new generation and a Namespace's new labels count as reference changes. */
export function referenceWatchers(changes: ReferenceChanges): {
  configMap: (o: DataObject, caches: Caches) => Request[];
  baselines: BaselineUsers;
} {
  return {
    configMap: (configMap, caches) => {
      const requests = seedsNamingConfigMap(configMap, caches);
      changes.touch(keysOf(requests));
      return requests;
    },
    baselines: {
      ofBaseline: (baseline, caches) => {
        const requests = seedsNamingBaseline(baseline, caches);
        if (
          changes.versionChanged(
            `Baseline/${baseline.metadata?.name ?? ''}`,
            String(baseline.metadata?.generation ?? ''),
          )
        )
          changes.touch(keysOf(requests));
        return requests;
      },
      ofNamespace: (namespace, caches) => {
        const requests = seedsJudgedByNamespace(namespace, caches);
        if (
          changes.versionChanged(
            `Namespace/${namespace.metadata?.name ?? ''}`,
            JSON.stringify(namespace.metadata?.labels ?? {}),
          )
        )
          changes.touch(keysOf(requests));
        return requests;
      },
    },
  };
}
