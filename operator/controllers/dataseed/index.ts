import { LABELS, MANAGED_BY } from '../../api/common';
import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import type { KubernetesObject } from '../../runtime/client-node';
import type { MapFunction } from '../../runtime/owner-mapping';
import { operatorImage, operatorImagePullSecrets } from './image';
import { operatorMetrics } from '../../metrics/operator-metrics';
import { JOB_REF } from './job-runner';
import { DataSeedReconciler, type DataSeedReconcilerOptions } from './reconciler';
import { ReferenceIndex } from './references';
import { DATA_SEED_REF } from './spec';
import { baselineWatches } from '../baseline-access';
import { environmentChildren } from '../environment-children';

export const DATA_SEED_CONTROLLER = 'dataseed';
export { DATA_SEED_REF } from './spec';
export { DATASEED_LABEL, seedIdentityName } from './seed-identity';

/** The seed Jobs' owner: only a DataSeed owner reference counts (an environment's test Jobs share the cache). */
export const dataSeedOwnerOf: MapFunction = (job) =>
  (job.metadata?.ownerReferences ?? [])
    .filter((ref) => ref.kind === DATA_SEED_REF.kind && ref.apiVersion.startsWith(`${DATA_SEED_REF.apiVersion.split('/')[0]}/`))
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
export function dataSeedController(env: Pick<ControllerEnvironment, 'namespaces' | 'inlineSeeds'> & Partial<Pick<ControllerEnvironment, 'registry'>>, options: DataSeedControllerOptions = {}): ControllerOptions {
  const bounds = env.inlineSeeds ? { maxInlineSeeds: env.inlineSeeds.max, maxInlineSeedsPerNamespace: env.inlineSeeds.perNamespace, inlineSeedDeadlineSeconds: env.inlineSeeds.deadlineSeconds } : {};
  const { maxConcurrentReconciles, ...reconciler } = { ...bounds, ...options };
  const references = reconciler.references ?? new ReferenceIndex();
  return {
    name: DATA_SEED_CONTROLLER,
    primary: { ...DATA_SEED_REF },
    primaryAlso: environmentChildren(DATA_SEED_REF, env.namespaces),
    owns: [{ ...JOB_REF, labelSelector: MANAGED_SELECTOR, scope: 'all', map: dataSeedOwnerOf }],
    watches: [
      { apiVersion: 'v1', kind: 'ConfigMap', scope: 'all', map: (o) => references.touch('ConfigMap', o.metadata?.namespace, o.metadata?.name) },
      // The versions tell a spec or label change (which may let a waiting seed start now) from a status write.
      ...baselineWatches(() => [], () => []).map((watch) => ({
        ...watch,
        map: (o: KubernetesObject) =>
          watch.kind === 'Namespace'
            ? references.touchNamespace(o.metadata?.name ?? '', JSON.stringify(o.metadata?.labels ?? {}))
            : references.touchBaseline(o.metadata?.name ?? '', String(o.metadata?.generation ?? '')),
      })),
    ],
    reconciler: new DataSeedReconciler({ image: operatorImage(), imagePullSecrets: operatorImagePullSecrets(), ...(env.registry ? { metrics: operatorMetrics(env.registry) } : {}), ...reconciler, references }),
    maxConcurrentReconciles: maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
