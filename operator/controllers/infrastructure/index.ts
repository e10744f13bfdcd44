import { Kinds } from '../../kinds';
import type { ControllerEnvironment } from '../../runtime/controller-environment';
import { type ControllerOptions, generationOrMetadataChanged } from '../../runtime/controller';
import type { KubernetesObject } from '../../runtime/client-node';
import type { Caches, Request } from '../../runtime/reconciler';
import { InfrastructureReconciler } from './reconciler';
import { InlineRuns } from './runs';
import { JobRuns } from './job-runs';
import { StackRuns } from './runner';
import { operatorImage, operatorImagePullSecrets } from '../dataseed/image';

export const INFRASTRUCTURE_CONTROLLER = 'infrastructure';
export { INFRASTRUCTURE_FINALIZER, infrastructureHoldsNamespace } from './hold';

export interface InfrastructureControllerOptions {
  /** Stack operations running at once in this operator (each in its own child process). */
  maxRuns?: number;
  /** runner Job: infrastructure Jobs running at once, and how long one may run. */
  maxJobs?: number;
  jobDeadlineSeconds?: number;
  now?: () => Date;
}

function environments(
  caches: Caches | undefined,
  keep: (env: KubernetesObject & { spec?: { baselineRef?: { name?: string } } }) => boolean,
): Request[] {
  if (!caches) return [];
  return caches
    .cache(Kinds.StagingEnvironment)
    .list()
    .filter((env) => keep(env as KubernetesObject & { spec?: { baselineRef?: { name?: string } } }))
    .map((env) => ({ namespace: env.metadata?.namespace ?? '', name: env.metadata?.name ?? '' }));
}

function infrastructureOf(object: KubernetesObject): unknown {
  return (object as { status?: { infrastructure?: unknown } }).status?.infrastructure;
}

/**
 * The infrastructure controller: StagingEnvironments are its primaries too
 * (spec, metadata and deletion changes wake it, and status.infrastructure changes), and
 * Baselines and Namespaces as for every user of Baselines, so a Baseline's
 * new program or configuration reaches its environments.
 */
export function infrastructureController(
  env: Pick<ControllerEnvironment, 'operatorNamespace'>,
  options: InfrastructureControllerOptions = {},
): ControllerOptions {
  const runs = new StackRuns(
    new InlineRuns(options.maxRuns ?? 2),
    // runner Job: in the operator's namespace, where the credentials are; never in the environment's.
    new JobRuns({
      namespace: env.operatorNamespace,
      image: operatorImage(),
      imagePullSecrets: operatorImagePullSecrets(),
      ...(options.maxJobs ? { limit: options.maxJobs } : {}),
      ...(options.jobDeadlineSeconds ? { activeDeadlineSeconds: options.jobDeadlineSeconds } : {}),
      ...(options.now ? { now: options.now } : {}),
    }),
  );
  return {
    name: INFRASTRUCTURE_CONTROLLER,
    primary: { ...Kinds.StagingEnvironment },
    watches: [
      {
        ...Kinds.Baseline,
        scope: 'all',
        map: (object: KubernetesObject, caches?: Caches) =>
          environments(caches, (e) => e.spec?.baselineRef?.name === object.metadata?.name),
      },
      {
        ...Kinds.Namespace,
        scope: 'all',
        map: (object: KubernetesObject, caches?: Caches) =>
          environments(caches, (e) => e.metadata?.namespace === object.metadata?.name),
      },
    ],
    reconciler: new InfrastructureReconciler({
      runs,
      operatorNamespace: env.operatorNamespace,
      ...(options.now ? { now: options.now } : {}),
    }),
    maxConcurrentReconciles: 4,
    // Also status.infrastructure changes: the StagingEnvironment controller writes the whole status from its cache and may
    // put back an older status.infrastructure; this controller then looks again and converges. And the environment's
    // Expired condition: under expiryPolicy Retain it is what tells this controller to destroy the stack.
    primaryUpdatePredicate: (old, updated) =>
      generationOrMetadataChanged(old, updated) ||
      JSON.stringify(infrastructureOf(old)) !== JSON.stringify(infrastructureOf(updated)) ||
      JSON.stringify(expiredOf(old)) !== JSON.stringify(expiredOf(updated)),
  };
}

/** The environment's Expired condition, as far as this controller acts on it. */
function expiredOf(o: KubernetesObject): unknown {
  const conditions = (
    o as { status?: { conditions?: Array<{ type?: string; status?: string; observedGeneration?: number }> } }
  ).status?.conditions;
  const expired = conditions?.find((c) => c.type === 'Expired');
  return expired ? [expired.status, expired.observedGeneration] : null;
}
