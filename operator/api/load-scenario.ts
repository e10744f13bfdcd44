import { z } from 'zod';
import { DurationSchema, RatioSchema } from './common';

// What a load test sends and how: the request mix, the executors (k6's
// vocabulary, so users recognise it) and the per-route thresholds. Shared by
// `understudy load` scenario files and the LoadTest kind, so both are checked
// by the same schemas and `kubectl explain loadtest.spec.scenarios` shows these
// descriptions.

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const ROUTE_NAME = /^[A-Za-z0-9][-A-Za-z0-9_.:/ {}]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const LoadRequestSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(128)
      .regex(ROUTE_NAME, 'must be a route name such as "GET /items/{id}"')
      .optional()
      .describe('Route name used in results and thresholds; defaults to "METHOD path" with the template left in.'),
    method: z.enum(HTTP_METHODS).default('GET').describe('HTTP method.'),
    path: z
      .string()
      .min(1)
      .max(2048)
      .regex(/^\//, 'must start with /')
      .describe(
        'Path and query, a template: {{int 1 100}}, {{pick a b c}}, {{value NAME}} (from spec.values), {{seq}}, {{uuid}}. Values are URL-encoded.',
      ),
    headers: z
      .record(z.string().min(1).max(256).regex(HEADER_NAME, 'must be an HTTP header name'), z.string().max(8192))
      .optional()
      .describe('Request headers; values are templates.'),
    body: z.string().max(65536).optional().describe('Request body, a template (inserted verbatim).'),
    weight: z.number().int().min(1).max(1_000_000).default(1).describe('Relative share of this request in the mix.'),
  })
  .describe('One kind of request in the mix.');
export type LoadRequest = z.infer<typeof LoadRequestSchema>;

export const RateStageSchema = z
  .object({
    duration: DurationSchema.describe('How long the stage lasts.'),
    target: z
      .number()
      .min(0)
      .max(1_000_000)
      .describe(
        "Where the stage ends: iterations per second for ramping-arrival-rate, virtual users for ramping-vus. The value moves linearly from the previous stage's target.",
      ),
  })
  .describe('A stage of a ramping executor.');
export type RateStage = z.infer<typeof RateStageSchema>;

export const EXECUTORS = ['constant-arrival-rate', 'ramping-arrival-rate', 'constant-vus', 'ramping-vus'] as const;
export type ExecutorName = (typeof EXECUTORS)[number];
export const OPEN_EXECUTORS: readonly ExecutorName[] = ['constant-arrival-rate', 'ramping-arrival-rate'];

export const RETRY_ON = ['connect', 'timeout', 'reset', '5xx', '429'] as const;

export const RetrySchema = z
  .object({
    max: z.number().int().min(0).max(5).default(0).describe('Retries after the first attempt.'),
    on: z
      .array(z.enum(RETRY_ON))
      .max(RETRY_ON.length)
      .default(['connect', 'reset'])
      .describe('Outcomes retried: connect, timeout, reset, 5xx, 429.'),
    backoff: DurationSchema.default('50ms').describe('Wait before the first retry, doubled for each next one.'),
  })
  .describe("Retries as production's clients make them. Latency covers all attempts.");

