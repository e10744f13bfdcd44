import type { Severity } from '../../api/paritycheck';
import type { Difference } from '../finding';
import type { DeclaredOverrides } from './declared';
import { sameAcrossNamespaces, type NamespaceMapping } from './namespaces';
import type { NamespaceSnapshot } from './snapshot';

export interface ConfigContext {
  mapping: NamespaceMapping;
  declared: DeclaredOverrides;
  tolerances: { resources: number; replicas: number };
  staging: NamespaceSnapshot;
  production: NamespaceSnapshot;
}

export function stringsEqual(context: ConfigContext): (staging: string, production: string) => boolean {
  return (s, p) => sameAcrossNamespaces(s, p, context.mapping);
}

/** Builders for configuration differences of one resource. */
export function differ(resource: string) {
  const make = (
    path: string,
    staging: unknown,
    production: unknown,
    severity: Severity,
    message: string,
    expected = false,
  ): Difference => {
    const difference: Difference = {
      category: 'configuration',
      resource,
      path,
      expected,
      severity: expected ? 'info' : severity,
      message,
    };
    if (staging !== undefined) difference.staging = staging;
    if (production !== undefined) difference.production = production;
    return difference;
  };
  return make;
}

/** "declared by StagingEnvironment previews/pr-1" or "" when no environment is known. */
export function declaredBy(context: ConfigContext): string {
  return context.declared.environment
    ? ` (declared by StagingEnvironment ${context.declared.environment})`
    : ' (declared)';
}

/** Relative distance of an observed ratio from the expected one. */
export function ratioDeviation(staging: number, production: number, expectedRatio: number): number {
  if (production === 0) return staging === 0 ? 0 : Infinity;
  return Math.abs(staging / production - expectedRatio) / expectedRatio;
}
