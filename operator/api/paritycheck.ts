import { z } from 'zod';
import { ConditionsSchema, DurationSchema, LabelSelectorSchema, RatioSchema } from './common';
import { GROUP, VERSION } from './common';
import type { KindDefinition } from './kind';

// ParityCheck: how far a staging namespace is from production, measured per
// category. Production is only ever what an admin-owned Baseline allowing the
// check's namespace describes. The zod schemas below are rendered into the
// CRD, so every description is what `kubectl explain paritycheck.spec...` shows.

const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A check's verdict; one list for the status schema, the engine and the verdict gauge. */
export const VERDICTS = ['InParity', 'Drifted', 'Inconclusive'] as const;
export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export const SeveritySchema = z.enum(SEVERITIES).describe('How much a difference matters: info, warning or critical.');
export type Severity = z.infer<typeof SeveritySchema>;

export const CATEGORIES = ['configuration', 'schema', 'data', 'behaviour'] as const;
export const CategorySchema = z
  .enum(CATEGORIES)
  .describe('A parity category: configuration, schema, data or behaviour.');
export type Category = z.infer<typeof CategorySchema>;

const NamespaceNameSchema = z
  .string()
  .min(1)
  .max(63)
  .regex(NAMESPACE_PATTERN, 'must be a namespace name (RFC 1123 label)');

export const ParityBaselineRefSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(253)
      .regex(NAME_PATTERN, 'must be a Baseline name (lowercase RFC 1123 subdomain)')
      .describe('Name of a cluster-scoped Baseline that allows this namespace.'),
  })
  .describe(
    'The admin-owned Baseline that says what production is: its namespace (or cluster), its databases and its Prometheus. A Baseline that does not allow this namespace gives Stalled, and nothing of production is read.',
  );

export const StagingTargetSchema = z
  .object({
    environmentRef: z
      .object({
        name: z
          .string()
          .min(1)
          .max(253)
          .regex(NAME_PATTERN, 'must be a StagingEnvironment name')
          .describe('Name of the StagingEnvironment.'),
      })
      .optional()
      .describe(
        "The StagingEnvironment whose copy is compared: one in this ParityCheck's namespace (staging is then its target namespace), or, for a ParityCheck in a target namespace, the environment that made it. Its image and env overrides and its scale ratios are reported as expected differences, not drift.",
      ),
  })
  .describe("The staging side: this ParityCheck's own namespace, or the target namespace of environmentRef.");
export type StagingTarget = z.infer<typeof StagingTargetSchema>;

export const NAMESPACE_KINDS = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Service',
  'ConfigMap',
  'Secret',
  'HorizontalPodAutoscaler',
] as const;
export const ComparedKindSchema = z
  .enum(NAMESPACE_KINDS)
  .describe('A kind the configuration category knows how to compare.');
export type ComparedKind = z.infer<typeof ComparedKindSchema>;

const ObjectPatternSchema = z
  .string()
  .min(1)
  .regex(
    /^[A-Za-z*]+\/[-a-z0-9.*]+$/,
    'must be Kind/name, with * as a wildcard, for example Deployment/* or ConfigMap/feature-*',
  )
  .describe('Kind/name with * as a wildcard, for example Deployment/* or ConfigMap/feature-*.');

export const ConfigurationCategorySchema = z
  .object({
    enabled: z.boolean().default(true).describe('Whether the configuration category runs.'),
    kinds: z
      .array(ComparedKindSchema)
      .min(1)
      .max(NAMESPACE_KINDS.length)
      .optional()
      .describe('Kinds compared; all known kinds when absent.'),
    selector: LabelSelectorSchema.optional().describe(
      "Only objects whose labels match; production's object decides when both sides have one; matching no production object is Inconclusive.",
    ),
    include: z
      .array(ObjectPatternSchema)
      .max(64)
      .optional()
      .describe('Only objects matching one of these Kind/name patterns.'),
    exclude: z
      .array(ObjectPatternSchema)
      .max(64)
      .optional()
      .describe('Objects matching one of these Kind/name patterns are not compared.'),
  })
  .describe(
    'Compares images (by digest where pods report it), env with ConfigMap and Secret references resolved, ConfigMap data, Secrets by keyed hash, probes, HPA bounds, and replicas and resources as ratios.',
  );

export const STAGING_SECRET_SOURCES = ['ParityCheck', 'Staging'] as const;

