import { z } from 'zod';
import { ConditionsSchema, DurationSchema, GROUP, RatioSchema, VERSION, specFieldPath } from './common';
import { DataSeedSpecSchema } from './dataseed';
import { EnvironmentInfrastructureSchema, InfrastructureStatusSchema } from './infrastructure';
import type { KindDefinition } from './kind';
import { ParityCheckSpecSchema } from './paritycheck';
import { LoadTestSpecSchema } from './loadtest';
import { parseDuration } from './values/duration';
import { hostTemplateProblem } from './values/hosts';
import { parseImage } from './values/image';
import { parseQuantity } from './values/quantity';
import { parseRatio } from './values/ratio';

// StagingEnvironment: a namespaced, self-cleaning copy of a baseline's
// microservices. The zod schemas are rendered into the CRD, so every
// description is what `kubectl explain stagingenvironment.spec...` shows.
// parseStagingEnvironmentSpec adds the semantic checks a CRD cannot express.

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const NamespaceNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(DNS_LABEL, 'must be a namespace name (lowercase RFC 1123 label)');
const ObjectNameSchema = z.string().min(1).max(253).regex(DNS_SUBDOMAIN, 'must be a lowercase RFC 1123 subdomain');

/** A resource quantity such as `500m`, `4`, `8Gi`; YAML numbers are accepted and read as strings. */
export const QuantitySchema = z
  .union([z.string().max(64), z.number()])
  .transform((v) => String(v))
  .meta({ 'x-kubernetes-int-or-string': true })
  .describe('A Kubernetes quantity such as 500m, 2, 512Mi or 8Gi.');

/** An object kept as written: its schema belongs to another kind or to Kubernetes itself. */
function preservedObject(description: string) {
  return z
    .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), {
      message: 'must be an object',
    })
    .meta({ 'x-kubernetes-preserve-unknown-fields': true })
    .describe(description);
}

function namedList<T extends z.ZodType>(item: T, max: number, description: string) {
  return z
    .array(item)
    .max(max)
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
    .optional()
    .describe(description);
}

export const BaselineRefSchema = z
  .object({ name: ObjectNameSchema.describe('Name of a cluster-scoped Baseline that allows this namespace.') })
  .describe(
    "The admin-owned Baseline this environment copies: production, the target namespace's name, and every limit come from it.",
  );

export const EnvVarSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/, 'must be an environment variable name')
      .describe('Name of the variable.'),
    value: z.string().max(32768).optional().describe('Its value.'),
    valueFrom: preservedObject(
      "A source for the value (secretKeyRef, configMapKeyRef, fieldRef), as in a container's env.",
    ).optional(),
  })
  .describe("An environment variable added to, or replacing one of, the service's containers.");
export type EnvVar = z.infer<typeof EnvVarSchema>;

export const SERVICE_MODES = ['copy', 'shared'] as const;

export const ServiceOverrideSchema = z
  .object({
    name: ObjectNameSchema.describe(
      'A workload (Deployment or StatefulSet) of the baseline, or a Service selecting one.',
    ),
    mode: z
      .enum(SERVICE_MODES)
      .default('copy')
      .describe(
        "copy: the service runs in the environment. shared: it is not copied; its Services become ExternalNames pointing at the baseline's, so the environment uses the baseline's instance.",
      ),
    image: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .describe(
        "Image replacing the service's own: in every container whose image has the same repository, or else in the first container.",
      ),
    env: z
      .array(EnvVarSchema)
      .max(64)
      .optional()
      .describe(
        'Variables set in the same containers as image: a variable of the same name is replaced, others are appended.',
      ),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "self.mode == 'copy' || (!has(self.image) && !has(self.env))",
        message: 'image and env apply only to services in copy mode',
      },
    ],
  })
  .describe('Per-service choices; services not listed are copied unchanged.');
export type ServiceOverride = z.infer<typeof ServiceOverrideSchema>;

