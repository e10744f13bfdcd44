import { API_VERSION, type Condition } from '../../api/common';
import type { KubernetesObject } from '../../runtime/client-node';

// A ParityCheck whose staging is a StagingEnvironment's copy runs again when
// that environment becomes Ready again — copied anew, seeded anew — because a
// result taken while the copy was still being seeded describes a staging that
// no longer exists.

export const STAGING_ENVIRONMENT_REF = { apiVersion: API_VERSION, kind: 'StagingEnvironment' } as const;

export type EnvironmentObject = KubernetesObject & { spec?: unknown; status?: { namespace?: string; conditions?: Condition[] } };

/**
 * When the environment last became Ready, as its condition says (compared as
 * written, never as a clock), or undefined while it is not Ready or unknown.
 */
export function readySince(environment: EnvironmentObject | undefined): string | undefined {
  const ready = environment?.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? ready.lastTransitionTime : undefined;
}