export const StagingDatabaseSchema = z
  .object({
    connectionSecretRef: z
      .object({
        name: z.string().min(1).max(253).describe('Name of the Secret.'),
        key: z
          .string()
          .min(1)
          .max(253)
          .describe('Key holding a PostgreSQL connection URL (postgresql://user:password@host:port/database).'),
        from: z
          .enum(STAGING_SECRET_SOURCES)
          .default('ParityCheck')
          .describe(
            "Where the Secret lives: ParityCheck (this ParityCheck's namespace) or Staging (the staging namespace).",
          ),
      })
      .describe(
        "A Secret key holding the staging database's connection URL. The credentials need read access to the catalogue only.",
      ),
  })
  .describe('How to reach the staging database.');
export type StagingDatabase = z.infer<typeof StagingDatabaseSchema>;

export const ProductionDatabaseSchema = z
  .object({
    database: z
      .string()
      .min(1)
      .max(63)
      .regex(NAMESPACE_PATTERN, 'must be a database name of the Baseline (spec.data.databases[].name)')
      .describe(
        "Name of a database in the Baseline's spec.data.databases; its connection stays where the admin put it.",
      ),
  })
  .describe('The production database, chosen by name among those the Baseline offers.');
export type ProductionDatabase = z.infer<typeof ProductionDatabaseSchema>;

export const SchemaCategorySchema = z
  .object({
    staging: StagingDatabaseSchema.describe('The staging database.'),
    production: ProductionDatabaseSchema.describe('The production database: one the Baseline names.'),
    schemas: z.array(z.string().min(1)).min(1).max(32).default(['public']).describe('PostgreSQL schemas compared.'),
    excludeTables: z
      .array(z.string().min(1))
      .max(256)
      .optional()
      .describe('Tables left out, by name (schema.table or table; * as a wildcard).'),
  })
  .describe(
    'Compares tables, columns, types, nullability, defaults, indexes and constraints, enum labels, domains and sequence definitions.',
  );

export const DataCategorySchema = z
  .object({
    staging: StagingDatabaseSchema.optional().describe("The staging database; defaults to the schema category's."),
    production: ProductionDatabaseSchema.optional().describe(
      "The production database, one the Baseline names; defaults to the schema category's.",
    ),
    tables: z
      .array(z.string().min(1))
      .max(1024)
      .optional()
      .describe('Tables compared (schema.table or table); all tables of the compared schemas when absent.'),
    expectedRowRatio: RatioSchema.default('1').describe(
      'Expected staging/production row-count ratio, for example "0.1" for a seed at a tenth of production.',
    ),
    tolerances: z
      .object({
        rowCount: RatioSchema.optional().describe(
          'Relative tolerance on the row-count ratio; "0.1" accepts 10% either way.',
        ),
        nullFraction: RatioSchema.optional().describe("Absolute tolerance on a column's null fraction."),
        distinct: RatioSchema.optional().describe(
          "Relative tolerance on a column's distinct count (or distinct fraction).",
        ),
      })
      .optional()
      .describe('Overrides of the check-wide tolerances for this category.'),
  })
  .describe(
    'Compares row counts, exact by count(*) within 2 s per table and 30 s per side (else the pg_class.reltuples estimate, marked as such in the finding), and null fractions and distinct counts from pg_stats; no row value is read. Columns of tables whose statistics are stale (pg_stat_all_tables.n_mod_since_analyze, last_analyze) are Inconclusive until ANALYZE runs. count(*) needs SELECT on the tables; without it the estimate is used.',
  );

