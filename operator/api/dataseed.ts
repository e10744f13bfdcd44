import { z } from 'zod';
import { ConditionsSchema, DurationSchema, GROUP, RatioSchema, SecretKeySelectorSchema, VERSION } from './common';
import type { KindDefinition } from './kind';
import { parseDuration } from './values/duration';
import { paramsSchema, paramsValidations } from './transformers/crd-schema';
import { parseParams, TRANSFORMS, unknownTransformMessage } from './transformers/registry';

// DataSeed: fake but production-like data in an environment's database.
// Every description below is what `kubectl explain dataseed.spec...` shows.

export const ConfigMapKeySelectorSchema = z
  .object({
    name: z.string().min(1).describe("Name of the ConfigMap in the resource's namespace."),
    key: z.string().min(1).describe('Key within the ConfigMap.'),
  })
  .describe('A key of a ConfigMap in the same namespace.');
export type ConfigMapKeySelector = z.infer<typeof ConfigMapKeySelectorSchema>;

export const ConnectionSchema = z
  .object({
    urlSecretRef: SecretKeySelectorSchema.optional().describe(
      'A Secret key holding a full connection URL (postgresql://user:password@host:port/database). Exclusive with host.',
    ),
    host: z.string().min(1).optional().describe('Host name of the database server. Exclusive with urlSecretRef.'),
    port: z.number().int().min(1).max(65535).optional().describe('Port of the database server; 5432 when omitted.'),
    database: z.string().min(1).optional().describe('Database name; required with host.'),
    user: z.string().min(1).optional().describe('User name; required with host.'),
    passwordSecretRef: SecretKeySelectorSchema.optional().describe(
      'A Secret key holding the password; used with host.',
    ),
    sslMode: z
      .enum(['disable', 'require', 'verify-full'])
      .optional()
      .describe('TLS mode of the connection; disable when omitted.'),
  })
  .meta({
    'x-kubernetes-validations': [
      { rule: 'has(self.urlSecretRef) != has(self.host)', message: 'set exactly one of urlSecretRef or host' },
      { rule: '!has(self.host) || (has(self.database) && has(self.user))', message: 'host needs database and user' },
    ],
  })
  .refine((c) => (c.urlSecretRef === undefined) !== (c.host === undefined), {
    message: 'set exactly one of urlSecretRef or host',
  })
  .refine((c) => c.host === undefined || (c.database !== undefined && c.user !== undefined), {
    message: 'host needs database and user',
  })
  .describe(
    "How to reach a PostgreSQL database. Credentials only ever come from Secrets of the DataSeed's own namespace.",
  );
export type Connection = z.infer<typeof ConnectionSchema>;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Where a production connection comes from, the only way: a Baseline's data.databases entry, by name. */
const ONLY_FROM_BASELINE =
  'production connections come only from a Baseline: name one of its spec.data.databases in database (see spec.baselineRef)';

const RefusedSecretSchema = z
  .record(z.string(), z.unknown())
  .meta({ 'x-kubernetes-preserve-unknown-fields': true, additionalProperties: undefined })
  .optional()
  .describe(`Refused: ${ONLY_FROM_BASELINE}.`);
const RefusedStringSchema = z.string().optional().describe(`Refused: ${ONLY_FROM_BASELINE}.`);

/**
 * A production database named by its Baseline. The old connection fields are
 * kept in the schema only so that both the API server (CEL) and zod refuse
 * them with a message that says why, instead of pruning them silently.
 */
export const BaselineDatabaseRefSchema = z
  .object({
    database: z
      .string()
      .min(1)
      .max(63)
      .regex(DNS_LABEL, "must be the name of one of the Baseline's spec.data.databases")
      .describe(
        "Name of one of the Baseline's spec.data.databases. The operator reads its connection Secret where the admin put it; the credentials never enter this namespace.",
      ),
    urlSecretRef: RefusedSecretSchema,
    passwordSecretRef: RefusedSecretSchema,
    host: RefusedStringSchema,
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '!has(self.urlSecretRef) && !has(self.passwordSecretRef) && !has(self.host)',
        message: ONLY_FROM_BASELINE,
      },
    ],
  })
  .superRefine((ref, ctx) => {
    for (const field of ['urlSecretRef', 'passwordSecretRef', 'host'] as const) {
      if (ref[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: ONLY_FROM_BASELINE });
    }
  })
  .describe('A production database of the Baseline named in spec.baselineRef.');
