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

export type ReferenceKind = 'Secret' | 'ConfigMap';

/**
 * Which DataSeed names which Secret or ConfigMap, filled in by each
 * reconcile, and when one of them last changed: a seed waiting out its
 * backoff for a missing Secret runs as soon as the Secret appears, instead
 * of at its next retry. Every DataSeed is reconciled when the operator
 * starts, so the index is complete after the first pass.
 */
export class ReferenceIndex {
  private readonly byKey = new Map<string, { namespace: string; names: ReferencedNames }>();
  private readonly changed = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  set(key: string, namespace: string, names: ReferencedNames): void {
    this.byKey.set(key, { namespace, names });
  }

  delete(key: string): void {
    this.byKey.delete(key);
    this.changed.delete(key);
  }

  /** The DataSeeds naming this object, marked as having seen a reference change now. */
  touch(kind: ReferenceKind, namespace: string | undefined, name: string | undefined): Array<{ namespace: string; name: string }> {
    const out: Array<{ namespace: string; name: string }> = [];
    for (const [key, entry] of this.byKey) {
      const list = kind === 'Secret' ? entry.names.secrets : entry.names.configMaps;
      if (entry.namespace !== namespace || name === undefined || !list.includes(name)) continue;
      this.changed.set(key, this.now());
      out.push({ namespace: entry.namespace, name: key.slice(key.indexOf('/') + 1) });
    }
    return out;
  }

  changedAtMs(key: string): number | undefined {
    return this.changed.get(key);
  }
}
