import { z } from 'zod';
import {
  ConditionsSchema,
  DurationSchema,
  GROUP,
  LabelSelectorSchema,
  RatioSchema,
  VERSION,
  specFieldPath,
} from './common';
import type { KindDefinition } from './kind';
import { BaselineInfrastructureSchema, baselineInfrastructureProblem } from './infrastructure';

// Baseline: the admin-owned, cluster-scoped half of a preview. It says what
// production is, who may copy it, and every limit of a copy; a
// StagingEnvironment, DataSeed or ParityCheck names a Baseline and chooses
// only within it, the way a Gateway chooses within a GatewayClass or a
// Certificate within a ClusterIssuer. Everything sensitive (namespaces other
// than the requester's, Secrets, kubeconfigs, database credentials, the
// Prometheus endpoint) is named here and nowhere else.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const BaselineNamespaceSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(DNS_LABEL, 'must be a namespace name (lowercase RFC 1123 label)');
const NameSchema = z.string().min(1).max(253).regex(DNS_SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain');
const KeySchema = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[-._a-zA-Z0-9]+$/, 'must be a ConfigMap or Secret key');

/** A key of a Secret in a namespace the admin chose: only a Baseline may point across namespaces. */
export const NamespacedSecretKeySchema = z
  .object({
    namespace: BaselineNamespaceSchema.describe(
      'Namespace of the Secret; the operator needs read access there (see docs/security.md).',
    ),
    name: NameSchema.describe('Name of the Secret.'),
    key: KeySchema.describe('Key within the Secret.'),
  })
  .describe('A key of a Secret in a namespace an admin chose.');
export type NamespacedSecretKey = z.infer<typeof NamespacedSecretKeySchema>;

export const NamespacedConfigMapKeySchema = z
  .object({
    namespace: BaselineNamespaceSchema.describe('Namespace of the ConfigMap.'),
    name: NameSchema.describe('Name of the ConfigMap.'),
    key: KeySchema.optional().describe('Key; absent means every key, in key order.'),
  })
  .describe('A ConfigMap in a namespace an admin chose.');

/** Kinds a copy may contain: namespaced, known to the operator; the list is closed so a Namespace or a ClusterRole can never be "copied". */
export const COPYABLE_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Service',
  'ConfigMap',
  'Secret',
  'Ingress',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'PersistentVolumeClaim',
  'NetworkPolicy',
] as const;

export const BaselineSourceSchema = z
  .object({
    namespace: BaselineNamespaceSchema.optional().describe(
      'The production namespace. Copied live from this cluster; with manifests, the namespace they were rendered for; with cluster, the namespace in that cluster.',
    ),
    selector: LabelSelectorSchema.optional().describe(
      'Copy only objects whose labels match; absent means every object of the copied kinds.',
    ),
    manifests: z
      .object({ configMapRef: NamespacedConfigMapKeySchema })
      .optional()
      .describe(
        'Rendered manifests (`helm template`, `kustomize build`) in a ConfigMap of an admin namespace, copied instead of a live namespace.',
      ),
    cluster: z
      .object({
        kubeconfigSecretRef: z
          .object({
            name: NameSchema.describe("Name of the Secret in the operator's own namespace."),
            key: KeySchema.describe('Key holding the kubeconfig.'),
          })
          .describe(
            "A kubeconfig in the operator's namespace. Only a safe subset is accepted: server, inline CA data, an inline token or client certificate. exec, auth-provider, tokenFile and file paths are refused.",
          ),
      })
      .optional()
      .describe('Production lives in another cluster.'),
    kinds: z
      .array(z.enum(COPYABLE_KINDS))
      .max(COPYABLE_KINDS.length)
      .optional()
      .describe(
        'Kinds copied, replacing the default list (every kind above but DaemonSet, Job and Secret; Secrets follow the secrets policy whatever this says).',
      ),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: 'has(self.namespace)',
        message:
          'source.namespace is required: the production namespace (or, with manifests, the one they were rendered for)',
        fieldPath: '.namespace',
        reason: 'FieldValueRequired',
      },
      {
        rule: '!(has(self.manifests) && has(self.cluster))',
        message: 'manifests and cluster are mutually exclusive',
        fieldPath: '.cluster',
      },
    ],
  })
  .describe('What production is.');