export type BaselineDatabaseRef = z.infer<typeof BaselineDatabaseRefSchema>;

export const ScaleSchema = z
  .object({
    ratio: RatioSchema.optional().describe('Rows per table as a ratio of production\'s row counts, for example "0.1".'),
    rows: z
      .record(z.string(), z.number().int().min(0))
      .optional()
      .describe(
        'Exact row counts per table (schema-qualified or bare name); tables not listed follow ratio, or 1 when no ratio is set.',
      ),
  })
  .describe('How many rows to generate, as a ratio of production, counts per table, or both.');

export const SynthesizeSourceSchema = z
  .object({
    profile: z
      .object({
        configMapRef: ConfigMapKeySelectorSchema.optional().describe(
          'A ConfigMap key of this namespace holding a profile captured by `understudy profile`. Runs as a Job or Inline.',
        ),
        fromBaseline: BaselineDatabaseRefSchema.optional().describe(
          'A production database of the Baseline: its profileRef ConfigMap when the admin set one, else the database profiled now from its catalogue and aggregate queries only. Reads production, so it runs inside the operator (runner Inline) and needs spec.baselineRef.',
        ),
        fromDatabase: RefusedSecretSchema.describe(`Refused: replaced by fromBaseline; ${ONLY_FROM_BASELINE}.`),
      })
      .refine((p) => p.fromDatabase === undefined, {
        path: ['fromDatabase'],
        message: `replaced by fromBaseline: ${ONLY_FROM_BASELINE}`,
      })
      .refine((p) => (p.configMapRef === undefined) !== (p.fromBaseline === undefined), {
        message: 'set exactly one of configMapRef or fromBaseline',
      })
      .meta({
        'x-kubernetes-validations': [
          {
            rule: '!has(self.fromDatabase)',
            message: `fromDatabase was replaced by fromBaseline: ${ONLY_FROM_BASELINE}`,
            fieldPath: '.fromDatabase',
          },
          {
            rule: 'has(self.configMapRef) != has(self.fromBaseline)',
            message: 'set exactly one of configMapRef or fromBaseline',
          },
        ],
      })
      .describe('Where the statistical profile of production comes from. Production rows are never read.'),
    scale: ScaleSchema.optional().describe("How many rows to generate; production's counts when omitted."),
    seed: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe('Seed of the random generator, so a synthesis can be repeated exactly; 0 when omitted.'),
  })
  .describe('Generate rows from the schema and a statistical profile of production.');

/** A share of rows: above 0 (an empty subset is not a subset) and at most 1 (more than all is all of production). */
const FractionSchema = RatioSchema.refine((v) => Number(v) > 0 && Number(v) <= 1, {
  message: 'must be greater than 0 and at most 1',
}).meta({
  'x-kubernetes-validations': [
    { rule: 'double(self) > 0.0 && double(self) <= 1.0', message: 'must be greater than 0 and at most 1' },
  ],
});

export const SubsetRootSchema = z
  .object({
    table: z.string().min(1).describe('Root table, schema-qualified or bare.'),
    where: z
      .string()
      .min(1)
      .optional()
      .describe(
        "SQL condition selecting root rows, evaluated in the source database: one condition over the root table's columns that the seed copies unchanged (constants, comparisons, AND/OR/NOT, IN, BETWEEN, LIKE, IS NULL, casts, now/lower/date_trunc/extract and a few other pure functions). Subqueries, other tables, parameters and other functions are refused before production is opened (docs/security.md).",
      ),
    fraction: FractionSchema.optional().describe(
      'Deterministic fraction of root rows to keep (after where), chosen by a keyed hash of the primary key: greater than 0 and at most 1.',
    ),
  })
  .describe('A table whose selected rows start the subset.');