export const PrometheusQuerySchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/, 'must be a lowercase name such as p95-latency')
      .describe('Name of the query, used in finding paths.'),
    query: z
      .string()
      .min(1)
      .max(4096)
      .regex(/\{\{namespace\}\}/, 'must contain {{namespace}} so each side selects its own series')
      .describe(
        "PromQL returning one series per side. {{namespace}} is replaced by each side's namespace and {{service}} by each service name (the query then runs once per service).",
      ),
    tolerance: RatioSchema.optional().describe(
      'Relative tolerance: "0.2" accepts staging within 20% of production. Defaults to spec.tolerances.behaviour.',
    ),
    direction: z
      .enum(['Both', 'HigherIsWorse', 'LowerIsWorse'])
      .default('Both')
      .describe('Which deviations count: HigherIsWorse ignores staging being lower (latency, errors).'),
    comparison: z
      .enum(['Relative', 'Absolute'])
      .default('Relative')
      .describe(
        'Relative: the tolerance is a fraction of production\'s value ("0.2" is 20%). Absolute: it is a difference in the query\'s own unit, for ratios such as error rates ("0.01" is one percentage point).',
      ),
    minSamples: z
      .number()
      .int()
      .min(1)
      .max(11000)
      .default(10)
      .describe('Fewer points than this on either side gives Inconclusive, never a pass.'),
    range: DurationSchema.default('1h').describe('How far back the query looks.'),
    step: DurationSchema.optional().describe('Resolution of the range query; defaults to range/60.'),
    services: z
      .array(z.string().min(1))
      .max(256)
      .optional()
      .describe(
        'Services substituted for {{service}}; defaults to the Deployments and StatefulSets found on both sides.',
      ),
    severity: z
      .enum(['warning', 'critical'])
      .default('warning')
      .describe('Severity of a deviation beyond the tolerance.'),
  })
  .describe('A named PromQL query evaluated for both namespaces.');
export type PrometheusQuery = z.infer<typeof PrometheusQuerySchema>;

const MetricNameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name');
const LabelNameSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name');
const MATCHER = String.raw`[a-zA-Z_][a-zA-Z0-9_]*\s*(=|!=|=~|!~)\s*"([^"\\]|\\.)*"`;

/** Pods of a Deployment (`name-<template hash>-<5 chars>`) or a StatefulSet (`name-<ordinal>`), and not those of a longer-named sibling. */
export const DEFAULT_WORKLOAD_SELECTOR = 'pod=~"{{service}}-([a-z0-9]{1,10}-[a-z0-9]{5}|[0-9]+)"';

export const DefaultQueriesSchema = z
  .object({
    enabled: z
      .boolean()
      .optional()
      .describe(
        'Whether the default queries run. When absent they run if spec.categories.behaviour.queries lists none (and whenever the Baseline names a Prometheus and the check has no behaviour category).',
      ),
    latencyHistograms: z
      .array(MetricNameSchema)
      .min(1)
      .max(8)
      .default(['http_request_duration_seconds', 'http_server_requests_seconds'])
      .describe(
        'Base names (without _bucket) of request-duration histograms in seconds; p50, p95 and p99 come from their _bucket series. Map other names here, for example ["myapp_http_latency_seconds"].',
      ),
    requestCounters: z
      .array(MetricNameSchema)
      .min(1)
      .max(8)
      .default(['http_requests_total', 'http_server_requests_seconds_count'])
      .describe(
        'Request counters whose status label tells errors (5xx) from the rest; the error rate is 5xx requests over all requests.',
      ),
    statusLabels: z
      .array(LabelNameSchema)
      .min(1)
      .max(4)
      .default(['code', 'status'])
      .describe('Labels holding the HTTP status code on the request counters.'),
    workloadSelector: z
      .string()
      .min(1)
      .max(512)
      .regex(
        new RegExp(`^${MATCHER}(\\s*,\\s*${MATCHER})*$`),
        'must be PromQL label matchers such as pod=~"{{service}}-.*" or service="{{service}}"',
      )
      .default(DEFAULT_WORKLOAD_SELECTOR)
      .describe(
        'Label matchers selecting one service\'s series; must contain {{service}}, replaced by its name; by default its pods by name. Use service="{{service}}" where a ServiceMonitor adds that label.',
      ),
    services: z
      .array(z.string().min(1).max(253).regex(NAME_PATTERN, 'must be a Deployment or StatefulSet name'))
      .max(256)
      .optional()
      .describe(
        'Services the default queries run for; the Deployments and StatefulSets found on both sides when absent.',
      ),
    range: DurationSchema.default('1h').describe('How far back the default queries look.'),
    minSamples: z
      .number()
      .int()
      .min(1)
      .max(11000)
      .default(10)
      .describe('Fewer points than this on either side gives Inconclusive, never a pass.'),
    tolerances: z
      .object({
        latency: RatioSchema.default('0.2').describe('Relative tolerance on p50, p95 and p99 latency.'),
        errorRate: RatioSchema.default('0.01').describe(
          'Absolute tolerance on the error rate: "0.01" is one percentage point.',
        ),
        utilisation: RatioSchema.default('0.25').describe(
          'Relative tolerance on CPU and memory use as a fraction of requests.',
        ),
      })
      .default({ latency: '0.2', errorRate: '0.01', utilisation: '0.25' })
      .describe('Tolerances of the default queries.'),
  })
  .describe(
    'The default query set, per service: latency-p50, latency-p95, latency-p99 (from the latency histograms), error-rate (from the request counters), cpu-utilisation and memory-utilisation (cAdvisor usage over kube-state-metrics requests). A query in spec.categories.behaviour.queries with the same name replaces one.',
  );
