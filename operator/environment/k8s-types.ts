// Narrow views of the Kubernetes fields the transformation reads or writes.
// Everything else on an object passes through as it came, so these only
// name what is touched; index signatures keep the rest.

export type Quantities = Record<string, string | number>;

export interface ResourceRequirements {
  requests?: Quantities;
  limits?: Quantities;
  [field: string]: unknown;
}

export interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: KeyRef; configMapKeyRef?: KeyRef; [field: string]: unknown };
}

export interface EnvFromSource {
  secretRef?: { name?: string; optional?: boolean };
  configMapRef?: { name?: string; optional?: boolean };
  prefix?: string;
}

export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  resources?: ResourceRequirements;
  [field: string]: unknown;
}

export interface ClaimSpec {
  accessModes?: string[];
  resources?: ResourceRequirements;
  storageClassName?: string;
  volumeMode?: string;
  volumeName?: string;
  dataSource?: unknown;
  dataSourceRef?: unknown;
  selector?: unknown;
  [field: string]: unknown;
}

export interface ClaimTemplate {
  metadata?: {
    name?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [field: string]: unknown;
  };
  spec?: ClaimSpec;
  [field: string]: unknown;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  secret?: { secretName?: string; optional?: boolean; [field: string]: unknown };
  projected?: {
    sources?: Array<{
      secret?: { name?: string; optional?: boolean; [field: string]: unknown };
      [field: string]: unknown;
    }>;
    [field: string]: unknown;
  };
  ephemeral?: { volumeClaimTemplate?: ClaimTemplate };
  emptyDir?: Record<string, unknown>;
  [source: string]: unknown;
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
  resources?: ResourceRequirements;
  nodeSelector?: Record<string, string>;
  [field: string]: unknown;
}

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [field: string]: unknown };
  spec?: PodSpec;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
  [field: string]: unknown;
}

export interface ServiceSpec {
  type?: string;
  selector?: Record<string, string>;
  clusterIP?: string;
  clusterIPs?: string[];
  ports?: ServicePort[];
  externalName?: string;
  [field: string]: unknown;
}

export interface IngressBackend {
  service?: { name: string; port?: { name?: string; number?: number } };
  resource?: { kind: string; name: string; apiGroup?: string };
}

export interface IngressPath {
  path?: string;
  pathType?: string;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: IngressPath[] };
}

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  rules?: IngressRule[];
  tls?: Array<{ hosts?: string[]; secretName?: string }>;
  [field: string]: unknown;
}
