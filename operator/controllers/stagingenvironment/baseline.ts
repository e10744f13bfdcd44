import { createHash } from 'node:crypto';
import type { CopySpec } from '../../environment/copy-spec';
import type { GrantedBaseline } from '../baseline-access';
import type { CopiedKind } from '../../environment/kinds';
import { ManifestSourceError, manifestsFromConfigMap } from '../../environment/manifests';
import { isRecord, type KubeObject } from '../../environment/objects';
import { Kinds } from '../../kinds';
import type { KubernetesObject } from '../../runtime/client-node';
import { errorMessage } from '../../runtime/error-message';
import { apiVersionOf } from '../../runtime/gvk';
import { parseSafeKubeconfig, toKubeConfig } from '../../runtime/safe-kubeconfig';
import { KubeClient } from '../../runtime/kube-client';
import { KubeApiError } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { CACHED_BASELINE_KINDS, type KindRef, cacheOf } from './watches';

// Reading what is copied, from the sources the Baseline names (never from
// anything the environment names). A live namespace of this cluster comes
// from the informer caches (a reconcile lists nothing); Secrets and kinds
// outside the default list are listed live, because the operator caches no
// Secret but its own. Rendered manifests come from a cached ConfigMap in the
// admin's namespace. A namespace in another cluster is listed through a
// client built from the safe subset of a kubeconfig in the operator's own
// namespace, and kept for a short while, so the many reconciles of an
// environment coming up do not list a remote cluster each time.

export type BaselineFailureReason = 'InvalidSpec' | 'BaselineNotFound' | 'BaselineUnreachable';

export type BaselineRead =
  | { ok: true; objects: KubeObject[]; namespace: string | undefined; fingerprint: string; remote: boolean }
  | { ok: false; reason: BaselineFailureReason; field: string; message: string };

interface Environment {
  metadata: { name: string; namespace: string };
  spec: CopySpec;
  baseline: GrantedBaseline;
  /** The copied kinds, derived once by the caller (copiedKinds). */
  kinds: readonly CopiedKind[];
}

const REMOTE_SNAPSHOT_MS = 30_000;

export class BaselineReader {
  private readonly remoteSnapshots = new Map<string, { at: number; objects: KubeObject[] }>();

  constructor(
    /** Where the Secrets of remote Baselines live: only admins can put them there. */
    private readonly operatorNamespace: string,
    private readonly now: () => number = Date.now,
  ) {}

  async read(env: Environment, ctx: ReconcileContext): Promise<BaselineRead> {
    const source = env.baseline.spec.source;
    try {
      if (source.manifests) return this.fromManifests(env, ctx);
      if (source.cluster) return await this.fromOtherCluster(env, ctx);
      return await this.fromNamespace(env, ctx);
    } catch (error) {
      if (error instanceof ManifestSourceError)
        return { ok: false, reason: 'InvalidSpec', field: error.field, message: error.message };
      if (error instanceof KubeApiError && error.statusCode === 403) {
        return {
          ok: false,
          reason: 'BaselineUnreachable',
          field: 'spec.baselineRef.name',
          message: `the operator may not read Baseline ${env.baseline.name}'s source: ${error.message}`,
        };
      }
      throw error;
    }
  }

  private fromManifests(env: Environment, ctx: ReconcileContext): BaselineRead {
    const ref = env.baseline.spec.source.manifests!.configMapRef;
    const configMap = cacheOf(ctx, { apiVersion: 'v1', kind: 'ConfigMap' }).get(ref.namespace, ref.name);
    if (!configMap)
      return notFound(
        'spec.baselineRef.name',
        `ConfigMap ${ref.namespace}/${ref.name} of Baseline ${env.baseline.name} does not exist`,
      );
    const objects = manifestsFromConfigMap(configMap, ref.key);
    return {
      ok: true,
      objects,
      namespace: env.spec.source.namespace,
      fingerprint: `manifests:${configMap.metadata.uid}@${String(configMap.metadata.resourceVersion)}`,
      remote: false,
    };
  }

  private async fromNamespace(env: Environment, ctx: ReconcileContext): Promise<BaselineRead> {
    const namespace = env.spec.source.namespace;
    if (!ctx.cache(Kinds.Namespace).get('', namespace)) {
      return notFound(
        'spec.baselineRef.name',
        `namespace ${namespace} of Baseline ${env.baseline.name} does not exist`,
      );
    }
    const kinds = resolvedKinds(env.kinds);
    if (!kinds.ok) return kinds;
    const cachedKinds = CACHED_BASELINE_KINDS.filter((c) =>
      kinds.kinds.some((k) => c.apiVersion === apiVersionOf(k) && c.kind === k.kind),
    );
    const fromCaches = this.fromCaches(ctx, namespace, cachedKinds);
    const listed: KubeObject[] = [];
    for (const kind of kinds.kinds.filter(
      (k) => !cachedKinds.some((c) => c.kind === k.kind && c.apiVersion === apiVersionOf(k)),
    )) {
      listed.push(...(await listKind(ctx.client, kind, namespace)));
    }
    const objects = [...fromCaches.objects, ...listed];
    const fingerprint =
      listed.length === 0 ? fromCaches.fingerprint : `${fromCaches.fingerprint}+${fingerprintOf(listed)}`;
    return { ok: true, objects, namespace, fingerprint, remote: false };
  }