export const ScaleSchema = z
  .object({
    replicas: RatioSchema.default('1').describe(
      'Ratio applied to replicas, HPA bounds and PDB integers, rounded up; never below 1 replica. Above 0, at most 100.',
    ),
    resources: RatioSchema.default('1').describe(
      'Ratio applied to CPU and memory requests and limits, rounded up to 1m and 1 byte. Above 0, at most 100.',
    ),
  })
  .describe('Ratios against the baseline.');

export const SECRET_POLICIES = ['Omit', 'Generate', 'CopyListed'] as const;

/** What expiry does: delete the resource, or tear the environment down and keep the resource as Expired (GitOps). */
export const EXPIRY_POLICIES = ['Delete', 'Retain'] as const;
export type ExpiryPolicy = (typeof EXPIRY_POLICIES)[number];

export const SecretsSchema = z
  .object({
    policy: z
      .enum(SECRET_POLICIES)
      .default('Omit')
      .describe(
        'Omit: no Secret is copied and references to Secrets become optional. Generate: same names and keys with fresh random values. CopyListed: only the Secrets named in names are copied, others are omitted.',
      ),
    names: z
      .array(ObjectNameSchema)
      .max(64)
      .optional()
      .describe('With CopyListed, the names of the baseline Secrets copied as they are.'),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: "!has(self.names) || self.policy == 'CopyListed'",
        message: 'names apply only to the CopyListed policy',
        fieldPath: '.names',
      },
      {
        rule: "self.policy != 'CopyListed' || (has(self.names) && size(self.names) > 0)",
        message: 'CopyListed needs at least one name',
        fieldPath: '.names',
        reason: 'FieldValueRequired',
      },
    ],
  })
  .describe("What becomes of the baseline's Secrets. Production values never reach the environment unless listed.");

export const IngressSchema = z
  .object({
    hostTemplate: z
      .string()
      .min(1)
      .max(253)
      .describe(
        "Host of each copied Ingress rule, with {{service}} (the backend Service), {{environment}} (this resource's name) and {{namespace}} (the target namespace). It must contain {{environment}} or {{namespace}} and end in the Baseline's ingress domain, so a preview never claims production's hosts or another preview's. TLS and the IngressClass come from the Baseline.",
      ),
  })
  .describe('How copied Ingresses are exposed; needs spec.ingress in the Baseline.');

const ResourceListSchema = z
  .object({ cpu: QuantitySchema.optional(), memory: QuantitySchema.optional() })
  .describe('CPU and memory quantities.');

export const IsolationSchema = z
  .object({
    resourceQuota: z
      .object({
        cpu: QuantitySchema.optional().describe('Total CPU requests (requests.cpu).'),
        memory: QuantitySchema.optional().describe('Total memory requests (requests.memory).'),
        limitsCpu: QuantitySchema.optional().describe('Total CPU limits (limits.cpu).'),
        limitsMemory: QuantitySchema.optional().describe('Total memory limits (limits.memory).'),
        pods: z.number().int().min(0).optional().describe('Number of pods.'),
        services: z.number().int().min(0).optional().describe('Number of Services.'),
        persistentVolumeClaims: z.number().int().min(0).optional().describe('Number of PersistentVolumeClaims.'),
        storage: QuantitySchema.optional().describe('Total storage requested by claims (requests.storage).'),
      })
      .optional()
      .describe("A ResourceQuota for the target namespace, within the Baseline's quota caps."),
    limitRange: z
      .object({
        defaultRequest: ResourceListSchema.optional().describe('Requests given to containers that set none.'),
        defaultLimit: ResourceListSchema.optional().describe('Limits given to containers that set none.'),
        min: ResourceListSchema.optional().describe('Smallest allowed per container.'),
        max: ResourceListSchema.optional().describe('Largest allowed per container.'),
      })
      .optional()
      .describe('A LimitRange for containers in the target namespace.'),
  })
  .describe('Quota and limits of the environment; the NetworkPolicy comes from the Baseline and cannot be loosened.');

export const ChildTemplateSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(52)
      .regex(DNS_LABEL, 'must be a lowercase RFC 1123 label of at most 52 characters')
      .describe(
        'Name of the object created in the target namespace; at most 52 characters, so the names derived from it fit.',
      ),
    spec: preservedObject('Its spec, as that kind defines it.'),
  })
  .describe('A template for a child object created in the target namespace.');

