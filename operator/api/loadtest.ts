import { z } from 'zod';
import { ConditionsSchema, DurationSchema, GROUP, RatioSchema, VERSION, specFieldPath } from './common';
import type { KindDefinition } from './kind';
import { parseDuration } from './values/duration';
import { LoadScenarioSchema, LoadThresholdSchema, LoadValuesSchema } from './load-scenario';

// LoadTest: production-shaped traffic against a preview's own services,
// measured without coordinated omission, judged by per-route thresholds.
// Targets are Services of the environment's namespace by name and port —
// never a URL — and rate, duration and workers are bounded by the Baseline.

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const LoadTargetSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(NAME, 'must be a lowercase name')
      .describe('Name scenarios use for this target (scenarios[].target).'),
    service: z
      .string()
      .min(1)
      .max(63)
      .regex(NAME, 'must be a Service name')
      .describe(
        "A Service of the environment's namespace; ExternalName Services (such as shared services pointing at production) are refused.",
      ),
    port: z
      .union([
        z.number().int().min(1).max(65535),
        z
          .string()
          .min(1)
          .max(15)
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a port name'),
      ])
      .meta({ 'x-kubernetes-int-or-string': true })
      .describe("One of the Service's ports, by number or name."),
    scheme: z.enum(['http', 'https']).default('http').describe('http or https.'),
  })
  .describe('A Service of the environment to send to.');
export type LoadTarget = z.infer<typeof LoadTargetSchema>;

const MAX_PROFILE_WINDOW_MS = 90 * 24 * 3600 * 1000;

export const ProfileSchema = z
  .object({
    window: DurationSchema.refine(
      // Every sample of the window is read from the Baseline's (production's) Prometheus: a year would be a query
      // that heavy on the admin's server, from any user's spec.
      (text) => {
        const parsed = parseDuration(text);
        return parsed.ok && parsed.milliseconds <= MAX_PROFILE_WINDOW_MS;
      },
      'must be at most 90d',
    )
      .default('7d')
      .describe("How far back production's request rates are read, at most 90d."),
    target: z
      .string()
      .min(1)
      .max(63)
      .regex(NAME, 'must be a target name')
      .optional()
      .describe("Target the profile's requests go to; may be left out with one target."),
    routeLabel: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name')
      .default('route')
      .describe("Label of production's request counter that names the route (for example route, handler, path)."),
    methodLabel: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name')
      .default('method')
      .describe('Label holding the HTTP method.'),
    counter: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a metric name')
      .default('http_requests_total')
      .describe("Production's request counter."),
    service: z
      .string()
      .min(1)
      .max(63)
      .regex(NAME, 'must be a service name')
      .optional()
      .describe("Only this production service's requests (pods named <service>-...)."),
    duration: DurationSchema.default('10m').describe(
      "How long the profiled test runs: the busiest hour's shape compressed into it.",
    ),
    stages: z.number().int().min(1).max(60).default(12).describe('How many stages the busiest hour becomes.'),
    paths: z
      .record(z.string().max(128), z.string().max(2048).regex(/^\//, 'must start with /'))
      .optional()
      .describe(
        'Path template per route label value, where the label is not itself a path (for example {"getItem": "/items/{{int 1 1000}}"}).',
      ),
  })
  .describe(
    "Production-shaped load from the Baseline's Prometheus: per-route request rates over the window (average, peak, the burst shape of the busiest hour), each route's share and the concurrency, scaled by the environment's spec.scale.replicas, turned into ramping-arrival-rate stages.",
  );
export type Profile = z.infer<typeof ProfileSchema>;

export const ReplaySchema = z
  .object({
    configMapRef: z
      .object({
        name: z.string().min(1).max(253).describe("ConfigMap in the LoadTest's namespace."),
        key: z.string().min(1).max(253).describe('Key holding the access log.'),
      })
      .describe('Access log to replay.'),
    format: z
      .enum(['auto', 'nginx-json', 'envoy-json'])
      .default('auto')
      .describe(
        'Log format: JSON lines as nginx (log_format escape=json) or Envoy (json_format) write them; auto reads either.',
      ),
    speedup: RatioSchema.default('1').describe('How much faster than recorded: "2" halves every gap between requests.'),
    target: z
      .string()
      .min(1)
      .max(63)
      .regex(NAME, 'must be a target name')
      .optional()
      .describe('Target the replayed requests go to; may be left out with one target.'),
  })
  .describe('Replays recorded requests (method, path, timing) with their original inter-arrival times.');

export const ValuesFromSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier')
      .describe('Name {{value NAME}} uses.'),
    query: z
      .string()
      .min(1)
      .max(4096)
      .describe(
        'SQL run in a read-only transaction (5 s statement timeout); the first column of at most 10 000 rows, as text, becomes the list.',
      ),
    connectionSecretRef: z
      .object({
        name: z.string().min(1).max(253).describe("Secret in the LoadTest's namespace."),
        key: z.string().min(1).max(253).describe('Key holding a PostgreSQL connection URL.'),
      })
      .describe('The seeded database, as a Secret of this namespace (naming it is like mounting it in a Pod).'),
  })
  .describe("Values drawn from the environment's seeded database, so requests hit rows that exist.");

