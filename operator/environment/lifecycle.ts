import type { StagingEnvironmentSpec } from '../api/stagingenvironment';
import { parseDuration } from '../api/values/duration';

// When an environment ends: at expiresAt, or ttl after its creation.

export function expiryOf(spec: Pick<StagingEnvironmentSpec, 'ttl' | 'expiresAt'>, createdAt: Date): Date | undefined {
  if (spec.expiresAt !== undefined) return new Date(spec.expiresAt);
  if (spec.ttl === undefined) return undefined;
  const ttl = parseDuration(spec.ttl);
  return ttl.ok ? new Date(createdAt.getTime() + ttl.milliseconds) : undefined;
}

/** Milliseconds until expiry (0 or less: expired), or undefined when the environment does not expire. */
export function timeToExpiry(spec: Pick<StagingEnvironmentSpec, 'ttl' | 'expiresAt'>, createdAt: Date, now: Date): number | undefined {
  const expiry = expiryOf(spec, createdAt);
  return expiry ? expiry.getTime() - now.getTime() : undefined;
}
