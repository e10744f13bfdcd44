// Values the Kubernetes API server (v1.34) fills in when a field is left
// out. A field is folded away only when its live value equals the default,
// so `replicas: 1` and no `replicas` compare equal while `replicas: 2`
// stays; this is what keeps Argo CD-style false positives away
// (argoproj/argo-cd#15898, #6063, kubernetes/kubectl#1242) and lets
// clusters of different versions, or manifests and live objects, compare.
//
// A rule's path is dotted; `[]` visits every element of a list. A default
// may depend on the object that holds the field (imagePullPolicy on the
// image, targetPort on port). Rules run in order: leaves before the
// objects that hold them, so an object emptied by folding folds too.

export type DefaultFromHolder = (holder: Record<string, unknown>) => unknown;
/** A literal default, or a DefaultFromHolder (a function is never a literal value in a manifest). */
export type DefaultValue =
  string | number | boolean | null | readonly unknown[] | Record<string, unknown> | DefaultFromHolder;

export interface DefaultRule {
  path: string;
  value: DefaultValue;
}

const PROBE = (prefix: string): DefaultRule[] => [
  { path: `${prefix}.httpGet.scheme`, value: 'HTTP' },
  { path: `${prefix}.timeoutSeconds`, value: 1 },
  { path: `${prefix}.periodSeconds`, value: 10 },
  { path: `${prefix}.successThreshold`, value: 1 },
  { path: `${prefix}.failureThreshold`, value: 3 },
  { path: `${prefix}.initialDelaySeconds`, value: 0 },
];

/** `latest` or no tag means Always, anything else IfNotPresent (pkg/apis/core/v1/defaults.go). */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

const CONTAINER = (prefix: string): DefaultRule[] => [
  { path: `${prefix}.terminationMessagePath`, value: '/dev/termination-log' },
  { path: `${prefix}.terminationMessagePolicy`, value: 'File' },
  { path: `${prefix}.imagePullPolicy`, value: (c: Record<string, unknown>) => defaultPullPolicy(c.image) },
  { path: `${prefix}.ports[].protocol`, value: 'TCP' },
  { path: `${prefix}.env[].valueFrom.fieldRef.apiVersion`, value: 'v1' },
  { path: `${prefix}.stdin`, value: false },
  { path: `${prefix}.tty`, value: false },
  ...PROBE(`${prefix}.livenessProbe`),
  ...PROBE(`${prefix}.readinessProbe`),
  ...PROBE(`${prefix}.startupProbe`),
  { path: `${prefix}.resources`, value: {} },
  { path: `${prefix}.securityContext`, value: {} },
];

export const POD_SPEC_DEFAULTS = (prefix: string): DefaultRule[] => [
  ...CONTAINER(`${prefix}.containers[]`),
  ...CONTAINER(`${prefix}.initContainers[]`),
  { path: `${prefix}.restartPolicy`, value: 'Always' },
  { path: `${prefix}.terminationGracePeriodSeconds`, value: 30 },
  { path: `${prefix}.dnsPolicy`, value: 'ClusterFirst' },
  { path: `${prefix}.schedulerName`, value: 'default-scheduler' },
  { path: `${prefix}.enableServiceLinks`, value: true },
  { path: `${prefix}.hostNetwork`, value: false },
  { path: `${prefix}.hostPID`, value: false },
  { path: `${prefix}.hostIPC`, value: false },
  { path: `${prefix}.volumes[].configMap.defaultMode`, value: 420 },
  { path: `${prefix}.volumes[].secret.defaultMode`, value: 420 },
  { path: `${prefix}.volumes[].projected.defaultMode`, value: 420 },
  { path: `${prefix}.volumes[].downwardAPI.defaultMode`, value: 420 },
  { path: `${prefix}.volumes[].hostPath.type`, value: '' },
  { path: `${prefix}.volumes[].persistentVolumeClaim.readOnly`, value: false },
  { path: `${prefix}.securityContext`, value: {} },
];

const ROLLING = [
  { path: 'spec.strategy.rollingUpdate.maxUnavailable', value: '25%' },
  { path: 'spec.strategy.rollingUpdate.maxSurge', value: '25%' },
  { path: 'spec.strategy.rollingUpdate', value: {} },
  { path: 'spec.strategy.type', value: 'RollingUpdate' },
  { path: 'spec.strategy', value: {} },
];