export type DefaultQueries = z.infer<typeof DefaultQueriesSchema>;

export const BehaviourCategorySchema = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        "Whether the behaviour category runs; false turns off the default queries a Baseline's Prometheus would otherwise run.",
      ),
    prometheus: z
      .object({ timeout: DurationSchema.default('10s').describe('Timeout of each HTTP request.') })
      .default({ timeout: '10s' })
      .describe(
        "How Prometheus is queried. Which Prometheus comes from the Baseline (spec.data.prometheus): production's series and staging's are read from it, each selected by its own namespace.",
      ),
    queries: z
      .array(PrometheusQuerySchema)
      .max(32)
      .default([])
      // A list-map keyed by name makes the API server refuse duplicate names without a quadratic CEL rule.
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .describe('Queries compared besides (or instead of) the default set; names must be unique.'),
    defaults: DefaultQueriesSchema.default(DefaultQueriesSchema.parse({})),
    noiseFloor: z
      .boolean()
      .default(true)
      .describe(
        "Diffy-style noise floor: a deviation must also exceed the difference between the two halves of production's own series.",
      ),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: 'size(self.queries) > 0 || !has(self.defaults.enabled) || self.defaults.enabled',
        message: 'lists no queries and turns the default queries off: set enabled: false instead',
      },
    ],
  })
  .describe(
    'Compares Prometheus queries between the namespaces: a default set (latency, error rate, CPU and memory utilisation per service) and named queries of your own.',
  );

export const CategoriesSchema = z
  .object({
    configuration: ConfigurationCategorySchema.optional(),
    schema: SchemaCategorySchema.optional(),
    data: DataCategorySchema.optional(),
    behaviour: BehaviourCategorySchema.optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.data) || has(self.schema) || (has(self.data.staging) && has(self.data.production))',
        message: "data needs staging and production connections, either its own or the schema category's",
      },
    ],
  })
  .describe('The categories compared; only those present run. Configuration runs when the field is absent.');

export const IgnoreRuleSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(512)
      .describe(
        'Path pattern of the findings to ignore: * matches within one segment, ** across segments; for example spec.template.spec.containers[*].env[LOG_LEVEL] or **.annotations.',
      ),
    category: CategorySchema.optional().describe('Only findings of this category.'),
    resource: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        'Only findings of resources matching this pattern, for example Deployment/checkout or Table/public.audit_*.',
      ),
    reason: z
      .string()
      .min(1)
      .max(1024)
      .describe('Why the difference does not matter; required so every exception is explained.'),
  })
  .describe('A difference that is known and accepted.');
export type IgnoreRule = z.infer<typeof IgnoreRuleSchema>;

export const TolerancesSchema = z
  .object({
    resources: RatioSchema.default('0.05').describe(
      'Relative tolerance on CPU and memory requests and limits, after the declared resources ratio.',
    ),
    replicas: RatioSchema.default('0').describe(
      'Relative tolerance on replicas and HPA bounds, after the declared replicas ratio.',
    ),
    rowCount: RatioSchema.default('0.1').describe('Relative tolerance on the row-count ratio.'),
    nullFraction: RatioSchema.default('0.05').describe('Absolute tolerance on null fractions.'),
    distinct: RatioSchema.default('0.2').describe('Relative tolerance on distinct counts.'),
    behaviour: RatioSchema.default('0.2').describe('Relative tolerance on behaviour queries.'),
  })
  .describe('Check-wide tolerances; categories and queries may override them.');
export type Tolerances = z.infer<typeof TolerancesSchema>;

