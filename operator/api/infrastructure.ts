import { z } from 'zod';
import { ConditionsSchema, DurationSchema } from './common';

// Infrastructure per environment: the admin half (Baseline.spec.infrastructure)
// and the requester half (StagingEnvironment.spec.infrastructure). A Pulumi
// program, its backend, its passphrase and every credential are the admin's
// and live in the operator's own namespace; an environment only sets the
// configuration keys the Baseline exposes.

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** Pulumi configuration keys as the CLI accepts them, without a namespace prefix (the program's own namespace is added). */
export const CONFIG_KEY = /^[a-zA-Z][a-zA-Z0-9_-]{0,62}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]{0,127}$/;

/** Programs compiled into the operator image, by name. */
export const BUILT_IN_PROGRAMS = ['postgres-database'] as const;
export type BuiltInProgram = (typeof BUILT_IN_PROGRAMS)[number];

export const RUNNERS = ['Job', 'Inline'] as const;

/** A Secret key in the operator's namespace: cloud credentials never leave it. */
export const OperatorSecretKeySchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(253)
      .regex(NAME, 'must be a Secret name')
      .describe("Name of the Secret in the operator's namespace."),
    key: z
      .string()
      .min(1)
      .max(253)
      .regex(/^[-._a-zA-Z0-9]+$/, 'must be a Secret key')
      .describe('Key within the Secret.'),
  })
  .describe("A key of a Secret in the operator's own namespace.");
export type OperatorSecretKey = z.infer<typeof OperatorSecretKeySchema>;

const ConfigValueSchema = z.string().max(4096);

export const ExposedKeySchema = z
  .object({
    key: z
      .string()
      .regex(CONFIG_KEY, 'must be a configuration key such as template or size')
      .describe('A configuration key an environment may set.'),
    pattern: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe(
        'A regular expression the whole value must match (anchored); absent allows any value up to 256 characters.',
      ),
  })
  .describe('A configuration key a StagingEnvironment may set, and what it may set it to.');

export const PulumiProgramSchema = z
  .object({
    builtIn: z
      .enum(BUILT_IN_PROGRAMS)
      .optional()
      .describe('A program compiled into the operator image: postgres-database.'),
    image: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .describe(
        "An image built FROM the operator's image (the same version) that adds a Node module at /program: its export (module.exports, default or program) is called with @pulumi/pulumi and returns the stack's outputs, and runs as an inline program, as the built-in programs do. Runs only with runner Job (the Job runs this image); with Inline its environments stall with RunnerNotSupported.",
      ),
  })
  .describe('The program: exactly one of builtIn or image.');

