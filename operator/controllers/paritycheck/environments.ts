import type { StagingEnvironmentObject } from '../../kinds';

// A ParityCheck whose staging is a StagingEnvironment's copy runs again when
// that environment becomes Ready again — copied anew, seeded anew — because a
// result taken while the copy was still being seeded describes a staging that
// no longer exists.

/**
 * When the environment last became Ready, as its condition says (compared as
 * written, never as a clock), or undefined while it is not Ready or unknown.
 */
export function readySince(environment: StagingEnvironmentObject | undefined): string | undefined {
  const ready = environment?.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' ? ready.lastTransitionTime : undefined;
}