export const ParityCheckSpecSchema = z
  .object({
    baselineRef: ParityBaselineRefSchema,
    staging: StagingTargetSchema.default({}),
    categories: CategoriesSchema.default({}),
    ignore: z
      .array(IgnoreRuleSchema)
      .max(128)
      .default([])
      .describe(
        'Known differences that are not drift. Never applied to what could not be decided (Inconclusive). A rule matching every finding of a category is refused (InvalidSpec): turn the category off instead. The status lists rules that matched nothing.',
      ),
    tolerances: TolerancesSchema.default(TolerancesSchema.parse({})),
    interval: DurationSchema.optional().describe(
      'How often the check runs again; absent means it runs once per generation.',
    ),
    failOn: SeveritySchema.default('warning').describe(
      'The lowest severity of an unexpected finding that makes InParity False.',
    ),
  })
  .describe('What to compare between staging and the production a Baseline describes, and what counts as drift.');
export type ParityCheckSpec = z.infer<typeof ParityCheckSpecSchema>;
export type ParityCheckSpecInput = z.input<typeof ParityCheckSpecSchema>;

const JsonValueText = z.string().max(1024);

export const FindingSchema = z
  .object({
    id: z.string().min(1).max(32).describe('Stable id: a hash of category, resource and path.'),
    category: CategorySchema,
    resource: z
      .string()
      .max(512)
      .describe('What differs, for example Deployment/checkout, Table/public.orders or Query/p95-latency/checkout.'),
    path: z
      .string()
      .max(1024)
      .describe('Where in the resource, for example spec.template.spec.containers[api].env[LOG_LEVEL].'),
    staging: JsonValueText.optional().describe(
      'The staging value, rendered as text; absent when staging has none. Secrets, and values that look like credentials, are shown only as keyed hashes (hmac:...) that mean nothing outside one run.',
    ),
    production: JsonValueText.optional().describe(
      'The production value, rendered as text; absent when production has none. Credentials are hashed as on the staging side.',
    ),
    expected: z
      .boolean()
      .describe('True when the StagingEnvironment declared this difference (an override or a scale ratio).'),
    severity: SeveritySchema,
    message: z.string().max(2048).describe('What differs, in words.'),
    firstSeen: z.string().describe('When this finding was first reported (RFC 3339); carried over between runs.'),
  })
  .describe('One difference between staging and production.');
export type Finding = z.infer<typeof FindingSchema>;

export const MAX_STATUS_FINDINGS = 20;

export const ParityCheckStatusSchema = z
  .object({
    conditions: ConditionsSchema,
    observedGeneration: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('The .metadata.generation the status was computed for.'),
    lastCheckedAt: z.string().optional().describe('When the check last ran (RFC 3339).'),
    environmentReadySince: z
      .string()
      .optional()
      .describe(
        'When the StagingEnvironment named by spec.staging.environmentRef had become Ready, as the last run saw it; the check runs again when this changes (re-copied, re-seeded).',
      ),
    summary: z
      .object({
        verdict: z
          .enum(VERDICTS)
          .describe(
            'InParity, Drifted (unexpected findings at or above failOn), or Inconclusive (too little data to tell).',
          ),
        score: z
          .number()
          .int()
          .min(0)
          .max(100)
          .optional()
          .describe(
            '100 minus penalties for unexpected findings (critical 20, warning 5, info 1), floored at 0. Absent when the verdict is Inconclusive: what could not be decided gets no score.',
          ),
        critical: z.number().int().min(0).describe('Unexpected critical findings.'),
        warning: z.number().int().min(0).describe('Unexpected warning findings.'),
        info: z.number().int().min(0).describe('Unexpected info findings.'),
        expected: z.number().int().min(0).describe('Differences the StagingEnvironment declared.'),
        ignored: z.number().int().min(0).describe('Differences silenced by ignore rules.'),
        inconclusive: z.number().int().min(0).describe('Comparisons that had too little data to decide.'),
        total: z.number().int().min(0).describe('All findings, including those not listed in status.findings.'),
      })
      .optional()
      .describe('Counts over all findings of the last run.'),
    findings: z
      .array(FindingSchema)
      .max(MAX_STATUS_FINDINGS)
      .optional()
      .describe('The most severe findings, at most 20; unexpected before expected.'),
    unmatchedIgnoreRules: z
      .array(z.number().int().min(0))
      .max(128)
      .optional()
      .describe('Indexes into spec.ignore of rules that matched no difference: candidates for removal.'),
  })
  .describe('The result of the last run.');
export type ParityCheckStatus = z.infer<typeof ParityCheckStatusSchema>;