export const TestTemplateSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(58)
      .regex(DNS_LABEL, 'must be a lowercase RFC 1123 label of at most 58 characters')
      .describe('Name of the test; its Job is test-<name>, so at most 58 characters.'),
    template: preservedObject('A batch/v1 JobSpec, run in the target namespace once the environment is Ready.'),
  })
  .describe('A test Job run once the environment is Ready.');

export const StagingEnvironmentSpecSchema = z
  .object({
    baselineRef: BaselineRefSchema,
    services: namedList(ServiceOverrideSchema, 100, 'Per-service choices, by name. Services not listed are copied.'),
    scale: ScaleSchema.default({ replicas: '1', resources: '1' }),
    secrets: SecretsSchema.default({ policy: 'Omit' }),
    ingress: IngressSchema.optional(),
    isolation: IsolationSchema.optional(),
    ttl: DurationSchema.optional().describe(
      "Delete the environment this long after its creation, for example 72h; at most the Baseline's limits.maxTtl, which is also the default. Exclusive with expiresAt.",
    ),
    expiresAt: z
      .string()
      .meta({ format: 'date-time' })
      .optional()
      .describe('Delete the environment at this time (RFC 3339). Exclusive with ttl.'),
    expiryPolicy: z
      .enum(EXPIRY_POLICIES)
      .optional()
      .describe(
        "What expiry does. Delete: the StagingEnvironment is deleted, and its namespace with it. Retain: the namespace is deleted and the StagingEnvironment stays, phase Expired, until it is removed (by Git, under GitOps); a StagingEnvironment of the same name re-created within 7 days keeps the first one's creation time for its ttl, so a GitOps tool re-creating it does not start it again. Default: Retain when the object carries an Argo CD or Flux tracking label or annotation, else Delete.",
      ),
    suspend: z
      .boolean()
      .default(false)
      .describe('Scale every workload to zero, pin autoscalers and suspend CronJobs, keeping everything else.'),
    dataSeeds: namedList(
      ChildTemplateSchema,
      32,
      'DataSeed objects created in the target namespace; Ready waits for them to succeed.',
    ),
    parityChecks: namedList(ChildTemplateSchema, 32, 'ParityCheck objects created in the target namespace.'),
    loadTests: namedList(
      ChildTemplateSchema,
      16,
      'LoadTest objects created in the target namespace; each runs once the environment is Ready.',
    ),
    tests: namedList(
      TestTemplateSchema,
      32,
      'Job templates run once the environment is Ready; their outcome is the TestsPassed condition.',
    ),
    infrastructure: EnvironmentInfrastructureSchema.optional(),
  })
  .describe(
    'The desired copy: its Baseline, and the choices made within it: services, scale, secrets, exposure, quota and lifetime.',
  );
export type StagingEnvironmentSpec = z.infer<typeof StagingEnvironmentSpecSchema>;
export type ServiceMode = (typeof SERVICE_MODES)[number];
export type SecretPolicy = (typeof SECRET_POLICIES)[number];

export const PHASES = [
  'Provisioning',
  'Seeding',
  'Ready',
  'Progressing',
  'Degraded',
  'Suspended',
  'Expired',
  'Terminating',
  'Failed',
] as const;
export type StagingEnvironmentPhase = (typeof PHASES)[number];

/** Condition types beyond kstatus' Ready, Reconciling and Stalled. */
export const CONDITION_TYPES = {
  ready: 'Ready',
  reconciling: 'Reconciling',
  stalled: 'Stalled',
  provisioned: 'Provisioned',
  dataSeeded: 'DataSeeded',
  testsPassed: 'TestsPassed',
  baselineStale: 'BaselineStale',
  expired: 'Expired',
} as const;

export const MAX_STATUS_SERVICES = 100;
export const MAX_STATUS_URLS = 20;
export const MAX_STATUS_REDACTED = 50;

