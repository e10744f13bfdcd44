import type { ClaimTemplate, ServiceSpec } from './k8s-types';
import { clone, isRecord, type KubeObject } from './objects';
import { podTemplateOf } from './workloads';

// Fields the API server, controllers or tools wrote on the baseline object.
// Applying them to a copy would fail (uid, resourceVersion, clusterIP), bind
// the copy to production's resources (volumeName), or confuse tools that
// track objects (last-applied-configuration, Helm's release annotations).

const SERVER_METADATA = [
  'uid',
  'resourceVersion',
  'generation',
  'managedFields',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'ownerReferences',
  'finalizers',
  'generateName',
] as const;

const SERVER_ANNOTATIONS = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deprecated.daemonset.template.generation',
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'pv.kubernetes.io/provisioned-by',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/selected-node',
  'autoscaling.alpha.kubernetes.io/conditions',
  'autoscaling.alpha.kubernetes.io/current-metrics',
  'endpoints.kubernetes.io/last-change-trigger-time',
  'meta.helm.sh/release-name',
  'meta.helm.sh/release-namespace',
  'argocd.argoproj.io/tracking-id',
];

/** Pod template annotations that trigger rollouts in production and mean nothing for a copy. */
const ROLLOUT_TRIGGERS = ['kubectl.kubernetes.io/restartedAt'];

/** Labels the Job controller generates; the API server refuses them on a new Job. */
const JOB_GENERATED_LABELS = [
  'controller-uid',
  'batch.kubernetes.io/controller-uid',
  'job-name',
  'batch.kubernetes.io/job-name',
];

export function stripServerFields(object: KubeObject): KubeObject {
  const copy = clone(object);
  delete copy.status;
  for (const field of SERVER_METADATA) delete copy.metadata[field];
  copy.metadata.annotations = without(copy.metadata.annotations, SERVER_ANNOTATIONS);
  if (copy.metadata.annotations === undefined) delete copy.metadata.annotations;
  stripPodTemplate(copy);
  // Token Secrets listed on a ServiceAccount are production's, issued per namespace.
  if (copy.kind === 'ServiceAccount') delete copy.secrets;
  if (isRecord(copy.spec)) stripSpec(copy.kind, copy.spec);
  return copy;
}

function stripPodTemplate(object: KubeObject): void {
  const template = podTemplateOf(object);
  if (!template?.metadata) return;
  delete template.metadata.creationTimestamp;
  template.metadata.annotations = without(template.metadata.annotations, ROLLOUT_TRIGGERS);
  if (template.metadata.annotations === undefined) delete template.metadata.annotations;
  if (object.kind === 'Job') template.metadata.labels = without(template.metadata.labels, JOB_GENERATED_LABELS);
  if (template.metadata.labels === undefined) delete template.metadata.labels;
  if (Object.keys(template.metadata).length === 0) delete template.metadata;
}

function stripSpec(kind: string, spec: Record<string, unknown>): void {
  switch (kind) {
    case 'Service':
      return stripService(spec);
    case 'PersistentVolumeClaim':
      delete spec.volumeName;
      return;
    case 'StatefulSet':
      for (const template of (spec.volumeClaimTemplates ?? []) as ClaimTemplate[]) {
        delete template.status;
        if (template.metadata) delete template.metadata.creationTimestamp;
        if (template.spec) delete template.spec.volumeName;
      }
      return;
    case 'CronJob':
      if (isRecord(spec.jobTemplate) && isRecord(spec.jobTemplate.metadata))
        delete spec.jobTemplate.metadata.creationTimestamp;
      return;
    case 'Job':
      if (spec.manualSelector !== true) delete spec.selector;
      return;
  }
}

function stripService(spec: ServiceSpec): void {
  if (spec.clusterIP !== 'None') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else if (spec.clusterIPs !== undefined) {
    spec.clusterIPs = ['None'];
  }
  delete spec.healthCheckNodePort;
  for (const port of spec.ports ?? []) delete port.nodePort;
  // The server fills these per cluster; keep them only when someone chose dual-stack on purpose.
  if (spec.ipFamilyPolicy === 'SingleStack') {
    delete spec.ipFamilyPolicy;
    delete spec.ipFamilies;
  }
}

function without(map: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> | undefined {
  if (!map) return undefined;
  const rest = Object.fromEntries(Object.entries(map).filter(([key]) => !keys.includes(key)));
  return Object.keys(rest).length > 0 ? rest : undefined;
}