export const AllowedNamespacesSchema = z
  .object({
    names: z
      .array(BaselineNamespaceSchema)
      .max(256)
      .optional()
      .describe('Namespaces, by name, whose resources may use this Baseline.'),
    selector: LabelSelectorSchema.optional().describe(
      'Namespaces whose labels match may use this Baseline (namespace labels are set by admins).',
    ),
  })
  .describe(
    'Which namespaces may create StagingEnvironments, DataSeeds and ParityChecks from this Baseline. Empty allows none.',
  );

export const SECRET_POLICY_ORDER = ['Omit', 'Generate', 'CopyListed'] as const;
export const POD_SECURITY_LEVELS = ['privileged', 'baseline', 'restricted'] as const;
export type PodSecurityLevel = (typeof POD_SECURITY_LEVELS)[number];

export const EgressRuleSchema = z
  .object({
    cidr: z
      .string()
      .regex(/^[0-9a-fA-F.:]+\/[0-9]{1,3}$/, 'must be a CIDR such as 10.0.0.0/8')
      .optional()
      .describe('Destination addresses.'),
    namespace: BaselineNamespaceSchema.optional().describe('A destination namespace of this cluster.'),
    ports: z
      .array(z.number().int().min(1).max(65535))
      .max(32)
      .optional()
      .describe('TCP ports; absent means every port.'),
  })
  .describe('A destination previews may reach besides DNS and their own namespace.');

export const QuotaCapsSchema = z
  .object({
    cpu: z
      .union([z.string().max(64), z.number()])
      .transform(String)
      .meta({ 'x-kubernetes-int-or-string': true })
      .optional()
      .describe('Largest requests.cpu of a preview.'),
    memory: z
      .union([z.string().max(64), z.number()])
      .transform(String)
      .meta({ 'x-kubernetes-int-or-string': true })
      .optional()
      .describe('Largest requests.memory of a preview.'),
    pods: z.number().int().min(0).optional().describe('Largest number of pods of a preview.'),
  })
  .describe("Caps on each preview's ResourceQuota; the quota is always applied when caps are set.");

export const DatabaseSourceSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(DNS_LABEL, 'must be a lowercase name')
      .describe('Name DataSeeds and ParityChecks use to refer to this database.'),
    connectionSecretRef: NamespacedSecretKeySchema.describe(
      'A read-only connection URL to production (postgresql://...), read by the operator and never copied into a preview.',
    ),
    profileRef: NamespacedConfigMapKeySchema.optional().describe(
      'A statistical profile captured by `understudy profile`, for synthesize.',
    ),
  })
  .describe('A production database previews may be seeded from or compared with.');

export const PrometheusSourceSchema = z
  .object({
    url: z.string().url().max(2048).describe('Base URL of the Prometheus HTTP API.'),
    bearerTokenSecretRef: NamespacedSecretKeySchema.optional().describe('A bearer token sent with each query.'),
    caConfigMapRef: NamespacedConfigMapKeySchema.optional().describe(
      "PEM certificates the Prometheus server's certificate must chain to, instead of the system roots (for example kube-root-ca.crt, key ca.crt).",
    ),
    tenant: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9!_.*'()|-]+$/, "must be a tenant ID (letters, digits and !_.*'()-; several joined by |)")
      .optional()
      .describe('Sent as the X-Scope-OrgID header, for multi-tenant Mimir, Cortex or Thanos.'),
  })
  .describe("Where production's (and previews') metrics are queried.");

