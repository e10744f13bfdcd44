import { LABELS, MANAGED_BY } from '../../api/common';
import type { ControllerEnvironment } from '../../commands/operator';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import type { MapFunction } from '../../runtime/owner-mapping';
import { operatorImage } from './image';
import { JOB_REF } from './job-runner';
import { DataSeedReconciler, type DataSeedReconcilerOptions } from './reconciler';
import { ReferenceIndex } from './references';
import { DATA_SEED_REF } from './spec';
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
 * It also watches the ConfigMaps and the operator-managed Secrets (those a
 * StagingEnvironment copies) that DataSeeds name, so a seed waiting for one
 * runs as soon as it appears; other Secrets are not cached, and a seed that
 * waits for one of them retries with backoff. Each watch has the selector
 * and scope of the StagingEnvironment controller's, so they share its caches.
 */
export function dataSeedController(env: Pick<ControllerEnvironment, 'namespaces'>, options: DataSeedControllerOptions = {}): ControllerOptions {
  const { maxConcurrentReconciles, ...reconciler } = options;
  const references = reconciler.references ?? new ReferenceIndex();
  return {
    name: DATA_SEED_CONTROLLER,
    primary: { ...DATA_SEED_REF },
    primaryAlso: environmentChildren(DATA_SEED_REF, env.namespaces),
    owns: [{ ...JOB_REF, labelSelector: MANAGED_SELECTOR, scope: 'all', map: dataSeedOwnerOf }],
    watches: [
      { apiVersion: 'v1', kind: 'Secret', labelSelector: MANAGED_SELECTOR, scope: 'all', map: (o) => references.touch('Secret', o.metadata?.namespace, o.metadata?.name) },
      { apiVersion: 'v1', kind: 'ConfigMap', scope: 'all', map: (o) => references.touch('ConfigMap', o.metadata?.namespace, o.metadata?.name) },
    ],
    reconciler: new DataSeedReconciler({ image: operatorImage(), ...reconciler, references }),
    maxConcurrentReconciles: maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
