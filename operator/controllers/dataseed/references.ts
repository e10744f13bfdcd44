import type { DataSeedSpec } from '../../api/dataseed';
import { type DataObject, Kinds } from '../../kinds';
import type { KubeClient } from '../../runtime/kube-client';
import { KubeApiError } from '../../runtime/kube-errors';
import type { ObjectRef } from '../../runtime/object-ref';
import { type ReferenceReader, SeedReferenceError } from '../../seed/resolve';

// The Secrets and ConfigMaps a DataSeed names in its own namespace, read when
// a seed starts (and never cached: the operator does not keep the cluster's
// Secrets in memory). The operator reads Secrets only where the chart or an
// admin lets it; elsewhere the seed says who must grant what.

export function secretReadDenied(namespace: string): string {
  return `the operator may not read Secrets in namespace ${namespace}; an admin must grant it read there (chart value rbac.secretNamespaces, or a RoleBinding of ClusterRole understudy-secret-reader; docs/security.md)`;
}

export class KubeReferenceReader implements ReferenceReader {
  constructor(private readonly client: KubeClient) {}

  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const secret = await this.read({ ...Kinds.Secret, namespace, name }, () => secretReadDenied(namespace));
    if (!secret) return undefined;
    return Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
    );
  }

  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const configMap = await this.read(
      { ...Kinds.ConfigMap, namespace, name },
      () => `the operator may not read ConfigMaps in namespace ${namespace}`,
    );
    return configMap ? (configMap.data ?? {}) : undefined;
  }

  private async read(ref: ObjectRef, denied: () => string): Promise<DataObject | undefined> {
    try {
      return await this.client.get<DataObject>(ref);
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 403)
        throw new SeedReferenceError('ReferenceUnreadable', denied());
      throw err;
    }
  }
}

export interface ReferencedNames {
  secrets: string[];
  configMaps: string[];
}

/**
 * Every Secret and ConfigMap of its namespace the spec names, so a seed
 * Job's Role can grant exactly those. Production databases are not among
 * them: they come from the Baseline, and only the operator reads them.
 */
export function referencedNames(spec: DataSeedSpec): ReferencedNames {
  const secrets = new Set<string>();
  const configMaps = new Set<string>();
  if (spec.target.urlSecretRef) secrets.add(spec.target.urlSecretRef.name);
  if (spec.target.passwordSecretRef) secrets.add(spec.target.passwordSecretRef.name);
  const s = spec.source;
  if (s.synthesize?.profile.configMapRef) configMaps.add(s.synthesize.profile.configMapRef.name);
  if (s.anonymize) secrets.add(s.anonymize.key.secretKeyRef.name);
  if (s.sql) configMaps.add(s.sql.configMapRef.name);
  if (s.fixtures) configMaps.add(s.fixtures.configMapRef.name);
  if (spec.rulesFrom) configMaps.add(spec.rulesFrom.name);
  return { secrets: [...secrets].sort(), configMaps: [...configMaps].sort() };
}

/**
 * When a reference of each DataSeed last changed, for the retry decision: a
 * seed waiting out its backoff for a missing Secret, or for a database its
 * Baseline did not list, runs as soon as that changes instead of at its next
 * retry. Which DataSeeds name what is not kept here: the watches look it up
 * in the DataSeed cache's indexes (./watches.ts). This only remembers event
 * times, which a restart may forget: the seed then retries on its backoff.
 */
export class ReferenceChanges {
  private readonly changed = new Map<string, number>();
  /** The last version seen of each Baseline (generation) and Namespace (labels): status writes change nothing. */
  private readonly versions = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Marks the DataSeeds (`namespace/name` keys) as having seen a reference change now. */
  touch(keys: readonly string[]): void {
    const at = this.now();
    for (const key of keys) this.changed.set(key, at);
  }

  /** Whether `version` of `id` (`Baseline/shop`) differs from the last one seen; the first sight is no change. */
  versionChanged(id: string, version: string): boolean {
    const before = this.versions.get(id);
    this.versions.set(id, version);
    return before !== undefined && before !== version;
  }

  forget(key: string): void {
    this.changed.delete(key);
  }

  changedAtMs(key: string): number | undefined {
    return this.changed.get(key);
  }
}
