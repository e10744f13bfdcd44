import type { Severity } from '../api/paritycheck';

/**
 * Severity of each kind of configuration difference. Something production
 * has and staging lacks is worst (staging cannot exercise it); a changed
 * value is a warning; something only staging has is informational.
 *
 * | difference                                        | severity |
 * | ------------------------------------------------- | -------- |
 * | object, container, env var, ConfigMap or Secret key missing in staging | critical |
 * | image differs (by digest when known)              | critical |
 * | same image tag but a different digest             | critical |
 * | env or ConfigMap value differs                    | warning  |
 * | probe missing or different                        | warning  |
 * | replicas, HPA bounds or resources off the ratio   | warning  |
 * | resource limit or request missing in staging      | warning  |
 * | ports, service type, other pod spec fields differ | warning  |
 * | Secret value differs (keyed hash)                 | info     |
 * | present only in staging                           | info     |
 * | declared by the StagingEnvironment (expected)     | info     |
 */
export const CONFIG_SEVERITY = {
  missingObject: 'critical',
  missingContainer: 'critical',
  missingEnv: 'critical',
  missingConfigKey: 'critical',
  missingSecretKey: 'critical',
  image: 'critical',
  envValue: 'warning',
  configValue: 'warning',
  probe: 'warning',
  scale: 'warning',
  missingResource: 'warning',
  otherField: 'warning',
  secretValue: 'info',
  onlyInStaging: 'info',
  expected: 'info',
} as const satisfies Record<string, Severity>;

/**
 * Schema: a table, column or type production has and staging lacks breaks
 * queries; index and constraint differences change performance or integrity;
 * objects only staging has are usually a migration not yet released.
 */
export const SCHEMA_SEVERITY = {
  missingTable: 'critical',
  missingColumn: 'critical',
  columnType: 'critical',
  nullability: 'warning',
  columnDefault: 'warning',
  missingIndex: 'warning',
  indexDefinition: 'warning',
  missingConstraint: 'warning',
  constraintDefinition: 'warning',
  /** An enum, domain or sequence production has and staging lacks: columns of that type cannot exist. */
  missingType: 'critical',
  missingEnumLabel: 'critical',
  /** Staging stores values production would refuse, so what passes in staging can fail in production. */
  enumLabelOnlyInStaging: 'warning',
  enumOrder: 'warning',
  sequenceDefinition: 'warning',
  onlyInStaging: 'info',
} as const satisfies Record<string, Severity>;

/** Data statistics: volume off the expected ratio is a warning, shape differences too; unknowns are inconclusive, not findings. */
export const DATA_SEVERITY = {
  /** Compared on its own, the data category must not pass a table staging lacks. */
  missingTable: 'critical',
  rowCount: 'warning',
  nullFraction: 'warning',
  distinct: 'info',
} as const satisfies Record<string, Severity>;

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function severityRank(severity: Severity): number {
  return RANK[severity];
}

export function atLeast(severity: Severity, threshold: Severity): boolean {
  return RANK[severity] >= RANK[threshold];
}