export const ParityCheckKind: KindDefinition<typeof ParityCheckSpecSchema, typeof ParityCheckStatusSchema> = {
  group: GROUP,
  version: VERSION,
  kind: 'ParityCheck',
  plural: 'paritychecks',
  singular: 'paritycheck',
  shortNames: ['pcheck', 'parity'],
  categories: ['understudy'],
  description:
    'ParityCheck measures how far a staging namespace is from the production a Baseline describes: configuration, database schema, data statistics and behaviour under Prometheus queries. Ready means the check ran; InParity says whether staging matches.',
  spec: ParityCheckSpecSchema,
  status: ParityCheckStatusSchema,
  printerColumns: [
    {
      name: 'Baseline',
      type: 'string',
      jsonPath: '.spec.baselineRef.name',
      description: 'The Baseline production comes from.',
    },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: 'The Ready condition: True once the check ran (InParity says whether staging matches).',
    },
    {
      name: 'Verdict',
      type: 'string',
      jsonPath: '.status.summary.verdict',
      description: 'InParity, Drifted or Inconclusive.',
    },
    { name: 'Score', type: 'integer', jsonPath: '.status.summary.score', description: 'Parity score, 0 to 100.' },
    {
      name: 'Findings',
      type: 'integer',
      jsonPath: '.status.summary.total',
      description: 'Number of findings of the last run.',
    },
    { name: 'Last Checked', type: 'date', jsonPath: '.status.lastCheckedAt', description: 'When the check last ran.' },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why Ready is what it is (for example Checked, SourceUnavailable, BaselineNotAllowed).',
      priority: 1,
    },
    {
      name: 'Environment',
      type: 'string',
      jsonPath: '.spec.staging.environmentRef.name',
      description: 'The StagingEnvironment whose target namespace is compared, when named.',
      priority: 1,
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

function problemsOf(error: z.ZodError): string {
  return error.issues.map((i) => `spec.${i.path.join('.')}: ${i.message}`).join('; ');
}

/** Parses a spec, turning zod's issues into one message that names each bad field. */
export function parseParityCheckSpec(input: unknown): ParityCheckSpec {
  const result = ParityCheckSpecSchema.safeParse(input);
  if (!result.success) throw new InvalidParitySpecError(problemsOf(result.error));
  return result.data;
}

export class InvalidParitySpecError extends Error {
  override name = 'InvalidParitySpecError';
}

/**
 * A check as the engine runs it: the spec with both namespaces resolved —
 * by the controller from the Baseline and the staging environment, by the
 * CLI from its flags (which run with the user's own credentials, so no
 * Baseline is involved there).
 */
export type ResolvedParityCheck = Omit<ParityCheckSpec, 'baselineRef' | 'staging'> & {
  staging: StagingTarget & { namespace: string };
  production: { namespace: string };
};

export const ResolvedParityCheckSchema = ParityCheckSpecSchema.omit({ baselineRef: true }).extend({
  staging: StagingTargetSchema.extend({ namespace: NamespaceNameSchema.describe('The staging namespace.') }),
  production: z.object({ namespace: NamespaceNameSchema.describe('The production namespace.') }),
});
export type ResolvedParityCheckInput = z.input<typeof ResolvedParityCheckSchema>;

/** The spec of a check whose namespaces are given, for the CLI, tests and the benchmark. */
export function parseResolvedParityCheck(input: unknown): ResolvedParityCheck {
  const result = ResolvedParityCheckSchema.safeParse(input);
  if (!result.success) throw new InvalidParitySpecError(problemsOf(result.error));
  return result.data;
}

/**
 * The spec with the namespaces one run compares. Where production has a
 * Prometheus (the Baseline's spec.data.prometheus) and the check has no
 * behaviour category, the category runs with the default query set: a check
 * written for configuration alone still learns that staging is three times
 * slower. `behaviour: {enabled: false}` turns that off.
 */
export function resolveParityCheck(
  spec: ParityCheckSpec,
  namespaces: { staging: string; production: string },
  options: { prometheus?: boolean } = {},
): ResolvedParityCheck {
  const { baselineRef: _baselineRef, staging, ...rest } = spec;
  const categories =
    options.prometheus && !rest.categories.behaviour
      ? { ...rest.categories, behaviour: BehaviourCategorySchema.parse({}) }
      : rest.categories;
  return {
    ...rest,
    categories,
    staging: { ...staging, namespace: namespaces.staging },
    production: { namespace: namespaces.production },
  };
}
