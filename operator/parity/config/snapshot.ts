import { normalize, type KubeObject } from './normalize';
import { redactSecret } from './secrets';

/** One namespace's objects, normalised, with Secret values already replaced by keyed hashes. */
export interface NamespaceSnapshot {
  namespace: string;
  /** kind → name → normalised object. */
  objects: Map<string, Map<string, KubeObject>>;
  /** Pods as listed (not normalised): only their labels and image IDs are read. */
  pods: KubeObject[];
}

/** Present in every namespace or written by tools for their own bookkeeping: never configuration. */
export function isBookkeeping(object: KubeObject): boolean {
  if (object.kind === 'ConfigMap' && object.metadata.name === 'kube-root-ca.crt') return true;
  if (object.kind === 'Secret') {
    const type = object.type;
    return type === 'kubernetes.io/service-account-token' || type === 'helm.sh/release.v1';
  }
  return false;
}

export function buildSnapshot(namespace: string, objects: KubeObject[], secretKey: Buffer): NamespaceSnapshot {
  const byKind = new Map<string, Map<string, KubeObject>>();
  const pods: KubeObject[] = [];
  for (const raw of objects) {
    if (raw.kind === 'Pod') {
      pods.push(raw);
      continue;
    }
    if (isBookkeeping(raw)) continue;
    const object = normalize(raw.kind === 'Secret' ? redactSecret(raw, secretKey) : raw);
    let names = byKind.get(object.kind);
    if (!names) byKind.set(object.kind, (names = new Map<string, KubeObject>()));
    names.set(object.metadata.name, object);
  }
  return { namespace, objects: byKind, pods };
}

export function objectsOf(snapshot: NamespaceSnapshot, kind: string): Map<string, KubeObject> {
  return snapshot.objects.get(kind) ?? new Map<string, KubeObject>();
}