export const LOAD_RUNNERS = ['Job', 'Inline'] as const;

/** Names of the scenarios spec.profile and spec.replay add to the test. */
export const PROFILE_SCENARIO = 'production-profile';
export const REPLAY_SCENARIO = 'replay';

export const LoadTestSpecSchema = z
  .object({
    baselineRef: z
      .object({
        name: z
          .string()
          .min(1)
          .max(253)
          .regex(NAME_PATTERN, 'must be a Baseline name')
          .describe('Name of a Baseline that allows this namespace.'),
      })
      .describe('The admin-owned Baseline whose limits bound the test and whose Prometheus shapes profiles.'),
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
        "The StagingEnvironment whose copy is tested (its target namespace holds the targets); absent: this namespace, which must be an environment's target namespace or one the Baseline allows.",
      ),
    targets: z
      .array(LoadTargetSchema)
      .min(1)
      .max(16)
      .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] })
      .describe('Services requests go to.'),
    values: LoadValuesSchema.optional(),
    valuesFrom: z
      .array(ValuesFromSchema)
      .max(16)
      .optional()
      .describe('Named lists read from a database when the test starts; a name here replaces the same name in values.'),
    scenarios: z
      .array(LoadScenarioSchema)
      .max(16)
      .optional()
      .describe('Scenarios run at the same time; optional with profile or replay.'),
    profile: ProfileSchema.optional(),
    replay: ReplaySchema.optional(),
    thresholds: z
      .array(LoadThresholdSchema)
      .max(64)
      .optional()
      .describe('Per-route limits that make the Passed condition.'),
    runner: z
      .enum(LOAD_RUNNERS)
      .default('Job')
      .describe(
        "Job: an Indexed Job of the operator's image with spec.parallelism workers, each taking its share of every rate. Inline: inside the operator (local use and tests).",
      ),
    parallelism: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(1)
      .describe('Workers; each sends 1/parallelism of every rate and their histograms are merged.'),
    environmentRevision: z
      .string()
      .max(128)
      .optional()
      .describe(
        'What the tested copy runs, as a digest. A StagingEnvironment sets it on the LoadTests of its loadTests templates, so a new copy (an image override of a new commit, a new scale) changes the spec and runs the test again; CI may set it by hand (a commit SHA) on a LoadTest of its own.',
      ),
  })
  .superRefine((spec, ctx) => {
    if (!spec.scenarios?.length && !spec.profile && !spec.replay)
      ctx.addIssue({ code: 'custom', path: ['scenarios'], message: 'give scenarios, a profile or a replay' });
    const targets = new Set(spec.targets.map((t) => t.name));
    const check = (target: string | undefined, path: PropertyKey[]): void => {
      if (target === undefined ? targets.size !== 1 : !targets.has(target))
        ctx.addIssue({
          code: 'custom',
          path,
          message: target === undefined ? 'required with more than one target' : `no target named ${target}`,
        });
    };
    spec.scenarios?.forEach((s, i) => check(s.target, ['scenarios', i, 'target']));
    // Results merge by scenario name and a replay's arrivals go to the scenario of its name: a second scenario of one
    // name would be reported as one (or send the replay twice, past the Baseline's rate), so names are unique.
    const reserved = new Map<string, string>([
      ...(spec.profile ? [[PROFILE_SCENARIO, 'spec.profile'] as const] : []),
      ...(spec.replay ? [[REPLAY_SCENARIO, 'spec.replay'] as const] : []),
    ]);
    const names = spec.scenarios?.map((s) => s.name) ?? [];
    names.forEach((name, i) => {
      const by = reserved.get(name);
      if (by !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['scenarios', i, 'name'],
          message: `${name} is the name of the scenario ${by} makes; choose another`,
        });
      else if (names.indexOf(name) !== i)
        ctx.addIssue({ code: 'custom', path: ['scenarios', i, 'name'], message: `scenario ${name} appears twice` });
    });
    if (spec.profile) check(spec.profile.target, ['profile', 'target']);
    if (spec.replay) check(spec.replay.target, ['replay', 'target']);
    if (spec.runner === 'Inline' && spec.parallelism > 1)
      ctx.addIssue({
        code: 'custom',
        path: ['parallelism'],
        message: 'runner Inline runs one worker; use runner Job for parallelism',
      });
  })
  .describe("A load test of an environment's services.");
export type LoadTestSpec = z.infer<typeof LoadTestSpecSchema>;
export type LoadTestSpecInput = z.input<typeof LoadTestSpecSchema>;

