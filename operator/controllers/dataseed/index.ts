import { LABELS, MANAGED_BY } from '../../api/common';
import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { type ControllerOptions, generationOrMetadataChanged, watching } from '../../runtime/controller';
import { isKind } from '../../runtime/gvk';
import type { MapFunction } from '../../runtime/owner-mapping';
import { Kinds } from '../../kinds';
import { operatorImage, operatorImagePullSecrets } from './image';
import { operatorMetrics } from '../../metrics/operator-metrics';
import { DataSeedReconciler, type DataSeedReconcilerOptions } from './reconciler';
import { ReferenceChanges } from './references';
import { dataSeedIndexers, referenceWatchers } from './watches';
import { baselineWatches } from '../baseline-access';
import { environmentChildren } from '../environment-children';

export const DATA_SEED_CONTROLLER = 'dataseed';
export { DATASEED_LABEL, seedIdentityName } from './seed-identity';

/** The seed Jobs' owner: only a DataSeed owner reference counts (an environment's test Jobs share the cache). */
export const dataSeedOwnerOf: MapFunction = (job) =>
  (job.metadata?.ownerReferences ?? [])
    .filter((ref) => isKind(ref, Kinds.DataSeed))
    .map((ref) => ({ namespace: job.metadata?.namespace ?? '', name: ref.name }));

export type DataSeedControllerOptions = Partial<DataSeedReconcilerOptions> & { maxConcurrentReconciles?: number };

const MANAGED_SELECTOR = `${LABELS.managedBy}=${MANAGED_BY}`;

/**
 * The DataSeed controller for `understudy operator`. Only spec, metadata and
 * deletion changes wake it (never its own status writes), and the seed Jobs
 * it owns. Reconciles are short (a running inline seed is visited every few
 * seconds, not waited on), so a few run side by side.
 *
 * It also watches the ConfigMaps DataSeeds name, so a seed waiting for one
 * runs as soon as it appears, with the scope of the StagingEnvironment
 * controller's watch, so they share its cache. Secrets are not watched: the
 * operator may not list them cluster-wide (the chart grants Secrets only in
 * some namespaces), so a seed waiting for one retries with backoff. Baselines
 * and Namespaces are watched as every user of Baselines does: a Baseline's
 * change re-judges the DataSeeds naming it, a namespace's labels those in it.
 */
export function dataSeedController(
  env: Pick<ControllerEnvironment, 'namespaces' | 'inlineSeeds'> &
    Partial<Pick<ControllerEnvironment, 'registry' | 'tenantNetwork'>>,
  options: DataSeedControllerOptions = {},
): ControllerOptions {
  const bounds = env.inlineSeeds
    ? {
        maxInlineSeeds: env.inlineSeeds.max,
        maxInlineSeedsPerNamespace: env.inlineSeeds.perNamespace,
        inlineSeedDeadlineSeconds: env.inlineSeeds.deadlineSeconds,
      }
    : {};
  const { maxConcurrentReconciles, ...reconciler } = { ...bounds, ...options };
  const references = reconciler.references ?? new ReferenceChanges();
  const watchers = referenceWatchers(references);
  return {
    name: DATA_SEED_CONTROLLER,
    primary: { apiVersion: Kinds.DataSeed.apiVersion, kind: Kinds.DataSeed.kind, indexers: dataSeedIndexers },
    primaryAlso: environmentChildren(Kinds.DataSeed, env.namespaces),
    owns: [
      {
        apiVersion: Kinds.Job.apiVersion,
        kind: Kinds.Job.kind,
        labelSelector: MANAGED_SELECTOR,
        scope: 'all',
        map: dataSeedOwnerOf,
      },
    ],
    watches: [
      watching(Kinds.ConfigMap, { scope: 'all', map: watchers.configMap }),
      // A Baseline's new generation or a namespace's new labels (not a status write) may let a waiting seed start now.
      ...baselineWatches(watchers.baselines),
    ],
    reconciler: new DataSeedReconciler({
      image: operatorImage(),
      imagePullSecrets: operatorImagePullSecrets(),
      ...(env.registry ? { metrics: operatorMetrics(env.registry) } : {}),
      ...(env.tenantNetwork ? { tenantNetwork: env.tenantNetwork } : {}),
      ...reconciler,
      references,
    }),
    maxConcurrentReconciles: maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
