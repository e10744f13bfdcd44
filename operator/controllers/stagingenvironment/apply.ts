import { objectsToPrune } from '../../environment/prune';
import { isManagedBy, type EnvironmentRef } from '../../environment/labels';
import { groupOf, type KubeObject } from '../../environment/objects';
import type { KubernetesObject } from '../../runtime/client-node';
import { inParallel } from '../../runtime/in-parallel';
import type { KubeClient } from '../../runtime/kube-client';
import { isConflict } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { isUpToDate, withAppliedHash } from './drift';
import { CACHED_TARGET_KINDS, MANAGED_SELECTOR, cacheOf, type KindRef } from './watches';
import { FIRST_WAVE_KINDS } from '../../environment/apply-order';

// Writing the environment: server-side apply under the operator's field
// manager, only for objects whose live copy differs from the desired one,
// in two waves: first what pods need to exist before they are created (a
// pod naming a missing ServiceAccount is refused, and the ReplicaSet
// controller backs off; a quota must be there to count them), then all the
// rest at once. Every apply is a round trip, so within a wave several go
// out together.

const PARALLEL_APPLIES = 8;

export interface LiveObjects {
  /** The live object of the same kind and name, or undefined. */
  get(object: KubeObject): KubeObject | undefined;
  /** Every object of this environment in the target namespace. */
  owned(): KubeObject[];
}

/** Live objects from the caches; kinds outside them (spec.kinds: DaemonSet, Job) are listed once. */
export async function liveObjects(
  ctx: ReconcileContext,
  namespace: string,
  environment: EnvironmentRef,
  extraKinds: readonly KindRef[],
): Promise<LiveObjects> {
  const listed = new Map<string, KubeObject[]>();
  for (const kind of extraKinds) {
    if (cachedKindOf(kind)) continue;
    const list = await ctx.client.list<KubernetesObject>(kind.apiVersion, kind.kind, {
      namespace,
      labelSelector: MANAGED_SELECTOR,
    });
    listed.set(`${groupOf(kind.apiVersion)}/${kind.kind}`, list.items as unknown as KubeObject[]);
  }
  const fromCache = (kind: KindRef): KubeObject[] => cacheOf(ctx, kind).list(namespace);
  return {
    get(object) {
      const cached = cachedKindOf(object);
      if (cached) return cacheOf(ctx, cached).get(namespace, object.metadata.name);
      return listed
        .get(`${groupOf(object.apiVersion)}/${object.kind}`)
        ?.find((o) => o.metadata.name === object.metadata.name);
    },
    owned() {
      const all = [...CACHED_TARGET_KINDS.flatMap(fromCache), ...[...listed.values()].flat()];
      return all.filter((o) => isManagedBy(o, environment));
    },
  };
}

/** The cache holding a kind, matched by group and kind so that autoscaling/v1 and v2 meet. */
function cachedKindOf(object: Pick<KubeObject, 'apiVersion' | 'kind'>): KindRef | undefined {
  const group = groupOf(object.apiVersion);
  return CACHED_TARGET_KINDS.find((k) => k.kind === object.kind && groupOf(k.apiVersion) === group);
}

export interface ApplyOutcome {
  applied: number;
  unchanged: number;
}

/** Applies what differs, in order; the first failure stops the waves after it. `desired` carries its applied digests (withAppliedHash). */
export async function applyDesired(
  client: KubeClient,
  desired: readonly KubeObject[],
  live: LiveObjects,
  onApplied: (object: KubeObject) => void = () => undefined,
): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { applied: 0, unchanged: 0 };
  for (const wave of wavesOf(desired)) {
    const stale = wave.filter((object) => {
      const upToDate = isUpToDate(object, live.get(object));
      if (upToDate) outcome.unchanged++;
      return !upToDate;
    });
    await inParallel(stale, PARALLEL_APPLIES, async (object) => {
      await client.apply(object, { force: true });
      outcome.applied++;
      onApplied(object);
    });
  }
  return outcome;
}

/** Deletes the environment's objects that are no longer desired; returns how many. */
export async function pruneUndesired(
  client: KubeClient,
  desired: readonly KubeObject[],
  live: LiveObjects,
  environment: EnvironmentRef,
): Promise<string[]> {
  const doomed = objectsToPrune(live.owned(), desired, environment).filter((o) => !o.metadata.deletionTimestamp);
  await inParallel(doomed, PARALLEL_APPLIES, async (object) => {
    await client.delete(
      {
        apiVersion: object.apiVersion,
        kind: object.kind,
        namespace: object.metadata.namespace,
        name: object.metadata.name,
      },
      { propagationPolicy: 'Background' },
    );
  });
  return doomed.map((o) => `${o.kind}/${o.metadata.name}`);
}

/**
 * Creates the target namespace. Create, never apply: if someone else's
 * namespace of that name appeared after the cache was read, the server
 * refuses (409) instead of letting the operator adopt it.
 */
export async function createNamespace(client: KubeClient, namespace: KubeObject): Promise<'created' | 'exists'> {
  try {
    await client.create(withAppliedHash(namespace));
    return 'created';
  } catch (error) {
    if (isConflict(error)) return 'exists';
    throw error;
  }
}

function wavesOf(objects: readonly KubeObject[]): KubeObject[][] {
  const first = objects.filter((o) => FIRST_WAVE_KINDS.has(o.kind) && groupOf(o.apiVersion) !== 'understudy.dev');
  return [first, objects.filter((o) => !first.includes(o))].filter((wave) => wave.length > 0);
}