export const AnonymizeSourceSchema = z
  .object({
    from: BaselineDatabaseRefSchema.describe(
      "The production database to read, read-only: one of the Baseline's spec.data.databases. Runs inside the operator (runner Inline); the credentials never enter this namespace.",
    ),
    subset: z
      .object({
        roots: z.array(SubsetRootSchema).min(1).max(64).describe('Tables and conditions the subset starts from.'),
        followReferencing: z
          .enum(['None', 'Roots'])
          .default('Roots')
          .describe(
            'Which referencing (child) rows to add: None, or every row that descends from a root row (Roots, the default). Referenced (parent) rows are always added.',
          ),
      })
      .optional()
      .describe('A referentially complete subset; the whole database when omitted.'),
    key: z
      .object({
        secretKeyRef: SecretKeySelectorSchema.describe('A Secret key holding the masking key (at least 16 bytes).'),
      })
      .describe(
        'The secret key that makes every transform deterministic: same input and key, same output, everywhere.',
      ),
  })
  .describe('Copy a referentially complete subset of production through keyed, deterministic transformers.');

export const SqlSourceSchema = z
  .object({
    configMapRef: ConfigMapKeySelectorSchema.describe('A ConfigMap key holding SQL statements to run in the target.'),
  })
  .describe('Run a plain SQL file in the target database.');

export const FixturesSourceSchema = z
  .object({
    configMapRef: ConfigMapKeySelectorSchema.describe(
      'A ConfigMap key holding YAML or JSON: a map from table name to a list of rows (column name to value).',
    ),
  })
  .describe('Insert fixed rows from a YAML or JSON document.');

export const SourceSchema = z
  .object({
    synthesize: SynthesizeSourceSchema.optional(),
    anonymize: AnonymizeSourceSchema.optional(),
    sql: SqlSourceSchema.optional(),
    fixtures: FixturesSourceSchema.optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: '[has(self.synthesize), has(self.anonymize), has(self.sql), has(self.fixtures)].filter(x, x).size() == 1',
        message: 'set exactly one of synthesize, anonymize, sql or fixtures',
      },
    ],
  })
  .refine((s) => [s.synthesize, s.anonymize, s.sql, s.fixtures].filter((x) => x !== undefined).length === 1, {
    message: 'set exactly one of synthesize, anonymize, sql or fixtures',
  })
  .describe('Where the rows come from: exactly one of synthesize, anonymize, sql or fixtures.');

export { TRANSFORMS, type TransformName } from './transformers/registry';

/**
 * Parameters as written, typed per transformer in the CRD (transformers/crd-schema.ts)
 * and parsed with the transformer's own schema below; the engine fills in defaults.
 */
const RuleParamsSchema = z
  .record(z.string(), z.unknown())
  .meta({ ...paramsSchema(), additionalProperties: undefined })
  .describe(
    'Parameters of the transformer, for example {value: "x"} for constant or {days: 30} for dateShift; see docs/transformers.md.',
  );