const RouteResultSchema = z.object({
  scenario: z.string().describe('Scenario.'),
  route: z.string().describe('Route.'),
  requests: z.number().int().min(0).describe('Requests completed.'),
  p50Ms: z.number().describe('Median latency, milliseconds, from the intended send time.'),
  p95Ms: z.number().describe('95th percentile, milliseconds.'),
  p99Ms: z.number().describe('99th percentile, milliseconds.'),
  maxMs: z.number().describe('Largest latency, milliseconds.'),
  errorRate: z.number().describe('Share of requests that failed (connect, timeout, reset, 4xx, 5xx).'),
});

const ScenarioResultSchema = z.object({
  name: z.string().describe('Scenario.'),
  executor: z.string().describe('Executor.'),
  workers: z.number().int().min(0).describe('Workers whose results were merged.'),
  requestedRate: z.number().optional().describe('Requests per second the plan asked for (open models).'),
  achievedRate: z.number().describe('Requests per second sent.'),
  sent: z.number().int().min(0).describe('Requests sent.'),
  dropped: z.number().int().min(0).describe('Iterations dropped because maxInFlight requests were outstanding.'),
});

export const LOAD_TEST_CONDITIONS = {
  ready: 'Ready',
  passed: 'Passed',
  stalled: 'Stalled',
  reconciling: 'Reconciling',
} as const;

export const LoadTestStatusSchema = z
  .object({
    phase: z.enum(['Pending', 'Running', 'Passed', 'Failed', 'Stalled']).optional().describe('Where the test is.'),
    observedGeneration: z.number().int().min(0).optional().describe('The generation the status describes.'),
    startedAt: z.string().optional().describe('When the run of this generation started.'),
    completedAt: z.string().optional().describe('When it finished.'),
    targets: z
      .array(z.object({ name: z.string(), url: z.string() }))
      .max(16)
      .optional()
      .describe('Where each target resolved.'),
    scenarios: z.array(ScenarioResultSchema).max(16).optional().describe('Per-scenario totals.'),
    routes: z
      .array(RouteResultSchema)
      .max(20)
      .optional()
      .describe('Per-route results, worst p99 first; at most 20 (the full report is in the report ConfigMap).'),
    violations: z
      .array(z.string().max(512))
      .max(20)
      .optional()
      .describe('Thresholds exceeded, naming route and figure.'),
    profile: z
      .object({
        averageRate: z.number().describe("Production's average requests/s over the window."),
        peakRate: z.number().describe("Production's highest requests/s."),
        busiestHourStart: z.string().describe("Start of production's busiest hour (RFC 3339)."),
        busiestHourRate: z.number().describe("Production's average requests/s in that hour."),
        concurrency: z
          .number()
          .optional()
          .describe('Requests in flight at the peak (rate × mean latency), when production exports its latency.'),
        scale: z
          .number()
          .describe("The ratio production's rates were scaled by (the environment's spec.scale.replicas)."),
      })
      .optional()
      .describe('What spec.profile read from production.'),
    report: z
      .object({ namespace: z.string(), name: z.string(), key: z.string() })
      .optional()
      .describe('ConfigMap holding the full report.'),
    conditions: ConditionsSchema,
  })
  .describe(
    "The last run's results and conditions: Ready (the run finished), Passed (thresholds held), Stalled (why it cannot run).",
  );
export type LoadTestStatus = z.infer<typeof LoadTestStatusSchema>;

export const LoadTestKind: KindDefinition<typeof LoadTestSpecSchema, typeof LoadTestStatusSchema> = {
  group: GROUP,
  version: VERSION,
  kind: 'LoadTest',
  plural: 'loadtests',
  singular: 'loadtest',
  shortNames: ['lt'],
  categories: ['understudy'],
  description:
    "LoadTest sends production-shaped traffic to a preview's own Services and measures it without coordinated omission: open models schedule requests by intended send time and count latency from it. Per-route thresholds make the Passed condition; rate, duration and workers are bounded by the Baseline.",
  spec: LoadTestSpecSchema,
  status: LoadTestStatusSchema,
  printerColumns: [
    { name: 'Phase', type: 'string', jsonPath: '.status.phase', description: 'Where the test is.' },
    {
      name: 'Passed',
      type: 'string',
      jsonPath: '.status.conditions[?(@.type=="Passed")].status',
      description: 'Whether the thresholds held.',
    },
    { name: 'Reason', type: 'string', jsonPath: '.status.conditions[?(@.type=="Passed")].reason', priority: 1 },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
};

export type LoadTestParse = { ok: true; spec: LoadTestSpec } | { ok: false; field: string; message: string };

export function parseLoadTestSpec(raw: unknown): LoadTestParse {
  const parsed = LoadTestSpecSchema.safeParse(raw);
  if (parsed.success) return { ok: true, spec: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, field: specFieldPath(issue?.path ?? []), message: issue?.message ?? 'invalid' };
}
