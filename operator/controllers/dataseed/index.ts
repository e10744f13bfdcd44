import { LABELS, MANAGED_BY } from '../../api/common';
import type { ControllerEnvironment } from '../../commands/operator';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import type { MapFunction } from '../../runtime/owner-mapping';
import { operatorImage } from './image';
import { JOB_REF } from './job-runner';
import { DataSeedReconciler, type DataSeedReconcilerOptions } from './reconciler';
import { DATA_SEED_REF } from './spec';

export const DATA_SEED_CONTROLLER = 'dataseed';
export { DATA_SEED_REF } from './spec';
export { DATASEED_LABEL, seedIdentityName } from './seed-identity';

/** The seed Jobs' owner: only a DataSeed owner reference counts (an environment's test Jobs share the cache). */
export const dataSeedOwnerOf: MapFunction = (job) =>
  (job.metadata?.ownerReferences ?? [])
    .filter((ref) => ref.kind === DATA_SEED_REF.kind && ref.apiVersion.startsWith(`${DATA_SEED_REF.apiVersion.split('/')[0]}/`))
    .map((ref) => ({ namespace: job.metadata?.namespace ?? '', name: ref.name }));

export type DataSeedControllerOptions = Partial<DataSeedReconcilerOptions> & { maxConcurrentReconciles?: number };

/**
 * The DataSeed controller for `understudy operator`. Only spec, metadata and
 * deletion changes wake it (never its own status writes), and the seed Jobs
 * it owns. Reconciles are short (a running inline seed is visited every few
 * seconds, not waited on), so a few run side by side.
 */
export function dataSeedController(_env: Pick<ControllerEnvironment, 'namespaces'>, options: DataSeedControllerOptions = {}): ControllerOptions {
  const { maxConcurrentReconciles, ...reconciler } = options;
  return {
    name: DATA_SEED_CONTROLLER,
    primary: { ...DATA_SEED_REF },
    // The same selector and scope as the StagingEnvironment's Job cache, so both share one informer.
    owns: [{ ...JOB_REF, labelSelector: `${LABELS.managedBy}=${MANAGED_BY}`, scope: 'all', map: dataSeedOwnerOf }],
    reconciler: new DataSeedReconciler({ image: operatorImage(), ...reconciler }),
    maxConcurrentReconciles: maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: generationOrMetadataChanged,
  };
}