export const ServiceStatusSchema = z
  .object({
    name: z.string().describe('Name of the workload.'),
    kind: z.string().describe('Deployment, StatefulSet, or Service for a shared service.'),
    mode: z.enum(SERVICE_MODES).optional().describe('copy or shared.'),
    image: z.string().optional().describe('Image of its main container.'),
    replicas: z.number().int().min(0).optional().describe('Desired replicas.'),
    readyReplicas: z.number().int().min(0).optional().describe('Replicas ready now.'),
    ready: z.boolean().describe('Whether the workload is Available (always true for a shared service).'),
  })
  .describe('One service of the environment.');

export const StagingEnvironmentStatusSchema = z
  .object({
    phase: z.enum(PHASES).optional().describe('A one-word summary for humans; automation should read conditions.'),
    namespace: z.string().optional().describe('The target namespace.'),
    baselineRevision: z
      .string()
      .optional()
      .describe(
        "Digest of the baseline objects last copied; BaselineStale turns True when the baseline's digest differs.",
      ),
    readyServices: z.string().optional().describe('Ready services over all services, for example 7/8.'),
    services: z
      .array(ServiceStatusSchema)
      .max(MAX_STATUS_SERVICES)
      .optional()
      .describe("The environment's services, at most 100."),
    urls: z
      .array(z.string())
      .max(MAX_STATUS_URLS)
      .optional()
      .describe("URLs of the environment's Ingress hosts, at most 20."),
    redactedValues: z
      .array(z.string())
      .max(MAX_STATUS_REDACTED)
      .optional()
      .describe(
        'Production values in ConfigMaps and env that looked like credentials and were replaced under the secrets policy, as Kind/name:key (never the value), at most 50.',
      ),
    expiresAt: z.string().optional().describe('When the environment will be deleted (RFC 3339).'),
    timings: z
      .object({
        provisionedSeconds: z
          .number()
          .min(0)
          .optional()
          .describe('Seconds from creation until every object was applied.'),
        seededSeconds: z.number().min(0).optional().describe('Seconds from creation until every DataSeed succeeded.'),
        readySeconds: z.number().min(0).optional().describe('Seconds from creation until Ready.'),
      })
      .optional()
      .describe('How long each phase took, measured from creation.'),
    tests: z
      .object({
        total: z.number().int().min(0).describe('Tests declared.'),
        succeeded: z.number().int().min(0).describe('Tests whose Job succeeded.'),
        failed: z.number().int().min(0).describe('Tests whose Job failed.'),
        running: z.number().int().min(0).describe('Tests still running.'),
      })
      .optional()
      .describe('Outcome of the test Jobs.'),
    infrastructure: InfrastructureStatusSchema.optional(),
    conditions: ConditionsSchema,
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the status was computed for.'),
  })
  .describe('What the operator observed.');
export type StagingEnvironmentStatus = z.infer<typeof StagingEnvironmentStatusSchema>;

export const StagingEnvironmentKind: KindDefinition<
  typeof StagingEnvironmentSpecSchema,
  typeof StagingEnvironmentStatusSchema
> = {
  group: GROUP,
  version: VERSION,
  kind: 'StagingEnvironment',
  plural: 'stagingenvironments',
  singular: 'stagingenvironment',
  shortNames: ['senv', 'stagingenv'],
  categories: ['understudy'],
  description:
    "StagingEnvironment is a namespaced copy of a baseline's microservices: server-set fields stripped, namespace references rewritten, fresh volumes, scaled by ratios, secrets never copied unless listed, exposed under templated hosts, and deleted when its time is up.",
  spec: StagingEnvironmentSpecSchema,
  status: StagingEnvironmentStatusSchema,
  printerColumns: [
    { name: 'Baseline', type: 'string', jsonPath: '.spec.baselineRef.name', description: 'The Baseline copied.' },
    {
      name: 'Phase',
      type: 'string',
      jsonPath: '.status.phase',
      description:
        'Provisioning, Seeding, Ready, Progressing (an update after Ready), Degraded (a workload failed after Ready), Suspended, Expired, Terminating or Failed.',
    },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: 'The Ready condition: True once every copied workload is Available and the DataSeeds succeeded.',
    },
    {
      name: 'Services',
      type: 'string',
      jsonPath: '.status.readyServices',
      description: 'Ready services over all services.',
    },
    { name: 'URL', type: 'string', jsonPath: '.status.urls[0]', description: 'The first URL of the environment.' },
    {
      name: 'Namespace',
      type: 'string',
      jsonPath: '.status.namespace',
      description: 'The target namespace.',
      priority: 1,
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why Ready is what it is (for example WaitingForServices, SeedFailed, ExceedsBaseline).',
      priority: 1,
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    {
      name: 'Expires',
      type: 'string',
      jsonPath: '.status.expiresAt',
      description:
        'When the environment will be deleted (RFC 3339; a date column would print a future time as <invalid>).',
    },
  ],
  specValidations: [
    {
      rule: '!(has(self.ttl) && has(self.expiresAt))',
      message: 'ttl and expiresAt are mutually exclusive',
      fieldPath: '.expiresAt',
    },
    {
      rule: 'self.baselineRef.name == oldSelf.baselineRef.name',
      message: 'baselineRef is immutable: create a new environment to copy another Baseline',
      fieldPath: '.baselineRef.name',
    },
  ],
};