export const RuleSchema = z
  .object({
    table: z.string().min(1).describe('Table the rule applies to, schema-qualified or bare.'),
    column: z.string().min(1).describe('Column the rule applies to.'),
    transform: z
      .enum(TRANSFORMS, { error: (iss) => unknownTransformMessage(iss.input) })
      .describe(`Transformer (anonymize) or generator (synthesize): ${TRANSFORMS.join(', ')}.`),
    params: RuleParamsSchema.optional(),
  })
  .meta({ 'x-kubernetes-validations': paramsValidations() })
  .superRefine((rule, ctx) => {
    const parsed = parseParams(rule.transform, rule.params);
    if (!parsed.ok)
      for (const issue of parsed.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  })
  .describe('How one column is masked or generated.');
export type Rule = z.infer<typeof RuleSchema>;

const THRESHOLD_KEYS = [
  'maxNullFractionDelta',
  'maxKolmogorovSmirnov',
  'maxTotalVariation',
  'maxRowCountDeviation',
  'maxFanOutKolmogorovSmirnov',
  'maxPairTrendDistance',
  'maxDistinctDeviation',
  'maxRangeDeviation',
] as const;

export const FidelitySchema = z
  .object({
    maxNullFractionDelta: RatioSchema.optional().describe(
      'Largest allowed difference of null fractions per column; "0.01" (one percentage point) when omitted.',
    ),
    maxKolmogorovSmirnov: RatioSchema.optional().describe(
      'Largest allowed KS distance on numeric and date columns; "0.1" when omitted.',
    ),
    maxTotalVariation: RatioSchema.optional().describe(
      'Largest allowed total variation distance on categorical columns; "0.1" when omitted.',
    ),
    maxRowCountDeviation: RatioSchema.optional().describe(
      'Largest allowed relative deviation from the expected row count per table; "0.01" when omitted.',
    ),
    maxFanOutKolmogorovSmirnov: RatioSchema.optional().describe(
      'Largest allowed KS distance between the children-per-parent distributions of each foreign key; "0.1" when omitted.',
    ),
    maxPairTrendDistance: RatioSchema.optional().describe(
      'Largest allowed 1 - similarity of a column pair\'s trend, as SDMetrics measures it (CorrelationSimilarity for numbers and dates, ContingencySimilarity for categories); "0.15" when omitted.',
    ),
    maxDistinctDeviation: RatioSchema.optional().describe(
      'Personal columns: largest allowed relative deviation of the distinct count from production\'s at the seeded size; "0.5" when omitted.',
    ),
    maxRangeDeviation: RatioSchema.optional().describe(
      'Personal numbers and dates: largest allowed 1 - overlap of the seeded and production ranges; "0.1" when omitted.',
    ),
    enforce: z
      .boolean()
      .default(true)
      .describe(
        'Fail the seed (FidelityBelowThreshold) when a threshold is exceeded (the default); false only reports it.',
      ),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: THRESHOLD_KEYS.map((k) => `(!has(self.${k}) || double(self.${k}) <= 1.0)`).join(' && '),
        message: 'fidelity thresholds are between 0 and 1',
      },
    ],
  })
  .superRefine((f, ctx) => {
    for (const key of THRESHOLD_KEYS) {
      const v = f[key];
      if (v !== undefined && Number(v) > 1)
        ctx.addIssue({ code: 'custom', path: [key], message: `must be between 0 and 1, got ${v}` });
    }
  })
  .describe(
    'Thresholds of the fidelity report of a synthesis (and of an anonymize that sets this field). Defaults apply to every threshold and are enforced unless enforce is false. Foreign-key orphans and unique violations always fail the seed.',
  );

/** `_next` and `_old` are appended during a refresh, and a database name has at most 63 bytes. */
export const GOLDEN_NAME_MAX = 63 - '_next'.length;
/** Lower-case letters, digits and underscores, not starting with a digit: a name that needs no quoting (it is quoted anyway). */
export const GOLDEN_NAME_PATTERN = /^[a-z_][a-z0-9_]*$/;
/** Databases PostgreSQL itself needs: never renamed away and dropped by a refresh. */
/** A shorter interval would refresh back to back. */
export const GOLDEN_MIN_INTERVAL_MS = 60_000;
export const GOLDEN_RESERVED = ['postgres', 'template0', 'template1'] as const;