export const BaselineSpecSchema = z
  .object({
    source: BaselineSourceSchema,
    allowedNamespaces: AllowedNamespacesSchema.default({}),
    targetNamespace: z
      .object({
        prefix: z
          .string()
          .max(20)
          .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?-)?$/, 'must be empty or a lowercase name ending in -')
          .default('preview-')
          .describe(
            'Target namespaces are named <prefix><environment namespace>-<environment name>, shortened with a hash past 63 characters.',
          ),
      })
      .default({ prefix: 'preview-' })
      .describe('How target namespaces are named; never chosen by the requester.'),
    secrets: z
      .object({
        maxPolicy: z
          .enum(SECRET_POLICY_ORDER)
          .default('Omit')
          .describe('The loosest secrets policy an environment may choose: Omit < Generate < CopyListed.'),
        copyable: z
          .array(NameSchema)
          .max(64)
          .optional()
          .describe('Secrets of the production namespace that CopyListed may copy.'),
      })
      .default({ maxPolicy: 'Omit' })
      .describe("What previews may do with production's Secrets."),
    ingress: z
      .object({
        domain: z
          .string()
          .min(3)
          .max(200)
          .regex(DNS_SUBDOMAIN, 'must be a DNS domain such as preview.example.com')
          .describe("Every preview host must end in this domain and contain the environment's own part."),
        tlsSecretRef: z
          .object({
            namespace: BaselineNamespaceSchema.describe('Namespace of the Secret.'),
            name: NameSchema.describe(
              'Name of a kubernetes.io/tls Secret, typically a wildcard certificate for the domain.',
            ),
          })
          .optional()
          .describe('A certificate copied into every preview and used for every host.'),
        className: z
          .string()
          .min(1)
          .max(253)
          .optional()
          .describe("IngressClass of the copies; absent keeps production's."),
      })
      .optional()
      .describe('How previews are exposed. Without it, Ingresses are not copied.'),
    podSecurity: z
      .enum(POD_SECURITY_LEVELS)
      .optional()
      .describe(
        "pod-security.kubernetes.io/enforce of every target namespace; default: restricted when the production namespace enforces restricted, else baseline (never privileged unless set here: tenants' test Jobs run under it).",
      ),
    isolation: z
      .object({
        networkPolicy: z
          .boolean()
          .default(true)
          .describe(
            'Admit traffic only from the preview itself and allowIngressFromNamespaces; deny egress except DNS, the preview and egress.',
          ),
        allowIngressFromNamespaces: z
          .array(BaselineNamespaceSchema)
          .max(16)
          .optional()
          .describe("Namespaces also admitted, such as the ingress controller's or monitoring."),
        egress: z.array(EgressRuleSchema).max(32).optional().describe('Destinations previews may reach.'),
      })
      .default({ networkPolicy: true })
      .describe('Isolation of every preview; an environment cannot loosen it.'),
    limits: z
      .object({
        maxReplicas: RatioSchema.default('1').describe('Largest spec.scale.replicas an environment may ask for.'),
        maxResources: RatioSchema.default('1').describe('Largest spec.scale.resources an environment may ask for.'),
        maxTtl: DurationSchema.default('168h').describe(
          'Longest lifetime; an environment without ttl or expiresAt gets this one.',
        ),
        quota: QuotaCapsSchema.optional(),
        // LoadTest bounds (operator/controllers/loadtest/limits.ts applies the defaults when absent).
        load: z
          .object({
            maxRate: z
              .number()
              .min(0)
              .max(1_000_000)
              .default(100)
              .describe(
                'Highest request rate (per second, all workers and scenarios together) a LoadTest may ask for.',
              ),
            maxDuration: DurationSchema.default('10m').describe('Longest LoadTest.'),
            maxParallelism: z.number().int().min(1).max(64).default(4).describe('Most workers of one LoadTest.'),
            maxVUs: z
              .number()
              .int()
              .min(0)
              .max(100_000)
              .default(100)
              .describe('Most virtual users of one LoadTest (closed models).'),
          })
          .optional()
          .describe(
            'Bounds of every LoadTest judged by this Baseline; absent: 100 requests/s, 10m, 4 workers and 100 virtual users.',
          ),
        tests: z
          .object({
            allowPlacement: z
              .boolean()
              .default(false)
              .describe(
                "Whether an environment's test pods may set nodeSelector, affinity, tolerations, priorityClassName or runtimeClassName. nodeName and the host's namespaces are never allowed.",
              ),
          })
          .optional()
          .describe("What an environment's test Jobs (spec.tests) may choose; absent: no placement."),
      })
      .default({ maxReplicas: '1', maxResources: '1', maxTtl: '168h' })
      .describe('Limits of each preview.'),
    rbac: z
      .object({
        copyRoles: z
          .boolean()
          .default(false)
          .describe(
            'Copy Roles and RoleBindings. The API server still refuses a Role granting more than the operator holds; RoleBinding subjects must be ServiceAccounts of the preview.',
          ),
        bindableClusterRoles: z
          .array(NameSchema)
          .max(32)
          .optional()
          .describe('ClusterRoles copied RoleBindings may refer to; the chart must grant the operator bind on them.'),
      })
      .default({ copyRoles: false })
      .describe('Whether RBAC objects are copied.'),
    infrastructure: BaselineInfrastructureSchema.optional(),
    data: z
      .object({
        databases: z
          .array(DatabaseSourceSchema)
          .max(32)
          .optional()
          .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
          .describe('Production databases, by name.'),
        prometheus: PrometheusSourceSchema.optional(),
      })
      .optional()
      .describe('Production inputs DataSeeds and ParityChecks may use.'),
  })
  .describe('What production is, who may copy it, and the limits of every copy.');
