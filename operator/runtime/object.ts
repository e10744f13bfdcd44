// The one object model of the operator: Kubernetes objects as the API
// server's JSON and YAML manifests carry them (timestamps are RFC 3339
// strings, never Dates). `KubernetesObject` is any object as read, every
// field optional; `KubeObject` is a complete one (apiVersion, kind and a
// name), as the environment plan builds and applies them, and is a
// KubernetesObject without a cast. Fields an object has beyond these pass
// through untouched (index signatures), so nothing a reader does not name is lost.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: Array<{ manager?: string; operation?: string; [field: string]: unknown }>;
}

export interface KubernetesObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export interface ObjectMetadata extends ObjectMeta {
  name: string;
  [field: string]: unknown;
}

export interface KubeObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMetadata;
  [field: string]: unknown;
}
