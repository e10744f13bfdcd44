import { groupOf } from '../runtime/gvk';
import type { KubeObject } from '../runtime/object';

// Kubernetes objects as plain JSON, the way YAML manifests and the API
// server's JSON both arrive. The transformation reads fields through the
// narrow views in k8s-types.ts and passes everything else through untouched.

// One object model for the operator: runtime/object.ts. A KubeObject (a
// complete manifest: apiVersion, kind, name) is a KubernetesObject as the
// runtime reads and writes them, without a cast.
export type { KubeObject, ObjectMetadata, OwnerReference } from '../runtime/object';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isKubeObject(value: unknown): value is KubeObject {
  return (
    isRecord(value) &&
    typeof value.apiVersion === 'string' &&
    typeof value.kind === 'string' &&
    isRecord(value.metadata) &&
    typeof value.metadata.name === 'string'
  );
}

export { groupOf } from '../runtime/gvk';

/** `Kind` for the core group, `Kind.group` otherwise, as spec.kinds spells kinds. */
export function kindName(object: Pick<KubeObject, 'apiVersion' | 'kind'>): string {
  const group = groupOf(object.apiVersion);
  return group ? `${object.kind}.${group}` : object.kind;
}

/**
 * Identity of an object regardless of the API version it was read at
 * (autoscaling/v1 and autoscaling/v2 are the same HorizontalPodAutoscaler):
 * `Kind.group/namespace/name`. Not the cache's `namespace/name` key
 * (runtime/object-key.ts), which is per kind.
 */
export function identityKey(object: KubeObject): string {
  return `${kindName(object)}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/** Where an object came from, for the source annotation: `apps/v1/Deployment/shop/gateway`. */
export function sourceRef(object: KubeObject): string {
  return `${object.apiVersion}/${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

export function is(object: Pick<KubeObject, 'apiVersion' | 'kind'>, kind: string, group: string): boolean {
  return object.kind === kind && groupOf(object.apiVersion) === group;
}