export const GoldenSchema = z
  .object({
    database: z
      .string()
      .min(1)
      .max(GOLDEN_NAME_MAX)
      .regex(GOLDEN_NAME_PATTERN, 'must be lower-case letters, digits and underscores, not starting with a digit')
      .refine((name) => !(GOLDEN_RESERVED as readonly string[]).includes(name), {
        message: `must not be ${GOLDEN_RESERVED.join(', ')}`,
      })
      .meta({
        'x-kubernetes-validations': [
          {
            rule: `!(self in [${GOLDEN_RESERVED.map((r) => `'${r}'`).join(', ')}])`,
            message: `must not be ${GOLDEN_RESERVED.join(', ')}`,
          },
        ],
      })
      .describe(
        "Name of the golden database on the target's server, which postgres-database clones with `template`. Each run fills a fresh copy of the target database named `<database>_next`, and only once the seed succeeded swaps it in by two renames; a failed seed leaves the golden as it was. The target role needs CREATEDB and must own the golden.",
      ),
    refreshInterval: DurationSchema.refine((d) => {
      const parsed = parseDuration(d);
      return parsed.ok && parsed.milliseconds >= GOLDEN_MIN_INTERVAL_MS;
    }, 'must be at least 1m: each refresh copies the schema database and seeds it again')
      .optional()
      .describe(
        'Refresh the golden this long after the last refresh (or the last failed attempt), besides on every spec change; only on spec changes when omitted. For example 24h.',
      ),
  })
  .describe(
    'Fill a golden database instead of the target: the target connection names the server, the role and the schema database (where migrations run) that each refresh copies. Clones never wait for a refresh and a refresh waits at most for one clone.',
  );
export type Golden = z.infer<typeof GoldenSchema>;

const READS_PRODUCTION_CEL =
  '(has(self.source.anonymize) || (has(self.source.synthesize) && has(self.source.synthesize.profile.fromBaseline)))';
const BASELINE_REQUIRED =
  'baselineRef is required when the source reads production (anonymize, synthesize.profile.fromBaseline): production is reached only through a Baseline that allows this namespace';
const JOB_REFUSED =
  'runner Job cannot run a source that reads production (anonymize, synthesize.profile.fromBaseline): production credentials never enter this namespace, so such seeds run inside the operator; use runner Inline or leave runner unset';

export const DataSeedSpecSchema = z
  .object({
    baselineRef: z
      .object({
        name: z
          .string()
          .min(1)
          .max(253)
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, 'must be the name of a Baseline')
          .describe('Name of a cluster-scoped Baseline that allows this namespace.'),
      })
      .optional()
      .describe(
        'The admin-owned Baseline whose spec.data.databases the source reads. Required when the source reads production (anonymize, synthesize.profile.fromBaseline). A Baseline that does not allow this namespace stalls the seed (BaselineNotAllowed) and nothing of it is read.',
      ),
    source: SourceSchema,
    target: ConnectionSchema.describe(
      "The database to fill, typically the preview's own; its Secrets are read from this namespace. Naming a Secret here is like mounting it in a Pod: anyone who can create a DataSeed in this namespace can have its value used as a connection.",
    ),
    rules: z.array(RuleSchema).max(2000).default([]).describe('Per-column transformers or generators.'),
    rulesFrom: ConfigMapKeySelectorSchema.optional().describe(
      'A ConfigMap key holding more rules as YAML (a list, or {rules: [...]}).',
    ),
    mode: z
      .enum(['Strict', 'Permissive'])
      .default('Strict')
      .describe(
        'Strict (default): any column without a rule that is not a key or a known-safe column fails the seed before anything is written. Permissive keeps such columns.',
      ),
    reset: z
      .enum(['Truncate', 'Append'])
      .default('Truncate')
      .describe('Empty the target tables first (Truncate, the default) or add to them (Append).'),
    runner: z
      .enum(['Job', 'Inline'])
      .optional()
      .describe(
        "Job: a Kubernetes Job with the operator's image, running as a ServiceAccount that may read only what this DataSeed names; only in namespaces the operator manages (a preview's), elsewhere the seed stalls with RunnerNotAllowed. Inline: inside the operator. Default: Inline when the source reads production (anonymize, synthesize.profile.fromBaseline), Job otherwise. Job is refused for sources that read production: their credentials never enter this namespace, and a Job runs here.",
      ),
    schemas: z.array(z.string().min(1)).max(64).default(['public']).describe('Database schemas to seed.'),
    exclude: z
      .array(z.string().min(1))
      .max(512)
      .default([])
      .describe('Tables to leave alone, schema-qualified or bare.'),
    fidelity: FidelitySchema.optional(),
    onFailure: z
      .enum(['Rollback', 'Empty'])
      .default('Rollback')
      .describe(
        'What a synthesize or anonymize seed that fails once writing began (a leak, broken integrity, fidelity below its thresholds, a lost connection) leaves behind. Rollback (default): its one transaction is rolled back and the target is exactly as it was. Empty: after the rollback, a second transaction empties the seeded tables and records the failure in understudy.seed_runs (status Emptied), so nothing stale is mistaken for a fresh seed; it needs the right to create the understudy schema, and without it the target is left as it was. A cancelled seed (shutdown, newer spec) is always rolled back.',
      ),
    leakScan: z
      .boolean()
      .default(true)
      .describe('After anonymize, look for original values of masked columns in the target and fail on a hit.'),
    foreignKeyChecks: z
      .enum(['AfterLoad', 'PerRow'])
      .default('AfterLoad')
      .describe(
        'AfterLoad (default): load each table without per-row foreign-key triggers and verify every key with one set-based query before the table commits; needs a superuser connection (otherwise PerRow is used), and user triggers do not fire during the load. PerRow: ordinary per-row checks and triggers.',
      ),
    parallelism: z
      .number()
      .int()
      .min(1)
      .max(32)
      .default(2)
      .describe(
        'Kept for compatibility: a seed writes every table in one transaction on one connection, so a failed, leaking or interrupted seed leaves the target as it was.',
      ),
    batchRows: z.number().int().min(100).max(1_000_000).default(10_000).describe('Rows per COPY chunk.'),
    golden: GoldenSchema.optional(),
  })
  .meta({
    'x-kubernetes-validations': [
      {
        rule: `!${READS_PRODUCTION_CEL} || has(self.baselineRef)`,
        message: BASELINE_REQUIRED,
        fieldPath: '.baselineRef',
        reason: 'FieldValueRequired',
      },
      {
        rule: `!${READS_PRODUCTION_CEL} || !has(self.runner) || self.runner != 'Job'`,
        message: JOB_REFUSED,
        fieldPath: '.runner',
      },
    ],
  })
  .superRefine((spec, ctx) => {
    if (!readsProduction(spec)) return;
    if (!spec.baselineRef) ctx.addIssue({ code: 'custom', path: ['baselineRef'], message: BASELINE_REQUIRED });
    if (spec.runner === 'Job') ctx.addIssue({ code: 'custom', path: ['runner'], message: JOB_REFUSED });
  })
  .describe('Desired state of a DataSeed.');
