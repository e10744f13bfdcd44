import { environmentOfNamespace } from '../../environment/namespace';
import type { OperatorMetrics } from '../../metrics/operator-metrics';
import type { KubeObject } from '../../environment/objects';
import type { CacheReader } from '../../runtime/informer';
import type { Runnable, RunnableContext } from '../../runtime/runnable';
import type { Request } from '../../runtime/reconciler';
import { parseTombstone, tombstoneLive } from '../../environment/lifecycle';
import { sweepOrphans } from './lifecycle';
import { CONFIG_MAP_REF } from './observe';
import { NAMESPACE_REF, STAGING_ENVIRONMENT_REF } from './watches';
import { errorMessage } from '../../runtime/error-message';
import { namespacedKey } from '../../runtime/object-key';

// The periodic sweep, as a runnable of the manager that only the leader runs
// (controller-runtime's LeaderElectionRunnable), not a side job of whichever
// reconcile comes first. Every interval, over the caches: managed namespaces
// whose StagingEnvironment the cache does not know are checked against the
// server and deleted when it is really gone; tombstones of expired
// environments past their retention are deleted.

export const ORPHAN_SWEEP_MS = 5 * 60_000;

export interface OrphanSweepOptions {
  /** The namespaces the operator watches (undefined: all), so the sweep stays within them. */
  namespaces: readonly string[] | undefined;
  /** Where tombstones live. */
  operatorNamespace: string;
  intervalMs?: number;
  now?: () => Date;
  metrics?: OperatorMetrics;
}

export function orphanSweep(options: OrphanSweepOptions): Runnable {
  const interval = options.intervalMs ?? ORPHAN_SWEEP_MS;
  const now = options.now ?? (() => new Date());
  return {
    name: 'stagingenvironment-orphan-sweep',
    needLeaderElection: true,
    async start(ctx: RunnableContext): Promise<void> {
      // The same informers as the controller's watches (same kind, scope and selector), so nothing is listed twice.
      const namespaces = ctx.informerFor({ ...NAMESPACE_REF, scope: 'all' }) as unknown as CacheReader<KubeObject> & {
        waitForSync(signal?: AbortSignal): Promise<boolean>;
      };
      const environments = ctx.informerFor({ ...STAGING_ENVIRONMENT_REF });
      const configMaps = ctx.informerFor({ ...CONFIG_MAP_REF, scope: 'all' }) as unknown as CacheReader<KubeObject> & {
        waitForSync(signal?: AbortSignal): Promise<boolean>;
      };
      for (const informer of [namespaces, environments, configMaps])
        if (!(await informer.waitForSync(ctx.signal))) return;
      while (!ctx.signal.aborted) {
        try {
          await sweepOnce(
            {
              ...ctx,
              namespaces,
              environments,
              configMaps,
              operatorNamespace: options.operatorNamespace,
              now: now(),
              ...(options.metrics ? { metrics: options.metrics } : {}),
            },
            options.namespaces,
          );
        } catch (error) {
          ctx.logger.warn({ err: errorMessage(error) }, 'orphan sweep failed; retried at the next interval');
        }
        await sleep(interval, ctx.signal);
      }
    },
  };
}

export interface SweepInput extends Pick<RunnableContext, 'client' | 'logger'> {
  namespaces: CacheReader<KubeObject>;
  environments: { get(namespace: string, name: string): unknown };
  configMaps: CacheReader<KubeObject>;
  operatorNamespace: string;
  now: Date;
  metrics?: OperatorMetrics;
}

/** One pass: namespaces without a known owner, then tombstones past their retention. */
export async function sweepOnce(input: SweepInput, watched: readonly string[] | undefined): Promise<void> {
  const owners = new Map<string, Request>();
  for (const namespace of input.namespaces.list()) {
    const owner = environmentOfNamespace(namespace);
    if (!owner || namespace.metadata.deletionTimestamp || input.environments.get(owner.namespace, owner.name)) continue;
    owners.set(namespacedKey(owner.namespace, owner.name), { namespace: owner.namespace, name: owner.name });
  }
  for (const owner of owners.values())
    await sweepOrphans(
      owner,
      {
        client: input.client,
        log: input.logger,
        namespaces: input.namespaces,
        ...(input.metrics ? { metrics: input.metrics } : {}),
      },
      watched,
    );
  for (const configMap of input.configMaps.list(input.operatorNamespace)) {
    const tombstone = parseTombstone(configMap);
    if (!tombstone || tombstoneLive(tombstone, input.now)) continue;
    await input.client.delete(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: input.operatorNamespace, name: configMap.metadata.name },
      { ...(configMap.metadata.uid ? { preconditions: { uid: configMap.metadata.uid } } : {}) },
    );
    input.logger.info(
      { environment: `${tombstone.namespace}/${tombstone.name}` },
      'deleted the tombstone of an environment expired long ago',
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
