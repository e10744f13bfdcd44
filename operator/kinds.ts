import { BaselineKind, DataSeedKind, LoadTestKind, ParityCheckKind, StagingEnvironmentKind } from './api';
import type { Condition } from './api/common';
import type { KindDefinition } from './api/kind';
import type { KubernetesObject } from './runtime/client-node';
import { type GroupVersionKind, groupVersionKind } from './runtime/gvk';

// Every kind the operator reads or writes, typed with the shape its objects
// have as they arrive (JSON: timestamps are strings; fields the operator
// reads are optional; specs of our own kinds are parsed with zod before use).
// `ctx.cache(Kinds.Job)` reads jobs, `client.get({ ...Kinds.Secret, … })`
// spells the apiVersion: no kind is declared anywhere else. The runtime's own
// kinds (Lease, events.k8s.io Event) stay in runtime/, which knows no other.

/** A custom resource of ours as cached: spec and status not yet validated. */
export type CustomObject = KubernetesObject & { spec?: unknown; status?: unknown };

export type NamespaceObject = KubernetesObject;
export type DataObject = KubernetesObject & { data?: Record<string, string> };
export type SecretObject = DataObject & { type?: string };

export interface JobCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export type JobObject = KubernetesObject & {
  spec?: unknown;
  status?: {
    conditions?: JobCondition[];
    completionTime?: string;
    active?: number;
    failed?: number;
    succeeded?: number;
  };
};

interface ContainerStatus {
  name?: string;
  state?: { terminated?: { message?: string; exitCode?: number; reason?: string } };
  lastState?: { terminated?: { message?: string; exitCode?: number; reason?: string } };
}

export type PodObject = KubernetesObject & { status?: { containerStatuses?: ContainerStatus[] } };

/** A Baseline as cached: its spec is parsed (baseline-access) before anything of it is used. */
export type BaselineObject = KubernetesObject & {
  spec?: { source?: { namespace?: unknown; manifests?: unknown; cluster?: unknown }; [field: string]: unknown };
  status?: unknown;
};

/** A StagingEnvironment as other controllers read it: where its copy lives and whether it is Ready. */
export type StagingEnvironmentObject = KubernetesObject & {
  spec?: unknown;
  status?: { namespace?: string; conditions?: Condition[]; [field: string]: unknown };
};

function ours<T extends KubernetesObject = CustomObject>(
  def: Pick<KindDefinition, 'group' | 'version' | 'kind' | 'plural'>,
): GroupVersionKind<T> {
  return groupVersionKind<T>(def.group, def.version, def.kind, def.plural);
}

const core = <T extends KubernetesObject = KubernetesObject>(kind: string, plural: string): GroupVersionKind<T> =>
  groupVersionKind<T>('', 'v1', kind, plural);

export const Kinds = {
  // Ours (operator/api): the CRDs are generated from the same definitions.
  Baseline: ours<BaselineObject>(BaselineKind),
  StagingEnvironment: ours<StagingEnvironmentObject>(StagingEnvironmentKind),
  DataSeed: ours(DataSeedKind),
  ParityCheck: ours(ParityCheckKind),
  LoadTest: ours(LoadTestKind),

  // Core.
  Namespace: core<NamespaceObject>('Namespace', 'namespaces'),
  Secret: core<SecretObject>('Secret', 'secrets'),
  ConfigMap: core<DataObject>('ConfigMap', 'configmaps'),
  Service: core('Service', 'services'),
  ServiceAccount: core('ServiceAccount', 'serviceaccounts'),
  PersistentVolumeClaim: core('PersistentVolumeClaim', 'persistentvolumeclaims'),
  Pod: core<PodObject>('Pod', 'pods'),
  ResourceQuota: core('ResourceQuota', 'resourcequotas'),
  LimitRange: core('LimitRange', 'limitranges'),

  // Workloads.
  Deployment: groupVersionKind('apps', 'v1', 'Deployment', 'deployments'),
  StatefulSet: groupVersionKind('apps', 'v1', 'StatefulSet', 'statefulsets'),
  DaemonSet: groupVersionKind('apps', 'v1', 'DaemonSet', 'daemonsets'),
  Job: groupVersionKind<JobObject>('batch', 'v1', 'Job', 'jobs'),
  CronJob: groupVersionKind('batch', 'v1', 'CronJob', 'cronjobs'),
  HorizontalPodAutoscaler: groupVersionKind('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers'),
  PodDisruptionBudget: groupVersionKind('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets'),

  // Networking.
  Ingress: groupVersionKind('networking.k8s.io', 'v1', 'Ingress', 'ingresses'),
  NetworkPolicy: groupVersionKind('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies'),

  // Access.
  Role: groupVersionKind('rbac.authorization.k8s.io', 'v1', 'Role', 'roles'),
  RoleBinding: groupVersionKind('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings'),
  SelfSubjectReview: groupVersionKind('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews'),
  SelfSubjectAccessReview: groupVersionKind(
    'authorization.k8s.io',
    'v1',
    'SelfSubjectAccessReview',
    'selfsubjectaccessreviews',
  ),

  // The CRDs themselves (`understudy crds --apply`).
  CustomResourceDefinition: groupVersionKind(
    'apiextensions.k8s.io',
    'v1',
    'CustomResourceDefinition',
    'customresourcedefinitions',
  ),
} as const;

export type KindName = keyof typeof Kinds;
