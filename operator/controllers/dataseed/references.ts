import type { DataSeedSpec } from '../../api/dataseed';
import type { KubeClient } from '../../runtime/kube-client';
import { KubeApiError } from '../../runtime/kube-errors';
import { type ReferenceReader, SeedReferenceError } from '../../seed/resolve';

// The Secrets and ConfigMaps a DataSeed names in its own namespace, read when
// a seed starts (and never cached: the operator does not keep the cluster's
// Secrets in memory). The operator reads Secrets only where the chart or an
// admin lets it; elsewhere the seed says who must grant what.

type DataObject = { apiVersion: string; kind: string; data?: Record<string, string> };

export function secretReadDenied(namespace: string): string {
  return `the operator may not read Secrets in namespace ${namespace}; an admin must grant it read there (chart value rbac.secretNamespaces, or a RoleBinding of ClusterRole understudy-secret-reader; docs/security.md)`;
}

export class KubeReferenceReader implements ReferenceReader {
  constructor(private readonly client: KubeClient) {}

  async secret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const secret = await this.read({ apiVersion: 'v1', kind: 'Secret', namespace, name }, () => secretReadDenied(namespace));
    if (!secret) return undefined;
    return Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  async configMap(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    const configMap = await this.read({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name }, () => `the operator may not read ConfigMaps in namespace ${namespace}`);
    return configMap ? (configMap.data ?? {}) : undefined;
  }

  private async read(ref: { apiVersion: string; kind: string; namespace: string; name: string }, denied: () => string): Promise<DataObject | undefined> {
    try {
      return await this.client.get<DataObject>(ref);
    } catch (err) {
      if (err instanceof KubeApiError && err.statusCode === 403) throw new SeedReferenceError('ReferenceUnreadable', denied());
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

export type ReferenceKind = 'Secret' | 'ConfigMap';

interface Entry {
  namespace: string;
  names: ReferencedNames;
  baseline: string | undefined;
}

/**
 * Which DataSeed names which Secret, ConfigMap or Baseline, filled in by each
 * reconcile, and when one of them last changed: a seed waiting out its
 * backoff for a missing Secret, or for a database its Baseline did not list,
 * runs as soon as that changes instead of at its next retry. Every DataSeed
 * is reconciled when the operator starts, so the index is complete after the
 * first pass.
 */
export class ReferenceIndex {
  private readonly byKey = new Map<string, Entry>();
  private readonly changed = new Map<string, number>();
  /** The last version seen of each Baseline (generation) and Namespace (labels): status writes change nothing. */
  private readonly versions = new Map<string, string>();

  constructor(private readonly now: () => number = Date.now) {}

  set(key: string, namespace: string, names: ReferencedNames, baseline?: string): void {
    this.byKey.set(key, { namespace, names, baseline });
  }

  delete(key: string): void {
    this.byKey.delete(key);
    this.changed.delete(key);
  }

  /** The DataSeeds naming this object, marked as having seen a reference change now. */
  touch(kind: ReferenceKind, namespace: string | undefined, name: string | undefined): Array<{ namespace: string; name: string }> {
    return this.mark((entry) => {
      const list = kind === 'Secret' ? entry.names.secrets : entry.names.configMaps;
      return entry.namespace === namespace && name !== undefined && list.includes(name);
    });
  }

  /** The DataSeeds naming a Baseline; marked as changed only when its spec did (`version`: its generation). */
  touchBaseline(name: string, version: string): Array<{ namespace: string; name: string }> {
    const changed = this.newVersion(`Baseline/${name}`, version);
    return this.mark((entry) => entry.baseline === name, changed);
  }

  /** The DataSeeds of a namespace that name a Baseline, whose access its labels decide (`version`: the labels). */
  touchNamespace(namespace: string, version: string): Array<{ namespace: string; name: string }> {
    const changed = this.newVersion(`Namespace/${namespace}`, version);
    return this.mark((entry) => entry.namespace === namespace && entry.baseline !== undefined, changed);
  }

  changedAtMs(key: string): number | undefined {
    return this.changed.get(key);
  }

  private newVersion(id: string, version: string): boolean {
    const before = this.versions.get(id);
    this.versions.set(id, version);
    return before !== undefined && before !== version;
  }

  private mark(matches: (entry: Entry) => boolean, changed = true): Array<{ namespace: string; name: string }> {
    const out: Array<{ namespace: string; name: string }> = [];
    for (const [key, entry] of this.byKey) {
      if (!matches(entry)) continue;
      if (changed) this.changed.set(key, this.now());
      out.push({ namespace: entry.namespace, name: key.slice(key.indexOf('/') + 1) });
    }
    return out;
  }
}