export type BaselineSpec = z.infer<typeof BaselineSpecSchema>;

export const BASELINE_CONDITIONS = {
  ready: 'Ready',
  sourceReadable: 'SourceReadable',
  secretsReadable: 'SecretsReadable',
} as const;

export const BaselineStatusSchema = z
  .object({
    environments: z.number().int().min(0).optional().describe('StagingEnvironments using this Baseline.'),
    podSecurity: z.enum(POD_SECURITY_LEVELS).optional().describe('The PodSecurity level target namespaces get.'),
    conditions: ConditionsSchema,
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the status was computed for.'),
  })
  .describe('Whether the operator can read what this Baseline names.');
export type BaselineStatus = z.infer<typeof BaselineStatusSchema>;

export const BaselineKind: KindDefinition<typeof BaselineSpecSchema, typeof BaselineStatusSchema> = {
  group: GROUP,
  version: VERSION,
  kind: 'Baseline',
  plural: 'baselines',
  singular: 'baseline',
  shortNames: ['bl'],
  categories: ['understudy'],
  scope: 'Cluster',
  description:
    'Baseline is the admin-owned description of production: what is copied, which namespaces may create previews of it, how their namespaces are named, and the limits of every copy. StagingEnvironments, DataSeeds and ParityChecks name a Baseline and choose only within it.',
  spec: BaselineSpecSchema,
  status: BaselineStatusSchema,
  printerColumns: [
    { name: 'Source', type: 'string', jsonPath: '.spec.source.namespace', description: 'The production namespace.' },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: 'Whether the operator can read the source.',
    },
    {
      name: 'Environments',
      type: 'integer',
      jsonPath: '.status.environments',
      description: 'StagingEnvironments using it.',
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why Ready is what it is (for example SourceUnreadable, SecretsUnreadable).',
      priority: 1,
    },
    {
      name: 'Target Prefix',
      type: 'string',
      jsonPath: '.spec.targetNamespace.prefix',
      description: 'Target namespaces are <prefix><namespace>-<name>.',
      priority: 1,
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export type BaselineParseResult = { ok: true; spec: BaselineSpec } | { ok: false; field: string; message: string };

export function parseBaselineSpec(raw: unknown): BaselineParseResult {
  const parsed = BaselineSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, field: specFieldPath(issue?.path ?? []), message: issue?.message ?? 'invalid' };
  }
  const spec = parsed.data;
  if (!spec.source.namespace) return { ok: false, field: 'spec.source.namespace', message: 'is required' };
  if (spec.source.manifests && spec.source.cluster)
    return { ok: false, field: 'spec.source.cluster', message: 'manifests and cluster are mutually exclusive' };
  for (const [i, rule] of (spec.isolation.egress ?? []).entries()) {
    if ((rule.cidr === undefined) === (rule.namespace === undefined))
      return { ok: false, field: `spec.isolation.egress[${i}]`, message: 'set exactly one of cidr or namespace' };
  }
  const infrastructure = baselineInfrastructureProblem(
    spec.infrastructure,
    (spec.data?.databases ?? []).map((d) => d.name),
  );
  if (infrastructure) return { ok: false, ...infrastructure };
  return { ok: true, spec };
}

/** Human text of who may use the Baseline, for Stalled messages. */
export function describeAllowedNamespaces(spec: Pick<BaselineSpec, 'allowedNamespaces'>): string {
  const parts: string[] = [];
  const { names, selector } = spec.allowedNamespaces;
  if (names?.length) parts.push(`namespaces ${names.join(', ')}`);
  if (selector) {
    const labels = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
    const exprs = (selector.matchExpressions ?? []).map(
      (e) => `${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(', ')})` : ''}`,
    );
    parts.push(`namespaces labelled ${[...labels, ...exprs].join(', ') || '(empty selector: none)'}`);
  }
  return parts.length ? parts.join(' or ') : 'no namespace (spec.allowedNamespaces is empty)';
}