  /** The namespace's objects of the cached kinds: a namespace-index lookup per kind, nothing scanned. */
  private fromCaches(
    ctx: ReconcileContext,
    namespace: string,
    kinds: readonly KindRef[],
  ): { objects: KubeObject[]; fingerprint: string } {
    const objects = kinds.flatMap((kind) => cacheOf(ctx, kind).list(namespace));
    return { objects, fingerprint: fingerprintOf(objects) };
  }

  private async fromOtherCluster(env: Environment, ctx: ReconcileContext): Promise<BaselineRead> {
    const ref = env.baseline.spec.source.cluster!.kubeconfigSecretRef;
    const namespace = env.spec.source.namespace;
    const where = `Secret ${this.operatorNamespace}/${ref.name}, key ${ref.key}, of Baseline ${env.baseline.name}`;
    const secret = await ctx.client.get<KubernetesObject & { data?: Record<string, string> }>({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: this.operatorNamespace,
      name: ref.name,
    });
    if (!secret) return notFound('spec.baselineRef.name', `${where} does not exist`);
    const encoded = secret.data?.[ref.key];
    if (encoded === undefined)
      return {
        ok: false,
        reason: 'BaselineUnreachable',
        field: 'spec.baselineRef.name',
        message: `${where} is missing`,
      };
    const kinds = resolvedKinds(env.kinds);
    if (!kinds.ok) return kinds;
    const snapshotKey = `${env.metadata.namespace}/${env.metadata.name}|${secret.metadata?.uid}@${secret.metadata?.resourceVersion}|${namespace}|${kinds.kinds.map((k) => k.kind).join(',')}`;
    const snapshot = this.remoteSnapshots.get(snapshotKey);
    if (snapshot && this.now() - snapshot.at < REMOTE_SNAPSHOT_MS)
      return {
        ok: true,
        objects: snapshot.objects,
        namespace,
        fingerprint: fingerprintOf(snapshot.objects),
        remote: true,
      };

    // Never client-node's loadFromString: exec, auth-provider and file paths would run or read inside the operator.
    const parsed = parseSafeKubeconfig(Buffer.from(encoded, 'base64').toString('utf8'), where);
    if (!parsed.ok)
      return { ok: false, reason: 'BaselineUnreachable', field: 'spec.baselineRef.name', message: parsed.message };
    let client: KubeClient;
    try {
      client = new KubeClient(toKubeConfig(parsed.config), { requestTimeoutMs: 10_000 });
    } catch (error) {
      return {
        ok: false,
        reason: 'BaselineUnreachable',
        field: 'spec.baselineRef.name',
        message: `${where} is not a usable kubeconfig: ${errorMessage(error)}`,
      };
    }
    try {
      const found = await client
        .get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })
        .catch((error: unknown) => {
          // A read-only identity in the other cluster may not read namespaces; listing will tell.
          if (error instanceof KubeApiError && error.statusCode === 403) return true;
          throw error;
        });
      if (!found)
        return notFound('spec.baselineRef.name', `namespace ${namespace} does not exist in the cluster of ${where}`);
      const objects: KubeObject[] = [];
      for (const kind of kinds.kinds) objects.push(...(await listKind(client, kind, namespace)));
      this.forgetOldSnapshots();
      this.remoteSnapshots.set(snapshotKey, { at: this.now(), objects });
      return { ok: true, objects, namespace, fingerprint: fingerprintOf(objects), remote: true };
    } catch (error) {
      if (error instanceof KubeApiError && error.statusCode !== 403 && error.statusCode !== 404) {
        return {
          ok: false,
          reason: 'BaselineUnreachable',
          field: 'spec.baselineRef.name',
          message: `the cluster of ${where} cannot be read: ${error.message}`,
        };
      }
      throw error;
    }
  }

  private forgetOldSnapshots(): void {
    for (const [key, snapshot] of this.remoteSnapshots)
      if (this.now() - snapshot.at >= REMOTE_SNAPSHOT_MS) this.remoteSnapshots.delete(key);
  }
}

/** The Baseline's kinds are a closed list of known namespaced kinds (COPYABLE_KINDS), so every one resolves. */
function resolvedKinds(
  kinds: readonly CopiedKind[],
): { ok: true; kinds: readonly CopiedKind[] } | { ok: false; reason: 'InvalidSpec'; field: string; message: string } {
  const unknown = kinds.find((k) => !k.version || !k.plural);
  if (!unknown) return { ok: true, kinds };
  return {
    ok: false,
    reason: 'InvalidSpec',
    field: 'spec.baselineRef.name',
    message: `${unknown.kind} is not a kind the operator knows how to copy`,
  };
}

async function listKind(client: KubeClient, kind: CopiedKind, namespace: string): Promise<KubeObject[]> {
  const list = await client.list<KubernetesObject>(apiVersionOf(kind), kind.kind, { namespace });
  return list.items as unknown as KubeObject[];
}

/** Identity of what was read: which objects, at which resourceVersion (content digest for listed Secrets). */
function fingerprintOf(objects: readonly KubeObject[]): string {
  const hash = createHash('sha256');
  for (const object of objects) {
    hash.update(
      `${object.apiVersion}/${object.kind}/${object.metadata.namespace}/${object.metadata.name}@${typeof object.metadata.resourceVersion === 'string' ? object.metadata.resourceVersion : ''}\n`,
    );
    if (object.metadata.resourceVersion === undefined && isRecord(object)) hash.update(JSON.stringify(object));
  }
  return hash.digest('hex');
}

function notFound(field: string, message: string): BaselineRead {
  return { ok: false, reason: 'BaselineNotFound', field, message };
}
