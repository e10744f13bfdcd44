import { parse as parseYaml } from 'yaml';
import { type Connection, type DataSeedSpec, type Rule, RuleSchema } from '../api/dataseed';
import { TenantUrlError, checkTenantPostgresUrl } from '../runtime/tenant-postgres-url';
import { SeedError } from './errors';
import { ProfileSchema } from './model';
import type { SeedRequest } from './report';

// Turns a DataSeed's references (Secrets, ConfigMaps) into what runSeed needs.
// Used by the controller (both runners) and by `understudy seed --resource`
// (the Job runner's pod). Production is reached only through a
// ProductionSource, which only the operator has: a seed that reads production
// and gets none (a Job's pod) fails before anything is read.

/** Reads decoded Secret and ConfigMap data from the resource's namespace; undefined when absent. */
export interface ReferenceReader {
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

/** A production database of the DataSeed's Baseline, as the operator reads it where the admin put it. */
export interface ProductionSource {
  /** The read-only connection URL of the database `name`. */
  connectionUrl(name: string, field: string): Promise<string>;
  /** The database's stored profile (JSON or YAML text), when the Baseline names one. */
  storedProfile(name: string, field: string): Promise<string | undefined>;
}

export type ReferenceFailure = 'ReferenceNotFound' | 'ReferenceUnreadable' | 'InvalidReference';

/**
 * A reference that cannot be used: missing, not readable by the operator
 * (the message says who must grant what), or holding a bad value. Its
 * message never holds a referenced value.
 */
export class SeedReferenceError extends Error {
  override readonly name = 'SeedReferenceError';

