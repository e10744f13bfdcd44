import type { Socket } from 'node:net';
import type { ResolvedParityCheck, StagingDatabase } from '../../api/paritycheck';
import { parseDuration } from '../../api/values/duration';
import { behaviourNeedsServices } from '../behaviour/defaults';
import type { MetricsSource } from '../behaviour/prometheus';
import type { ParitySources } from '../check';
import type { KubeObject } from '../config/normalize';
import { newCheckKey } from '../config/secrets';
import { isBookkeeping } from '../config/snapshot';
import { PostgresCatalogue } from '../database/postgres';
import { CredentialHashingSource } from './credentials';
import { RequireObjects, type ObjectSource } from './objects';

/**
 * Where one run's sources come from. The controller answers from the Baseline
 * (production) and the check's own namespaces (staging); the CLI from its
 * flags and the user's own credentials. Each method throws an Error whose
 * message names the field to fix and holds no credential.
 */
export interface SourceResolver {
  objects(): Promise<{ staging: ObjectSource; production: ObjectSource }>;
  stagingDatabaseUrl(ref: StagingDatabase['connectionSecretRef'], field: string): Promise<string>;
  /** How connections to a staging database are made (node-postgres's `stream`); absent, a plain socket. */
  stagingStream?: (field: string) => () => Socket;
  productionDatabaseUrl(name: string, field: string): Promise<string>;
  metrics(timeoutMs: number): Promise<MetricsSource>;
  /** The StagingEnvironment whose overrides count as expected, already read. */
  environment?: ParitySources['environment'];
}

export interface BuiltSources {
  sources: ParitySources;
  /** Closes database connections; call after the check. */
  close(): Promise<void>;
}

type DatabaseSides = { staging: StagingDatabase; production: { database: string } };

/** Whether a run lists Kubernetes objects: for the configuration category, or to find the services a behaviour query runs for. */
export function needsObjects(check: ResolvedParityCheck): boolean {
  return check.categories.configuration?.enabled !== false || behaviourNeedsServices(check);
}

/**
 * Builds a check's sources. What cannot be built is put in `unavailable` with
 * a message naming the field, so the check reports it as Stalled for that
 * category instead of failing as a whole. Listed objects pass through
 * CredentialHashingSource under the run's key, the same key the engine hashes
 * Secrets with, so a credential in a ConfigMap or an env value is never shown.
 */
export async function buildSources(check: ResolvedParityCheck, resolver: SourceResolver): Promise<BuiltSources> {
  const key = newCheckKey();
  const sources: ParitySources = { unavailable: {}, secretKey: key };
  if (resolver.environment) sources.environment = resolver.environment;
  const unavailable = sources.unavailable!;
  const catalogues: PostgresCatalogue[] = [];
  const attempt = async (category: keyof NonNullable<ParitySources['unavailable']>, build: () => Promise<void>) => {
    try {
      await build();
    } catch (err) {
      unavailable[category] = (err as Error).message;
    }
  };

  if (needsObjects(check)) {
    await attempt('configuration', async () => {
      const { staging, production } = await resolver.objects();
      // Pods and per-namespace bookkeeping exist in every namespace: they do not make production non-empty.
      const incidental = (o: KubeObject) => o.kind === 'Pod' || isBookkeeping(o);
      sources.objects = {
        staging: new CredentialHashingSource(staging, key),
        production: new CredentialHashingSource(new RequireObjects(production, incidental), key),
      };
    });
  }

  const databasePair = async (pair: DatabaseSides, field: string) => {
    const stagingField = `${field}.staging.connectionSecretRef`;
    const [stagingUrl, productionUrl] = await Promise.all([
      resolver.stagingDatabaseUrl(pair.staging.connectionSecretRef, stagingField),
      resolver.productionDatabaseUrl(pair.production.database, `${field}.production.database`),
    ]);
    const built = {
      staging: new PostgresCatalogue(stagingUrl, 'staging', { stream: resolver.stagingStream?.(stagingField) }),
      production: new PostgresCatalogue(productionUrl, 'production'),
    };
    catalogues.push(built.staging, built.production);
    return built;
  };
  const { schema, data, behaviour } = check.categories;
  if (schema)
    await attempt(
      'schema',
      async () => void (sources.databases = await databasePair(schema, 'spec.categories.schema')),
    );
  if (data?.staging && data.production) {
    const own = { staging: data.staging, production: data.production };
    await attempt('data', async () => void (sources.dataDatabases = await databasePair(own, 'spec.categories.data')));
  } else if (data && unavailable.schema) {
    unavailable.data = unavailable.schema;
  }

  if (behaviour && behaviour.enabled !== false) {
    await attempt('behaviour', async () => {
      const parsed = parseDuration(behaviour.prometheus.timeout);
      sources.metrics = await resolver.metrics(parsed.ok ? parsed.milliseconds : 10_000);
    });
  }

  return { sources, close: async () => void (await Promise.all(catalogues.map((c) => c.close()))) };
}