export const LoadScenarioSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase name such as browse')
      .describe('Name of the scenario.'),
    target: z
      .string()
      .min(1)
      .max(63)
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a target name')
      .optional()
      .describe('Name of the target the scenario sends to; may be left out when there is only one.'),
    executor: z
      .enum(EXECUTORS)
      .describe(
        'constant-arrival-rate and ramping-arrival-rate are open models (requests start on schedule whatever the server does; latency counts from the intended start, so stalls are not hidden); constant-vus and ramping-vus are closed models (virtual users send, wait for the answer, think, repeat).',
      ),
    rate: z
      .number()
      .positive()
      .max(1_000_000)
      .optional()
      .describe('constant-arrival-rate: iterations (requests) per second.'),
    startRate: z
      .number()
      .min(0)
      .max(1_000_000)
      .optional()
      .describe('ramping-arrival-rate: iterations per second at the start.'),
    vus: z.number().int().min(1).max(10_000).optional().describe('constant-vus: virtual users.'),
    startVUs: z.number().int().min(0).max(10_000).optional().describe('ramping-vus: virtual users at the start.'),
    duration: DurationSchema.optional().describe('constant-arrival-rate and constant-vus: how long the scenario runs.'),
    stages: z.array(RateStageSchema).min(1).max(200).optional().describe('ramping executors: the stages, in order.'),
    startTime: DurationSchema.optional().describe(
      'Delay before the scenario starts, counted from the start of the test.',
    ),
    maxInFlight: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(1000)
      .describe(
        'Open models: requests in flight at most; an iteration due while this many are outstanding is dropped and counted.',
      ),
    connections: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe(
        'Keep-alive connections per target; defaults to the virtual users for closed models and 64 for open ones.',
      ),
    thinkTime: DurationSchema.optional().describe('Closed models: pause of a virtual user between iterations.'),
    timeout: DurationSchema.default('10s').describe('A request not answered within this is a timeout error.'),
    retries: RetrySchema.optional(),
    requests: z
      .array(LoadRequestSchema)
      .min(1)
      .max(64)
      .describe('The request mix; each iteration sends one request drawn by weight.'),
  })
  .superRefine((scenario, ctx) => {
    const need = (field: keyof typeof scenario): void => {
      if (scenario[field] === undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `required by executor ${scenario.executor}` });
    };
    const forbid = (field: keyof typeof scenario): void => {
      if (scenario[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: `not used by executor ${scenario.executor}` });
    };
    switch (scenario.executor) {
      case 'constant-arrival-rate':
        need('rate');
        need('duration');
        forbid('stages');
        forbid('vus');
        forbid('thinkTime');
        break;
      case 'ramping-arrival-rate':
        need('stages');
        forbid('rate');
        forbid('duration');
        forbid('vus');
        forbid('thinkTime');
        break;
      case 'constant-vus':
        need('vus');
        need('duration');
        forbid('stages');
        forbid('rate');
        break;
      case 'ramping-vus':
        need('stages');
        forbid('vus');
        forbid('rate');
        forbid('duration');
        break;
    }
    const names = scenario.requests.map((r) => r.name ?? `${r.method} ${r.path}`);
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: 'custom',
          path: ['requests', i, 'name'],
          message: `route "${name}" appears twice in the mix; give one a name`,
        });
    });
  })
  .describe('One scenario: an executor and the request mix it draws from. Scenarios run at the same time.');
export type LoadScenario = z.infer<typeof LoadScenarioSchema>;
export type LoadScenarioInput = z.input<typeof LoadScenarioSchema>;

export const LoadThresholdSchema = z
  .object({
    route: z
      .string()
      .min(1)
      .max(128)
      .default('*')
      .describe('Route name, or * for every route (each judged on its own).'),
    p95: DurationSchema.optional().describe('Highest acceptable 95th-percentile latency.'),
    p99: DurationSchema.optional().describe('Highest acceptable 99th-percentile latency.'),
    errorRate: RatioSchema.optional().describe('Highest acceptable share of failed requests, for example "0.01".'),
  })
  .describe('Limits per route; any one exceeded makes the test fail (Passed False, exit code 1).');
export type LoadThreshold = z.infer<typeof LoadThresholdSchema>;

/** Values the {{value NAME}} template draws from: lists, so requests hit rows that exist. */
export const LoadValuesSchema = z
  .record(
    z
      .string()
      .min(1)
      .max(63)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier'),
    z.array(z.string().max(1024)).min(1).max(10_000),
  )
  .describe('Named lists of values that {{value NAME}} draws from, for example ids that exist in the seeded database.');