  constructor(
    readonly reason: ReferenceFailure,
    message: string,
  ) {
    super(message);
  }
}

async function readSecret(
  reader: ReferenceReader,
  namespace: string,
  name: string,
  field: string,
): Promise<Record<string, string> | undefined> {
  try {
    return await reader.secret(namespace, name);
  } catch (err) {
    if (err instanceof SeedReferenceError) throw new SeedReferenceError(err.reason, `${field}: ${err.message}`);
    throw err;
  }
}

async function secretKey(
  reader: ReferenceReader,
  namespace: string,
  ref: { name: string; key: string },
  field: string,
): Promise<string> {
  const data = await readSecret(reader, namespace, ref.name, field);
  if (!data) throw new SeedError('ReferenceNotFound', `${field}: Secret ${namespace}/${ref.name} not found`);
  const value = data[ref.key];
  if (value === undefined || value === '')
    throw new SeedError('ReferenceNotFound', `${field}: Secret ${namespace}/${ref.name} has no key ${ref.key}`);
  return value;
}

async function configMapKey(
  reader: ReferenceReader,
  namespace: string,
  ref: { name: string; key: string },
  field: string,
): Promise<string> {
  const data = await reader.configMap(namespace, ref.name);
  if (!data) throw new SeedError('ReferenceNotFound', `${field}: ConfigMap ${namespace}/${ref.name} not found`);
  const value = data[ref.key];
  if (value === undefined)
    throw new SeedError('ReferenceNotFound', `${field}: ConfigMap ${namespace}/${ref.name} has no key ${ref.key}`);
  return value;
}

/** A connection URL from a Secret holding it whole, or from host fields plus a password Secret. */
export async function connectionUrl(
  reader: ReferenceReader,
  namespace: string,
  c: Connection,
  field: string,
): Promise<string> {
  if (c.urlSecretRef) {
    const url = await secretKey(reader, namespace, c.urlSecretRef, `${field}.urlSecretRef`);
    return tenantUrl(
      url,
      `${field}.urlSecretRef (Secret ${namespace}/${c.urlSecretRef.name} key ${c.urlSecretRef.key})`,
    );
  }
  if (c.host!.includes('/'))
    throw new SeedError('InvalidSpec', `${field}.host: must be a host name or address, not a socket path`);
  const url = new URL('postgresql://localhost');
  url.hostname = c.host!;
  url.port = String(c.port ?? 5432);
  url.pathname = `/${encodeURIComponent(c.database!)}`;
  url.username = encodeURIComponent(c.user!);
  if (c.passwordSecretRef)
    url.password = encodeURIComponent(
      await secretKey(reader, namespace, c.passwordSecretRef, `${field}.passwordSecretRef`),
    );
  if (c.sslMode && c.sslMode !== 'disable') url.searchParams.set('sslmode', c.sslMode);
  return tenantUrl(url.toString(), `${field}.host`);
}

/** The operator (an Inline seed) or a seed Job connects with it: nothing in it may reach the operator's files. */
function tenantUrl(url: string, field: string): string {
  try {
    return checkTenantPostgresUrl(url, field);
  } catch (err) {
    if (err instanceof TenantUrlError) throw new SeedError('InvalidSpec', err.message);
    throw err;
  }
}

/** Rules from YAML: a list, or a mapping with `rules:`; each checked, errors naming the source, the entry and its table.column. */
export function parseRules(text: string, where: string): Rule[] {
  let doc: unknown;
  try {
    doc = parseYaml(text) as unknown;
  } catch (err) {
    throw new SeedError('InvalidSpec', `${where}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new SeedError('InvalidSpec', `${where}: expected a list of rules or {rules: [...]}`);
  return list.map((r, i) => {
    const parsed = RuleSchema.safeParse(r);
    if (!parsed.success) {
      const raw = (r ?? {}) as { table?: unknown; column?: unknown };
      const at = typeof raw.table === 'string' && typeof raw.column === 'string' ? ` (${raw.table}.${raw.column})` : '';
      throw new SeedError(
        'InvalidSpec',
        `${where}: rules[${i}]${at}: ${parsed.error.issues.map((x) => `${x.path.join('.')} ${x.message}`).join('; ')}`,
      );
    }
    return parsed.data;
  });
}

export function parseProfile(text: string, where: string) {
  let doc: unknown;
  try {
    doc = text.trimStart().startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new SeedError('InvalidSpec', `${where}: not JSON or YAML: ${(err as Error).message}`);
  }
  const parsed = ProfileSchema.safeParse(doc);
  if (!parsed.success)
    throw new SeedError(
      'InvalidSpec',
      `${where}: not an understudy profile: ${parsed.error.issues
        .slice(0, 3)
        .map((x) => `${x.path.join('.')} ${x.message}`)
        .join('; ')}`,
    );
  return parsed.data;
}

/** The only way to production; without it (a Job's pod), a seed that reads production is refused before anything is read. */
function production(source: ProductionSource | undefined, field: string): ProductionSource {
  if (source) return source;
  throw new SeedError(
    'InvalidSpec',
    `${field}: production is read only inside the operator (runner Inline), through the Baseline; a seed Job never receives production credentials`,
  );
}

/**
 * A synthesis always checks its fidelity: without spec.fidelity, the default
 * thresholds, enforced. (An anonymize is compared only when it asks to be,
 * since a subset is not meant to match production's shape.)
 */
export function withDefaultFidelity(spec: DataSeedSpec): DataSeedSpec {
  return spec.source.synthesize && !spec.fidelity ? { ...spec, fidelity: { enforce: true } } : spec;
}

/**
 * What runSeed needs, read from the DataSeed's namespace (`reader`) and, for
 * sources that read production, from its Baseline (`source`, the operator's).
 */
export async function resolveSeedRequest(
  spec: DataSeedSpec,
  namespace: string,
  reader: ReferenceReader,
  source?: ProductionSource,
): Promise<SeedRequest> {
  const request: SeedRequest = {
    spec: withDefaultFidelity(spec),
    target: await connectionUrl(reader, namespace, spec.target, 'spec.target'),
  };
  if (spec.rulesFrom)
    request.extraRules = parseRules(
      await configMapKey(reader, namespace, spec.rulesFrom, 'spec.rulesFrom'),
      'spec.rulesFrom',
    );
  const s = spec.source;
  if (s.synthesize) {
    const p = s.synthesize.profile;
    if (p.configMapRef)
      request.profile = parseProfile(
        await configMapKey(reader, namespace, p.configMapRef, 'spec.source.synthesize.profile.configMapRef'),
        'spec.source.synthesize.profile.configMapRef',
      );
    if (p.fromBaseline) {
      const field = 'spec.source.synthesize.profile.fromBaseline.database';
      const prod = production(source, field);
      const stored = await prod.storedProfile(p.fromBaseline.database, field);
      if (stored !== undefined) request.profile = parseProfile(stored, `${field}: the Baseline's profileRef`);
      else request.source = await prod.connectionUrl(p.fromBaseline.database, field);
    }
  } else if (s.anonymize) {
    const field = 'spec.source.anonymize.from.database';
    request.source = await production(source, field).connectionUrl(s.anonymize.from.database, field);
    const key = await secretKey(
      reader,
      namespace,
      s.anonymize.key.secretKeyRef,
      'spec.source.anonymize.key.secretKeyRef',
    );
    if (Buffer.byteLength(key) < 16)
      throw new SeedError(
        'InvalidSpec',
        'spec.source.anonymize.key.secretKeyRef: the masking key must be at least 16 bytes',
      );
    request.key = Buffer.from(key, 'utf8');
  } else if (s.sql) {
    request.sql = await configMapKey(reader, namespace, s.sql.configMapRef, 'spec.source.sql.configMapRef');
  } else if (s.fixtures) {
    const text = await configMapKey(reader, namespace, s.fixtures.configMapRef, 'spec.source.fixtures.configMapRef');
    const doc = parseYaml(text) as unknown;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc))
      throw new SeedError(
        'InvalidSpec',
        'spec.source.fixtures.configMapRef: expected a mapping from table name to a list of rows',
      );
    request.fixtures = doc as Record<string, Array<Record<string, unknown>>>;
  }
  return request;
}