export const PulumiInfrastructureSchema = z
  .object({
    program: PulumiProgramSchema,
    backend: z
      .object({
        url: z
          .string()
          .min(1)
          .max(2048)
          .regex(/^(file|s3|gs|azblob|postgres):\/\//, 'must be a file://, s3://, gs://, azblob:// or postgres:// URL')
          .describe('The state backend (PULUMI_BACKEND_URL).'),
      })
      .describe('Where stack state lives.'),
    passphraseSecretRef: OperatorSecretKeySchema.describe(
      'PULUMI_CONFIG_PASSPHRASE of every stack: encrypts secrets in the state.',
    ),
    config: z
      .record(z.string().regex(CONFIG_KEY), ConfigValueSchema)
      .optional()
      .describe('Stack configuration every environment gets.'),
    secretConfig: z
      .array(
        z
          .object({
            key: z.string().regex(CONFIG_KEY, 'must be a configuration key'),
            secretRef: OperatorSecretKeySchema,
          })
          .describe('A secret configuration value.'),
      )
      .max(32)
      .optional()
      .describe("Configuration values read from Secrets in the operator's namespace, stored encrypted in the state."),
    env: z
      .array(
        z
          .object({
            name: z.string().regex(ENV_NAME, 'must be an upper-case environment variable name'),
            secretRef: OperatorSecretKeySchema,
          })
          .describe('An environment variable of the engine.'),
      )
      .max(32)
      .optional()
      .describe(
        "Environment variables of the engine (cloud credentials), read from Secrets in the operator's namespace.",
      ),
    exposedConfig: z
      .array(ExposedKeySchema)
      .max(32)
      .optional()
      .describe(
        'Configuration keys a StagingEnvironment may set in spec.infrastructure.config; any other key is refused.',
      ),
    runner: z
      .enum(RUNNERS)
      .default('Inline')
      .describe(
        "Inline: each operation runs in a child process of the operator (bounded memory, killed with it). Job: each operation runs in a Job of the operator's image in the operator's namespace (non-root, read-only root filesystem, 1Gi memory limit), which gets the request as a mounted Secret and may only patch its own result Secret; credentials and outputs never leave that namespace but for the outputs Secret in the target namespace. Needs a backend the pod reaches (not file://).",
      ),
    driftInterval: DurationSchema.default('1h').describe(
      'How often a refresh preview compares the stack with what exists; differences set the Drifted condition.',
    ),
    outputSecretName: z
      .string()
      .min(1)
      .max(253)
      .regex(NAME, 'must be a Secret name')
      .default('infrastructure')
      .describe("Name of the Secret holding the stack's outputs in each target namespace."),
  })
  .describe('A Pulumi stack per environment, created before and destroyed before the target namespace.');
export type PulumiInfrastructure = z.infer<typeof PulumiInfrastructureSchema>;

export const BaselineInfrastructureSchema = z
  .object({ pulumi: PulumiInfrastructureSchema.optional() })
  .describe('Infrastructure outside the cluster created for each environment.');
export type BaselineInfrastructure = z.infer<typeof BaselineInfrastructureSchema>;

export const EnvironmentInfrastructureSchema = z
  .object({
    config: z
      .record(z.string().regex(CONFIG_KEY, 'must be a configuration key'), z.string().max(256))
      .optional()
      .describe('Values of configuration keys the Baseline exposes (spec.infrastructure.pulumi.exposedConfig).'),
  })
  .describe("Choices about the environment's infrastructure, within the Baseline's.");
export type EnvironmentInfrastructure = z.infer<typeof EnvironmentInfrastructureSchema>;

export type InfrastructureProblem = { field: string; message: string };

/** Checks a Baseline's infrastructure beyond its schema. */
export function baselineInfrastructureProblem(
  infra: BaselineInfrastructure | undefined,
  databaseNames: readonly string[] = [],
): InfrastructureProblem | undefined {
  const pulumi = infra?.pulumi;
  if (!pulumi) return undefined;
  const base = 'spec.infrastructure.pulumi';
  if ((pulumi.program.builtIn === undefined) === (pulumi.program.image === undefined))
    return { field: `${base}.program`, message: 'set exactly one of builtIn or image' };
  if (pulumi.program.builtIn === 'postgres-database') {
    const server = pulumi.config?.server;
    if (server === undefined)
      return {
        field: `${base}.config.server`,
        message: 'postgres-database needs the name of a server registered in spec.data.databases',
      };
    if (!databaseNames.includes(server))
      return { field: `${base}.config.server`, message: `no database named ${server} in spec.data.databases` };
    if ((pulumi.exposedConfig ?? []).some((e) => e.key === 'server' || e.key === 'serverUrl'))
      return { field: `${base}.exposedConfig`, message: "the server is the admin's choice and cannot be exposed" };
    // A template is any database on the server, production's own included: a team may
    // only choose among the goldens the admin's pattern names.
    const template = (pulumi.exposedConfig ?? []).findIndex((e) => e.key === 'template' && e.pattern === undefined);
    if (template !== -1)
      return {
        field: `${base}.exposedConfig[${template}].pattern`,
        message:
          'exposing template needs a pattern naming the golden databases previews may clone (any database on the server could be cloned otherwise, production included)',
      };
  }
  if (pulumi.program.image !== undefined && pulumi.runner !== 'Job')
    return { field: `${base}.runner`, message: 'a container-image program runs only with runner Job' };
  // A Job's pod has no filesystem that outlives it: a file:// state would be lost with every run, and the stack with it.
  if (pulumi.runner === 'Job' && pulumi.backend.url.startsWith('file:'))
    return {
      field: `${base}.backend.url`,
      message:
        "runner Job needs a backend its pod reaches (s3://, gs://, azblob://, postgres://): a file:// path would be the pod's own, lost with it",
    };
  for (const [i, exposed] of (pulumi.exposedConfig ?? []).entries()) {
    if (exposed.pattern === undefined) continue;
    try {
      new RegExp(exposed.pattern);
    } catch (error) {
      return {
        field: `${base}.exposedConfig[${i}].pattern`,
        message: `not a regular expression: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  return undefined;
}

/**
 * An environment's configuration, judged against the Baseline: a key the
 * Baseline does not expose, or a value outside its pattern, is named.
 */
export function environmentInfrastructureProblem(
  env: EnvironmentInfrastructure | undefined,
  baseline: BaselineInfrastructure | undefined,
): InfrastructureProblem | undefined {
  const entries = Object.entries(env?.config ?? {});
  if (entries.length === 0) return undefined;
  const pulumi = baseline?.pulumi;
  if (!pulumi)
    return {
      field: 'spec.infrastructure',
      message: 'the Baseline defines no infrastructure (spec.infrastructure.pulumi)',
    };
  const exposed = new Map((pulumi.exposedConfig ?? []).map((e) => [e.key, e]));
  for (const [key, value] of entries) {
    const rule = exposed.get(key);
    const field = `spec.infrastructure.config.${key}`;
    if (!rule) {
      const allowed = [...exposed.keys()];
      return {
        field,
        message: `the Baseline does not expose this key${allowed.length ? ` (it exposes ${allowed.join(', ')})` : ' (it exposes none)'}`,
      };
    }
    if (rule.pattern !== undefined && !new RegExp(`^(?:${rule.pattern})$`).test(value))
      return { field, message: `must match ${rule.pattern}` };
  }
  return undefined;
}

export const INFRASTRUCTURE_CONDITIONS = {
  ready: 'Ready',
  reconciling: 'Reconciling',
  stalled: 'Stalled',
  drifted: 'Drifted',
} as const;
export const INFRASTRUCTURE_RESULTS = ['Succeeded', 'Failed'] as const;

export const InfrastructureStatusSchema = z
  .object({
    stack: z.string().optional().describe('The Pulumi stack of this environment (project/stack).'),
    lastOperation: z.enum(['up', 'destroy', 'drift']).optional().describe('The last operation run.'),
    lastResult: z.enum(INFRASTRUCTURE_RESULTS).optional().describe('Its result.'),
    lastDurationSeconds: z.number().min(0).optional().describe('How long it took.'),
    lastRunAt: z.string().optional().describe('When it ended (RFC 3339).'),
    observedConfig: z
      .string()
      .optional()
      .describe('Digest of the program and configuration last brought up; a different one runs up again.'),
    outputSecret: z.string().optional().describe('The Secret in the target namespace holding the outputs.'),
    outputs: z
      .array(z.string())
      .max(64)
      .optional()
      .describe("Names of the stack's outputs (keys of the Secret); never their values."),
    progress: z.string().max(1024).optional().describe("The engine's last progress line while an operation runs."),
    driftCheckedAt: z.string().optional().describe('When the last refresh preview ran (RFC 3339).'),
    conditions: ConditionsSchema.describe(
      "Ready, Reconciling, Stalled (with the engine's message) and Drifted, of the infrastructure alone.",
    ),
  })
  .describe("The environment's infrastructure stack, written by the infrastructure controller.");
export type InfrastructureStatus = z.infer<typeof InfrastructureStatusSchema>;
