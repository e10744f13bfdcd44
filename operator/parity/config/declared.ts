// What a StagingEnvironment asked to be different. Read loosely from its
// spec (services[].name/mode/image/env, scale.replicas/resources) so that
// this module does not depend on the StagingEnvironment schema's details:
// anything it does not recognise is simply not declared.

export interface DeclaredService {
  mode: 'copy' | 'shared';
  image?: string;
  envNames: Set<string>;
  /** The values of declared variables given as plain `value`: staging must hold exactly these. */
  envValues: Map<string, string>;
}

export interface DeclaredOverrides {
  /** namespace/name of the environment, for messages. */
  environment: string;
  services: Map<string, DeclaredService>;
  replicasRatio: number;
  resourcesRatio: number;
  /** The environment's spec.secrets.policy: Omit means production's Secrets are not copied, on purpose. */
  secretsPolicy?: string;
  /** With CopyListed, the Secrets copied as they are. */
  copiedSecrets?: Set<string>;
}

export const NO_OVERRIDES: DeclaredOverrides = {
  environment: '',
  services: new Map(),
  replicasRatio: 1,
  resourcesRatio: 1,
};

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function ratio(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export function declaredOverridesFrom(environment: {
  metadata?: { name?: string; namespace?: string };
  spec?: unknown;
}): DeclaredOverrides {
  const spec = record(environment.spec);
  const scale = record(spec.scale);
  const services = new Map<string, DeclaredService>();
  for (const entry of Array.isArray(spec.services) ? spec.services : []) {
    const service = record(entry);
    if (typeof service.name !== 'string') continue;
    const env = Array.isArray(service.env) ? service.env : [];
    const named = env
      .map(record)
      .filter((e): e is { name: string } & Record<string, unknown> => typeof e.name === 'string');
    const declared: DeclaredService = {
      mode: service.mode === 'shared' ? 'shared' : 'copy',
      envNames: new Set(named.map((e) => e.name)),
      envValues: new Map(
        named
          .filter((e) => e.valueFrom === undefined)
          .map((e) => [e.name, typeof e.value === 'string' ? e.value : ''] as const),
      ),
    };
    if (typeof service.image === 'string') declared.image = service.image;
    services.set(service.name, declared);
  }
  const { name = '', namespace = '' } = environment.metadata ?? {};
  const overrides: DeclaredOverrides = {
    environment: namespace ? `${namespace}/${name}` : name,
    services,
    replicasRatio: ratio(scale.replicas),
    resourcesRatio: ratio(scale.resources),
  };
  // Secrets are never copied unless the environment says otherwise (DESIGN.md).
  const secrets = record(spec.secrets);
  overrides.secretsPolicy = typeof secrets.policy === 'string' ? secrets.policy : 'Omit';
  if (Array.isArray(secrets.names))
    overrides.copiedSecrets = new Set(secrets.names.filter((n): n is string => typeof n === 'string'));
  return overrides;
}

/**
 * Whether the environment meant this Secret's values to differ from
 * production's: it generated fresh ones (Generate), or it was not to copy
 * the Secret at all (Omit, or CopyListed without it). A Secret copied on
 * purpose (listed) must hold production's values, so a difference there is drift.
 */
export function secretValuesDeclared(declared: DeclaredOverrides, secretName: string): boolean {
  switch (declared.secretsPolicy) {
    case 'Generate':
    case 'Omit':
      return true;
    case 'CopyListed':
      return !(declared.copiedSecrets?.has(secretName) ?? false);
    default:
      return false;
  }
}

/** The replica count the environment's ratio asks for: never below one, either rounding accepted. */
export function expectedReplicaRange(production: number, ratioValue: number): [number, number] {
  if (production === 0) return [0, 0];
  const exact = production * ratioValue;
  return [Math.max(1, Math.floor(exact)), Math.max(1, Math.ceil(exact))];
}