const HPA_SCALE_UP_POLICIES = [
  { type: 'Pods', value: 4, periodSeconds: 15 },
  { type: 'Percent', value: 100, periodSeconds: 15 },
];
const HPA_SCALE_DOWN_POLICIES = [{ type: 'Percent', value: 100, periodSeconds: 15 }];
const HPA_DEFAULT_METRICS = [
  { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
];

export const DEFAULTS: Record<string, DefaultRule[]> = {
  Deployment: [
    ...POD_SPEC_DEFAULTS('spec.template.spec'),
    { path: 'spec.replicas', value: 1 },
    { path: 'spec.revisionHistoryLimit', value: 10 },
    { path: 'spec.progressDeadlineSeconds', value: 600 },
    { path: 'spec.minReadySeconds', value: 0 },
    { path: 'spec.paused', value: false },
    ...ROLLING,
  ],
  StatefulSet: [
    ...POD_SPEC_DEFAULTS('spec.template.spec'),
    { path: 'spec.replicas', value: 1 },
    { path: 'spec.podManagementPolicy', value: 'OrderedReady' },
    { path: 'spec.updateStrategy.rollingUpdate.partition', value: 0 },
    { path: 'spec.updateStrategy.rollingUpdate', value: {} },
    { path: 'spec.updateStrategy.type', value: 'RollingUpdate' },
    { path: 'spec.updateStrategy', value: {} },
    { path: 'spec.revisionHistoryLimit', value: 10 },
    { path: 'spec.minReadySeconds', value: 0 },
    { path: 'spec.persistentVolumeClaimRetentionPolicy', value: { whenDeleted: 'Retain', whenScaled: 'Retain' } },
    { path: 'spec.volumeClaimTemplates[].spec.volumeMode', value: 'Filesystem' },
  ],
  DaemonSet: [
    ...POD_SPEC_DEFAULTS('spec.template.spec'),
    { path: 'spec.updateStrategy.rollingUpdate.maxUnavailable', value: 1 },
    { path: 'spec.updateStrategy.rollingUpdate.maxSurge', value: 0 },
    { path: 'spec.updateStrategy.rollingUpdate', value: {} },
    { path: 'spec.updateStrategy.type', value: 'RollingUpdate' },
    { path: 'spec.updateStrategy', value: {} },
    { path: 'spec.revisionHistoryLimit', value: 10 },
    { path: 'spec.minReadySeconds', value: 0 },
  ],
  Service: [
    { path: 'spec.ports[].protocol', value: 'TCP' },
    { path: 'spec.ports[].targetPort', value: (p: Record<string, unknown>) => p.port },
    { path: 'spec.type', value: 'ClusterIP' },
    { path: 'spec.sessionAffinity', value: 'None' },
    { path: 'spec.internalTrafficPolicy', value: 'Cluster' },
    { path: 'spec.externalTrafficPolicy', value: 'Cluster' },
    { path: 'spec.ipFamilyPolicy', value: 'SingleStack' },
    { path: 'spec.allocateLoadBalancerNodePorts', value: true },
    { path: 'spec.publishNotReadyAddresses', value: false },
  ],
  HorizontalPodAutoscaler: [
    { path: 'spec.minReplicas', value: 1 },
    { path: 'spec.metrics', value: HPA_DEFAULT_METRICS },
    { path: 'spec.behavior.scaleUp.stabilizationWindowSeconds', value: 0 },
    { path: 'spec.behavior.scaleUp.selectPolicy', value: 'Max' },
    { path: 'spec.behavior.scaleUp.policies', value: HPA_SCALE_UP_POLICIES },
    { path: 'spec.behavior.scaleUp', value: {} },
    { path: 'spec.behavior.scaleDown.selectPolicy', value: 'Max' },
    { path: 'spec.behavior.scaleDown.policies', value: HPA_SCALE_DOWN_POLICIES },
    { path: 'spec.behavior.scaleDown', value: {} },
    { path: 'spec.behavior', value: {} },
  ],
  Secret: [{ path: 'type', value: 'Opaque' }],
  ConfigMap: [{ path: 'immutable', value: false }],
};
