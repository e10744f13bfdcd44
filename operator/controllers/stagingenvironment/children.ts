import type { Condition } from '../../api/common';
import type { StagingEnvironmentSpec } from '../../api/stagingenvironment';
import { isRecord, type KubeObject } from '../../environment/objects';
import type { CacheReader } from '../../runtime/informer';
import type { SeedProgress } from './status';

// How the environment's DataSeed children are doing. Their templates are
// validated with the spec (api/stagingenvironment.ts), before anything is written.

/** How the environment's DataSeeds are doing, from their status as their controller reports it. */
export function seedProgress(
  spec: StagingEnvironmentSpec,
  targetNamespace: string,
  seeds: CacheReader<KubeObject>,
): SeedProgress {
  const progress: SeedProgress = { total: spec.dataSeeds?.length ?? 0, succeeded: [], failed: [], pending: [] };
  for (const template of spec.dataSeeds ?? []) {
    const live = seeds.get(targetNamespace, template.name);
    const status = isRecord(live?.status) ? live.status : {};
    const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Condition[];
    const ready = conditions.find((c) => c.type === 'Ready');
    const stalled = conditions.find((c) => c.type === 'Stalled' && c.status === 'True');
    const current =
      typeof live?.metadata.generation !== 'number' || status.observedGeneration === live.metadata.generation;
    // A seed its controller will retry by itself (a Secret not there yet, a
    // database still starting) is still on its way, not failed.
    const retrying = typeof status.nextAttemptAt === 'string';
    if (live && current && ready?.status === 'True') progress.succeeded.push(template.name);
    else if (live && current && !retrying && (status.phase === 'Failed' || stalled))
      progress.failed.push({ name: template.name, message: (stalled ?? ready)?.message || 'failed' });
    else progress.pending.push(template.name);
  }
  return progress;
}

/**
 * The progress as this reconcile leaves it: a DataSeed it just (re)wrote has
 * not run its new spec yet, whatever the cache still shows of the old one. A
 * changed template would otherwise count as succeeded by the seed it
 * replaces, and the new generation be Ready before its data is there.
 */
export function withWrittenSeedsPending(progress: SeedProgress, written: ReadonlySet<string>): SeedProgress {
  const rewritten = (name: string): boolean => written.has(`DataSeed/${name}`);
  const moved = [...progress.succeeded.filter(rewritten), ...progress.failed.map((f) => f.name).filter(rewritten)];
  if (moved.length === 0) return progress;
  return {
    total: progress.total,
    succeeded: progress.succeeded.filter((name) => !rewritten(name)),
    failed: progress.failed.filter((f) => !rewritten(f.name)),
    pending: [...progress.pending, ...moved],
  };
}
