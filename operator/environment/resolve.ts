import { resolveCopySpec, type CopySpec, type ResolveInput } from './copy-spec';
import { copiedKinds, type CopiedKind } from './kinds';
import { expiryOf } from './lifecycle';

// The one way into the pure core with an environment's spec, before anything
// is read: the spec resolved within its Baseline, with what follows from it
// for the reads and the lifetime. The controller reads what this names, then
// plans (plan.ts) from the CopySpec; it never goes back to the spec.

export interface ResolvedEnvironment {
  copy: CopySpec;
  /** The kinds read from the baseline and written to the copy, derived once. */
  kinds: CopiedKind[];
  /** When the environment ends (ttl from `createdAt`, the lifetime's start, or expiresAt); undefined: never. */
  expiresAt?: Date;
}

export type EnvironmentResolution =
  { ok: true; resolved: ResolvedEnvironment } | { ok: false; field: string; message: string };

/** `createdAt` is where the lifetime counts from (lifecycle.ts lifetimeStart), which a ttl is measured against. */
export function resolveEnvironment(input: ResolveInput): EnvironmentResolution {
  const resolution = resolveCopySpec(input);
  if (!resolution.ok) return resolution;
  const { copy } = resolution;
  const expiresAt = expiryOf(copy, input.createdAt);
  return {
    ok: true,
    resolved: { copy, kinds: copiedKinds(copy.kinds, copy.secrets.policy), ...(expiresAt ? { expiresAt } : {}) },
  };
}
