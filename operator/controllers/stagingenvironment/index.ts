import type { KubernetesObject } from '../../runtime/client-node';
import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import type { Runnable } from '../../runtime/runnable';
import { DEFAULT_MANAGED_NAMESPACE_ROLE } from './namespace-access';
import { operatorMetrics } from '../../metrics/operator-metrics';
import { StagingEnvironmentReconciler } from './reconciler';
import { orphanSweep } from './sweep';
import { environmentIndexers, STAGING_ENVIRONMENT_REF, watchedKinds } from './watches';

export const STAGING_ENVIRONMENT_CONTROLLER = 'stagingenvironment';
export { FINALIZER } from './lifecycle';
export { APPLIED_HASH_ANNOTATION } from './drift';
export { TEST_REVISION_ANNOTATION } from './tests';

export interface StagingEnvironmentControllerOptions {
  maxConcurrentReconciles?: number;
  /** The ClusterRole bound in each target namespace (the chart's `<release>-managed-namespace`). */
  managedNamespaceRole?: string;
  now?: () => Date;
  /** How often the leader sweeps orphaned namespaces and old tombstones (5 minutes). */
  sweepIntervalMs?: number;
}

/**
 * Spec, metadata and deletion wake the environment; so does its
 * infrastructure's verdict, which another controller writes into its status
 * and which decides whether the environment is Ready.
 */
export function specMetadataOrInfrastructureChanged(old: KubernetesObject, updated: KubernetesObject): boolean {
  const infrastructure = (o: KubernetesObject): string =>
    JSON.stringify(
      (o as { status?: { infrastructure?: { conditions?: unknown } } }).status?.infrastructure?.conditions ?? null,
    );
  return generationOrMetadataChanged(old, updated) || infrastructure(old) !== infrastructure(updated);
}

/**
 * The StagingEnvironment controller for `understudy operator`. Its own
 * status writes do not wake it (only spec, metadata, deletion and the
 * infrastructure's conditions do); the
 * environment's objects, the baselines it reads and the namespaces do.
 * Reconciles wait mostly on the API server, so several run side by side.
 */
export function stagingEnvironmentController(
  env: Pick<ControllerEnvironment, 'namespaces' | 'operatorNamespace'> &
    Partial<Pick<ControllerEnvironment, 'registry'>>,
  options: StagingEnvironmentControllerOptions = {},
): ControllerOptions & { runnables: Runnable[] } {
  return {
    name: STAGING_ENVIRONMENT_CONTROLLER,
    primary: { ...STAGING_ENVIRONMENT_REF, indexers: environmentIndexers },
    watches: watchedKinds(),
    reconciler: new StagingEnvironmentReconciler({
      namespaces: env.namespaces,
      operatorNamespace: env.operatorNamespace,
      managedNamespaceRole:
        options.managedNamespaceRole ?? process.env.UNDERSTUDY_MANAGED_NAMESPACE_ROLE ?? DEFAULT_MANAGED_NAMESPACE_ROLE,
      ...(options.now ? { now: options.now } : {}),
      ...(env.registry ? { metrics: operatorMetrics(env.registry) } : {}),
    }),
    maxConcurrentReconciles: options.maxConcurrentReconciles ?? 4,
    primaryUpdatePredicate: specMetadataOrInfrastructureChanged,
    // The periodic sweep belongs to the controller but to no reconcile: the manager runs it while leading.
    runnables: [
      orphanSweep({
        namespaces: env.namespaces,
        operatorNamespace: env.operatorNamespace,
        ...(options.sweepIntervalMs ? { intervalMs: options.sweepIntervalMs } : {}),
        ...(options.now ? { now: options.now } : {}),
        ...(env.registry ? { metrics: operatorMetrics(env.registry) } : {}),
      }),
    ],
  };
}