export type DataSeedSpec = z.infer<typeof DataSeedSpecSchema>;
export type DataSeedSpecInput = z.input<typeof DataSeedSpecSchema>;

/** Whether the source reads a production database (through the Baseline): such seeds run only inside the operator. */
export function readsProduction(spec: {
  source: { anonymize?: unknown; synthesize?: { profile: { fromBaseline?: unknown } } };
}): boolean {
  return spec.source.anonymize !== undefined || spec.source.synthesize?.profile.fromBaseline !== undefined;
}

/** The runner a spec runs with: its own choice, else Inline for production sources and Job for the rest. */
export function runnerOf(spec: Pick<DataSeedSpec, 'runner' | 'source'>): 'Job' | 'Inline' {
  return spec.runner ?? (readsProduction(spec) ? 'Inline' : 'Job');
}

export const SeedPhaseSchema = z.enum(['Pending', 'Running', 'Succeeded', 'Failed']);

export const TableStatusSchema = z
  .object({
    name: z.string().describe('Schema-qualified table name.'),
    rows: z.number().int().min(0).describe('Rows written.'),
    seconds: z.number().min(0).describe('Time spent writing the table.'),
  })
  .describe('What was written to one table.');

export const FidelitySummarySchema = z
  .object({
    passed: z.boolean().describe('Whether every enforced threshold held and integrity checks found nothing.'),
    worstNullFractionDelta: z.number().optional().describe('Largest null-fraction difference over all columns.'),
    worstKolmogorovSmirnov: z.number().optional().describe('Largest KS distance over numeric and date columns.'),
    worstTotalVariation: z.number().optional().describe('Largest total variation distance over categorical columns.'),
    worstRowCountDeviation: z.number().optional().describe('Largest relative deviation from the expected row count.'),
    worstFanOutKolmogorovSmirnov: z
      .number()
      .optional()
      .describe('Largest KS distance between children-per-parent distributions.'),
    foreignKeyOrphans: z.number().int().min(0).describe('Rows whose foreign key points at nothing.'),
    uniqueViolations: z.number().int().min(0).describe('Duplicate values in unique columns.'),
    violations: z.array(z.string()).max(20).optional().describe('The first violations found, human-readable.'),
  })
  .describe('Summary of the fidelity report.');

