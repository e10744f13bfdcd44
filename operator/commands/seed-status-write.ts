import { API_VERSION } from '../api/common';
import type { KubernetesObject } from '../runtime/client-node';
import type { KubeClient } from '../runtime/kube-client';
import { isConflict } from '../runtime/kube-errors';
import { statusPatch } from '../runtime/status';

// `understudy seed --resource --write-status` (the seed Job's pod) reports
// into the DataSeed's status. The controller writes the same status (Running
// before, conditions after), so the pod's write is guarded twice: it is
// skipped when the DataSeed moved to a newer generation while the pod seeded
// (that generation's run owns the status now), and it is conditional on the
// resourceVersion it read, retried from a fresh read on a conflict, so it never
// replaces a status it did not see.

const ATTEMPTS = 5;

export type StatusWriteOutcome = 'written' | 'superseded' | 'gone';

export async function writeSeedStatus(
  client: KubeClient,
  target: { namespace: string; name: string; generation: number | undefined },
  status: Record<string, unknown>,
): Promise<StatusWriteOutcome> {
  const ref = { apiVersion: API_VERSION, kind: 'DataSeed', namespace: target.namespace, name: target.name };
  for (let attempt = 1; ; attempt++) {
    const live = await client.get<KubernetesObject & { status?: Record<string, unknown> }>(ref);
    if (!live || live.metadata?.deletionTimestamp) return 'gone';
    if (target.generation !== undefined && live.metadata?.generation !== target.generation) return 'superseded';
    try {
      await client.jsonPatch(ref, statusPatch(live, { ...live.status, ...status }), { subresource: 'status' });
      return 'written';
    } catch (error) {
      if (!isConflict(error) || attempt >= ATTEMPTS) throw error;
    }
  }
}