export type SpecParseResult =
  { ok: true; spec: StagingEnvironmentSpec } | { ok: false; field: string; message: string };

/**
 * Validates a spec as the controller receives it: the schema first, then the
 * rules the CRD states in CEL (the CRD may be older than the operator), then
 * semantic checks. Reports the first problem with the field as a path such as
 * `spec.scale.replicas` or `spec.services[2].image`.
 */
export function parseStagingEnvironmentSpec(raw: unknown): SpecParseResult {
  const parsed = StagingEnvironmentSpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, field: specFieldPath(issue?.path ?? []), message: issue?.message ?? 'invalid' };
  }
  const problem = semanticProblem(parsed.data);
  return problem ? { ok: false, ...problem } : { ok: true, spec: parsed.data };
}

type Problem = { field: string; message: string };
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function semanticProblem(spec: StagingEnvironmentSpec): Problem | undefined {
  return (
    servicesProblem(spec) ??
    scaleProblem(spec) ??
    secretsProblem(spec) ??
    ingressProblem(spec) ??
    isolationProblem(spec) ??
    lifetimeProblem(spec) ??
    childTemplatesProblem(spec)
  );
}

/**
 * Children are created with the rest of the environment, so their templates
 * are judged by their own kinds' schemas here, with the spec: a bad template
 * is InvalidSpec naming the field, never a 422 half-way through applying.
 * A DataSeed or ParityCheck template without a baselineRef names the
 * environment's (environment/children.ts childSpec).
 */
function childTemplatesProblem(spec: StagingEnvironmentSpec): Problem | undefined {
  const check = (list: StagingEnvironmentSpec['dataSeeds'], schema: z.ZodType, field: string): Problem | undefined => {
    for (const [i, template] of (list ?? []).entries()) {
      const parsed = schema.safeParse({ baselineRef: { ...spec.baselineRef }, ...template.spec });
      if (parsed.success) continue;
      const issue = parsed.error.issues[0];
      const path = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      return { field: `spec.${field}[${i}].spec${path}`, message: issue?.message ?? 'invalid' };
    }
    return undefined;
  };
  return (
    check(spec.dataSeeds, DataSeedSpecSchema, 'dataSeeds') ??
    check(spec.parityChecks, ParityCheckSpecSchema, 'parityChecks') ??
    check(spec.loadTests, LoadTestSpecSchema, 'loadTests') ??
    testTemplatesProblem(spec)
  );
}

/** A Job's pods must not restart forever: the API server refuses the Job otherwise, after the rest was applied. */
function testTemplatesProblem({ tests = [] }: StagingEnvironmentSpec): Problem | undefined {
  for (const [i, test] of tests.entries()) {
    const pod = test.template.template;
    const podSpec =
      typeof pod === 'object' && pod !== null && 'spec' in pod ? (pod as { spec?: unknown }).spec : undefined;
    const field = `spec.tests[${i}].template.template.spec`;
    if (typeof podSpec !== 'object' || podSpec === null)
      return { field, message: 'a test needs a pod template (template.spec)' };
    const { containers, restartPolicy } = podSpec as { containers?: unknown; restartPolicy?: unknown };
    if (!Array.isArray(containers) || containers.length === 0)
      return { field: `${field}.containers`, message: 'a test needs at least one container' };
    if (restartPolicy !== 'Never' && restartPolicy !== 'OnFailure')
      return { field: `${field}.restartPolicy`, message: 'must be Never or OnFailure, as a Job requires' };
  }
  return undefined;
}

