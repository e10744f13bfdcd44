import type { DataSeedSpec } from '../../api/dataseed';
import type { KubeClient } from '../../runtime/kube-client';
import type { ReferenceReader } from '../../seed/resolve';

// The Secrets and ConfigMaps a DataSeed names, read when a seed starts (and
// never cached: the operator does not keep the cluster's Secrets in memory).

type DataObject = { apiVersion: string; kind: string; data?: Record<string, string> };

export class KubeReferenceReader implements ReferenceReader {
  constructor(private readonly client: KubeClient) {}

  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const secret = await this.client.get<DataObject>({ apiVersion: 'v1', kind: 'Secret', namespace, name });
    if (!secret) return undefined;
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const configMap = await this.client.get<DataObject>({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
    return configMap ? (configMap.data ?? {}) : undefined;
  }
}

export interface ReferencedNames {
  secrets: string[];
  configMaps: string[];
}

/** Every Secret and ConfigMap the spec names, so a seed Job's Role can grant exactly those. */
export function referencedNames(spec: DataSeedSpec): ReferencedNames {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  const connection = (c: DataSeedSpec['target'] | undefined): void => {
    if (c?.urlSecretRef) secrets.add(c.urlSecretRef.name);
    if (c?.passwordSecretRef) secrets.add(c.passwordSecretRef.name);
  };
  connection(spec.target);
  const s = spec.source;
  connection(s.synthesize?.profile.fromDatabase);
  if (s.synthesize?.profile.configMapRef) configMaps.add(s.synthesize.profile.configMapRef.name);
  connection(s.anonymize?.from);
  if (s.anonymize) secrets.add(s.anonymize.key.secretKeyRef.name);
  if (s.sql) configMaps.add(s.sql.configMapRef.name);
  if (s.fixtures) configMaps.add(s.fixtures.configMapRef.name);
  if (spec.rulesFrom) configMaps.add(spec.rulesFrom.name);
  return { secrets: [...secrets].sort(), configMaps: [...configMaps].sort() };
}