export const DataSeedStatusSchema = z
  .object({
    phase: SeedPhaseSchema.optional().describe('Human-readable phase: Pending, Running, Succeeded or Failed.'),
    observedGeneration: z.number().int().min(0).optional().describe('The generation the status describes.'),
    conditions: ConditionsSchema,
    tables: z.array(TableStatusSchema).max(100).optional().describe('Per-table results, at most 100 (largest first).'),
    totals: z
      .object({
        rows: z.number().int().min(0).describe('Rows written over all tables.'),
        seconds: z.number().min(0).describe('Duration of the seed.'),
        rowsPerSecond: z.number().int().min(0).describe('Average write rate.'),
      })
      .optional()
      .describe('Totals of the last seed.'),
    fidelity: FidelitySummarySchema.optional(),
    piiCoverage: z
      .object({
        covered: z.number().int().min(0).describe('Columns with a rule or known to be safe.'),
        total: z.number().int().min(0).describe('Columns seeded.'),
        personal: z.number().int().min(0).describe('Columns detected as personal data.'),
      })
      .optional()
      .describe('How many columns are covered by a rule or known safe.'),
    profileDigest: z
      .string()
      .optional()
      .describe('SHA-256 of the profile the seed used, to tell when production changed.'),
    lastSeededAt: z.string().optional().describe('When the last successful seed finished (RFC 3339).'),
    golden: z
      .object({
        database: z.string().describe('The golden database the last refresh swapped in.'),
        refreshedAt: z.string().describe('When that refresh swapped it in (RFC 3339).'),
        leftOver: z
          .string()
          .optional()
          .describe(
            'The previous golden, renamed, when it could not be dropped (a clone still reading it); the next refresh drops it.',
          ),
      })
      .optional()
      .describe('The last successful refresh of spec.golden.'),
    nextAttemptAt: z
      .string()
      .optional()
      .describe(
        'After a failure, when the controller tries again on its own (RFC 3339); absent when only a change to the spec or the database can help.',
      ),
  })
  .describe('Observed state of a DataSeed.');
export type DataSeedStatus = z.infer<typeof DataSeedStatusSchema>;

export const DataSeedKind: KindDefinition<typeof DataSeedSpecSchema, typeof DataSeedStatusSchema> = {
  group: GROUP,
  version: VERSION,
  kind: 'DataSeed',
  plural: 'dataseeds',
  singular: 'dataseed',
  shortNames: ['dseed'],
  categories: ['understudy'],
  description:
    'DataSeed fills a database with fake but production-like data: synthesized from a statistical profile, or an anonymized subset of production reached through an admin-owned Baseline. Strict by default: no column is written without a rule.',
  spec: DataSeedSpecSchema,
  status: DataSeedStatusSchema,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Phase of the last seed.' },
    {
      name: 'Ready',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].status',
      description: "The Ready condition: True once this generation's seed succeeded.",
    },
    {
      name: 'Baseline',
      type: 'string',
      jsonPath: '.spec.baselineRef.name',
      description: 'The Baseline production is read through.',
      priority: 1,
    },
    {
      name: 'Reason',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
      description: 'Why Ready is what it is (for example Seeding, Queued, InvalidSpec, ConnectionFailed).',
      priority: 1,
    },
    { name: 'Rows', type: 'integer', jsonPath: '.status.totals.rows', description: 'Rows written.' },
    {
      name: 'Fidelity',
      type: 'boolean',
      jsonPath: '.status.fidelity.passed',
      description: 'Whether the fidelity report passed.',
    },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};