function servicesProblem({ services = [] }: StagingEnvironmentSpec): Problem | undefined {
  const seen = new Set<string>();
  for (const [i, service] of services.entries()) {
    if (seen.has(service.name))
      return { field: `spec.services[${i}].name`, message: `duplicate service "${service.name}"` };
    seen.add(service.name);
    if (service.mode === 'shared') {
      if (service.image !== undefined || service.env !== undefined)
        return { field: `spec.services[${i}]`, message: 'image and env apply only to services in copy mode' };
    }
    if (service.image !== undefined && !parseImage(service.image))
      return {
        field: `spec.services[${i}].image`,
        message: `"${service.image}" is not an image reference such as registry.example.com/shop/checkout:pr-1234`,
      };
  }
  return undefined;
}

function scaleProblem({ scale }: StagingEnvironmentSpec): Problem | undefined {
  for (const key of ['replicas', 'resources'] as const) {
    const ratio = parseRatio(scale[key]);
    if (!ratio.ok) return { field: `spec.scale.${key}`, message: ratio.message };
  }
  return undefined;
}

function secretsProblem({ secrets }: StagingEnvironmentSpec): Problem | undefined {
  if (secrets.names && secrets.policy !== 'CopyListed')
    return { field: 'spec.secrets.names', message: 'names apply only to the CopyListed policy' };
  if (secrets.policy === 'CopyListed' && !secrets.names?.length)
    return { field: 'spec.secrets.names', message: 'CopyListed needs at least one name' };
  return undefined;
}

function ingressProblem({ ingress }: StagingEnvironmentSpec): Problem | undefined {
  const problem = ingress ? hostTemplateProblem(ingress.hostTemplate) : undefined;
  return problem ? { field: 'spec.ingress.hostTemplate', message: problem } : undefined;
}

function isolationProblem({ isolation }: StagingEnvironmentSpec): Problem | undefined {
  const quantities: Array<[string, string | undefined]> = [
    ...(['cpu', 'memory', 'limitsCpu', 'limitsMemory', 'storage'] as const).map((k): [string, string | undefined] => [
      `resourceQuota.${k}`,
      isolation?.resourceQuota?.[k],
    ]),
    ...(['defaultRequest', 'defaultLimit', 'min', 'max'] as const).flatMap((k) =>
      (['cpu', 'memory'] as const).map((r): [string, string | undefined] => [
        `limitRange.${k}.${r}`,
        isolation?.limitRange?.[k]?.[r],
      ]),
    ),
  ];
  for (const [path, value] of quantities) {
    if (value === undefined) continue;
    const quantity = parseQuantity(value);
    if (!quantity.ok) return { field: `spec.isolation.${path}`, message: quantity.message };
    if (quantity.quantity.value.num < 0n) return { field: `spec.isolation.${path}`, message: 'must not be negative' };
  }
  return undefined;
}

function lifetimeProblem({ ttl, expiresAt }: StagingEnvironmentSpec): Problem | undefined {
  if (ttl !== undefined && expiresAt !== undefined)
    return { field: 'spec.expiresAt', message: 'ttl and expiresAt are mutually exclusive' };
  if (ttl !== undefined) {
    const duration = parseDuration(ttl);
    if (!duration.ok) return { field: 'spec.ttl', message: duration.message };
    if (duration.milliseconds <= 0) return { field: 'spec.ttl', message: 'must be longer than zero' };
  }
  if (expiresAt !== undefined && (!RFC3339.test(expiresAt) || Number.isNaN(Date.parse(expiresAt)))) {
    return { field: 'spec.expiresAt', message: `"${expiresAt}" is not an RFC 3339 time such as 2030-01-31T18:00:00Z` };
  }
  return undefined;
}
