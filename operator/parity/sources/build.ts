import type { ParityCheckSpec } from '../../api/paritycheck';
import type { SecretKeySelector } from '../../api/common';
import { parseDuration } from '../../environment/duration';
import { KubeConfig } from '../../runtime/client-node';
import { PrometheusClient } from '../behaviour/prometheus';
import type { ParitySources } from '../check';
import { PostgresCatalogue } from '../database/postgres';
import { KubeObjectSource } from './kube';

/** What building sources reads from the cluster: Secrets (decoded) and the StagingEnvironment. */
export interface ClusterReader {
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  stagingEnvironment(namespace: string, name: string): Promise<ParitySources['environment'] | undefined>;
}

export interface BuiltSources {
  sources: ParitySources;
  /** Closes database connections; call after the check. */
  close(): Promise<void>;
}

class SourceProblem extends Error {}

async function secretValue(reader: ClusterReader, namespace: string, ref: SecretKeySelector, field: string): Promise<string> {
  const data = await reader.secret(namespace, ref.name);
  if (!data) throw new SourceProblem(`${field}: Secret ${namespace}/${ref.name} not found`);
  const value = data[ref.key];
  if (value === undefined) throw new SourceProblem(`${field}: Secret ${namespace}/${ref.name} has no key ${ref.key}`);
  return value;
}

/**
 * Builds a check's sources from its spec: kubeconfigs and connection URLs
 * come from Secrets in the check's namespace. What cannot be built is put
 * in `unavailable` with a message naming the field, so the check reports
 * it as Stalled for that category instead of failing as a whole.
 * `ownKubeConfig` is called only when an object source in the operator's
 * own cluster is needed.
 */
export async function buildSources(spec: ParityCheckSpec, namespace: string, reader: ClusterReader, ownKubeConfig: () => KubeConfig): Promise<BuiltSources> {
  const sources: ParitySources = { unavailable: {} };
  const unavailable = sources.unavailable!;
  const catalogues: PostgresCatalogue[] = [];
  const attempt = async (category: keyof NonNullable<ParitySources['unavailable']>, build: () => Promise<void>) => {
    try {
      await build();
    } catch (err) {
      unavailable[category] = (err as Error).message;
    }
  };

  const needsObjects =
    spec.categories.configuration?.enabled !== false ||
    spec.staging.environmentRef !== undefined ||
    (spec.categories.behaviour?.queries.some((q) => q.query.includes('{{service}}') && !q.services) ?? false);
  if (needsObjects) await attempt('configuration', async () => {
    const side = async (target: ParityCheckSpec['staging'] | ParityCheckSpec['production'], name: 'staging' | 'production') => {
      if (!target.kubeconfigSecretRef) return KubeObjectSource.fromKubeConfig(ownKubeConfig(), name);
      const text = await secretValue(reader, namespace, target.kubeconfigSecretRef, `spec.${name}.kubeconfigSecretRef`);
      const kc = new KubeConfig();
      try {
        kc.loadFromString(text);
      } catch (err) {
        throw new SourceProblem(`spec.${name}.kubeconfigSecretRef: not a kubeconfig: ${(err as Error).message}`);
      }
      return KubeObjectSource.fromKubeConfig(kc, name);
    };
    const staging = await side(spec.staging, 'staging');
    const production = spec.production.kubeconfigSecretRef || spec.staging.kubeconfigSecretRef ? await side(spec.production, 'production') : staging;
    sources.objects = { staging, production };
    const ref = spec.staging.environmentRef;
    if (ref) {
      const environment = await reader.stagingEnvironment(ref.namespace ?? namespace, ref.name);
      if (!environment) throw new SourceProblem(`spec.staging.environmentRef: StagingEnvironment ${ref.namespace ?? namespace}/${ref.name} not found`);
      sources.environment = environment;
    }
  });

  const databasePair = async (pair: { staging: { connectionSecretRef: SecretKeySelector }; production: { connectionSecretRef: SecretKeySelector } }, field: string) => {
    const [stagingUrl, productionUrl] = await Promise.all([
      secretValue(reader, namespace, pair.staging.connectionSecretRef, `${field}.staging.connectionSecretRef`),
      secretValue(reader, namespace, pair.production.connectionSecretRef, `${field}.production.connectionSecretRef`),
    ]);
    const built = { staging: new PostgresCatalogue(stagingUrl, 'staging'), production: new PostgresCatalogue(productionUrl, 'production') };
    catalogues.push(built.staging, built.production);
    return built;
  };
  const schema = spec.categories.schema;
  if (schema) await attempt('schema', async () => void (sources.databases = await databasePair(schema, 'spec.categories.schema')));
  const data = spec.categories.data;
  if (data?.staging && data.production) {
    const own = { staging: data.staging, production: data.production };
    await attempt('data', async () => void (sources.dataDatabases = await databasePair(own, 'spec.categories.data')));
  } else if (data && unavailable.schema) {
    unavailable.data = unavailable.schema;
  }

  const behaviour = spec.categories.behaviour;
  if (behaviour) {
    await attempt('behaviour', async () => {
      const { url, urlSecretRef, timeout } = behaviour.prometheus;
      const base = url ?? (urlSecretRef ? await secretValue(reader, namespace, urlSecretRef, 'spec.categories.behaviour.prometheus.urlSecretRef') : undefined);
      if (!base) throw new SourceProblem('spec.categories.behaviour.prometheus: set url or urlSecretRef');
      const parsed = parseDuration(timeout);
      sources.metrics = new PrometheusClient(base.trim(), parsed.ok ? parsed.milliseconds : 10_000);
    });
  }

  return { sources, close: async () => void (await Promise.all(catalogues.map((c) => c.close()))) };
}
