import type { Dispatcher } from 'undici';
import type { LoadScenario } from '../api/load-scenario';
import { createClients, createPool } from './client';
import { runClosed } from './closed';
import { type CompiledRequest, type RenderedRequest, WeightedPicker, compileMix, renderRequest } from './mix';
import { type Arrival, runOpen } from './open';
import { type ScenarioPlan, planScenario } from './plan';
import { type ExecutionSegment, WHOLE, arrivalOffsets, checkSegment } from './schedule';
import { ScenarioStats, type WorkerResult, serializeScenario } from './stats';
import { type Random, type TemplateContext, seededRandom } from './template';

// One worker's run of a test: every scenario at once, each with its own
// keep-alive pool, against targets given as base URLs. Who resolves the URLs
// (the CLI from flags, the LoadTest controller from services of an
// environment) is the caller's business.

export interface LoadRunInput {
  scenarios: readonly LoadScenario[];
  /** Target name → base URL (origin, optionally with a path prefix). */
  targets: Readonly<Record<string, string>>;
  values?: Readonly<Record<string, readonly string[]>>;
  segment?: ExecutionSegment;
  seed?: number;
  signal?: AbortSignal;
  /** Called about once a second while the test runs. */
  onProgress?: (progress: Progress) => void;
  progressIntervalMs?: number;
  /** Told of every completed request, e.g. to export it as metrics (status undefined: no response). */
  observe?: Observer;
  /** Replaces a scenario's drawn mix with a fixed arrival list (replay); keyed by scenario name. */
  replays?: ReadonlyMap<string, readonly Arrival[]>;
}

export type Observer = (
  scenario: string,
  target: string,
  request: RenderedRequest,
  seconds: number,
  status: number | undefined,
  error: string | undefined,
) => void;

export interface ScenarioProgress {
  name: string;
  sent: number;
  completed: number;
  errors: number;
  dropped: number;
  p99Ms: number;
}

export interface Progress {
  elapsedMs: number;
  scenarios: ScenarioProgress[];
}

interface Target {
  origin: string;
  prefix: string;
}

function parseTarget(name: string, url: string): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`target ${name}: ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`target ${name}: only http and https URLs are supported`);
  return { origin: parsed.origin, prefix: parsed.pathname.replace(/\/+$/, '') };
}

export function targetOf(scenario: LoadScenario, targets: Readonly<Record<string, string>>, field: string): string {
  const names = Object.keys(targets);
  if (scenario.target !== undefined) {
    if (!(scenario.target in targets))
      throw new Error(`${field}.target: no target named ${scenario.target} (known: ${names.join(', ') || 'none'})`);
    return scenario.target;
  }
  if (names.length !== 1)
    throw new Error(`${field}.target: required when there are ${names.length} targets (${names.join(', ')})`);
  return names[0] as string;
}

interface Prepared {
  plan: ScenarioPlan;
  stats: ScenarioStats;
  /** Open models share a pool; closed models give each virtual user its own connection (a Client each). */
  dispatchers: Dispatcher[];
  next: () => RenderedRequest;
  replay: readonly Arrival[] | undefined;
  /** The target's path prefix, for replayed paths. */
  prefix: string;
}

function prepare(
  scenario: LoadScenario,
  index: number,
  input: LoadRunInput,
  random: Random,
  ctx: TemplateContext,
): Prepared {
  const segment = input.segment ?? WHOLE;
  const field = `scenarios[${index}]`;
  const plan = planScenario(scenario, segment);
  const target = parseTarget(
    scenario.target ?? 'default',
    input.targets[targetOf(scenario, input.targets, field)] as string,
  );
  const mix: CompiledRequest[] = compileMix(scenario.requests, Object.keys(input.values ?? {}), `${field}.requests`);
  const picker = new WeightedPicker(scenario.requests.map((r) => r.weight));
  // A request without placeholders is rendered once and shared: the hot path then allocates nothing for it.
  const fixed = mix.map((request) =>
    request.path.constant &&
    (request.body === undefined || request.body.constant) &&
    request.headers.every(([, v]) => v.constant)
      ? withPrefix(renderRequest(request, ctx), target.prefix)
      : undefined,
  );
  const single = mix.length === 1;
  const next = (): RenderedRequest => {
    const index = single ? 0 : picker.pick(random());
    return fixed[index] ?? withPrefix(renderRequest(mix[index] as CompiledRequest, ctx), target.prefix);
  };
  const requestedRate = plan.plan.model === 'open' ? plan.plan.requestedRate : undefined;
  const stats = new ScenarioStats(scenario.name, scenario.executor, plan.plan.model, requestedRate);
  const observe = input.observe;
  if (observe) {
    const targetName = scenario.target ?? Object.keys(input.targets)[0] ?? '';
    stats.onComplete = (request, micros, status, error) =>
      observe(scenario.name, targetName, request, micros / 1e6, status, error);
  }
  const poolOptions = { connections: plan.connections, timeoutMs: plan.timeoutMs };
  const dispatchers =
    plan.plan.model === 'open' ? [createPool(target.origin, poolOptions)] : createClients(target.origin, poolOptions);
  return { plan, stats, dispatchers, next, replay: input.replays?.get(scenario.name), prefix: target.prefix };
}

function withPrefix(request: RenderedRequest, prefix: string): RenderedRequest {
  if (prefix) request.path = prefix + request.path;
  return request;
}

function* drawnArrivals(prepared: Prepared, segment: ExecutionSegment): Generator<Arrival> {
  const plan = prepared.plan.plan;
  if (plan.model !== 'open') return;
  for (const offsetMs of arrivalOffsets(plan.startRate, plan.stages, segment)) {
    prepared.stats.planned++;
    yield { offsetMs, request: prepared.next() };
  }
}

function* replayedArrivals(
  prepared: Prepared,
  arrivals: readonly Arrival[],
  segment: ExecutionSegment,
): Generator<Arrival> {
  for (let k = segment.index; k < arrivals.length; k += segment.count) {
    prepared.stats.planned++;
    const arrival = arrivals[k] as Arrival;
    yield prepared.prefix
      ? { offsetMs: arrival.offsetMs, request: { ...arrival.request, path: prepared.prefix + arrival.request.path } }
      : arrival;
  }
}

async function runPrepared(prepared: Prepared, input: LoadRunInput, startAt: number): Promise<void> {
  const segment = input.segment ?? WHOLE;
  const { plan, stats, dispatchers } = prepared;
  const common = {
    retry: plan.retry,
    stats,
    durationMs: plan.durationMs,
    startAt: startAt + plan.startDelayMs,
    ...(input.signal ? { signal: input.signal } : {}),
  };
  if (plan.plan.model === 'open') {
    const arrivals = prepared.replay
      ? replayedArrivals(prepared, prepared.replay, segment)
      : drawnArrivals(prepared, segment);
    await runOpen({
      ...common,
      dispatcher: dispatchers[0] as Dispatcher,
      arrivals,
      maxInFlight: plan.plan.maxInFlight,
    });
  } else {
    await runClosed({
      ...common,
      dispatcherFor: (user) => dispatchers[user % dispatchers.length] as Dispatcher,
      next: prepared.next,
      startVUs: plan.plan.startVUs,
      stages: plan.plan.stages,
      thinkTimeMs: plan.plan.thinkTimeMs,
      segment,
    });
  }
}

function progressOf(prepared: readonly Prepared[], elapsedMs: number): Progress {
  return {
    elapsedMs,
    scenarios: prepared.map(({ stats }) => {
      let completed = 0;
      let errors = 0;
      let p99 = 0;
      for (const route of stats.routes.values()) {
        completed += route.requests;
        errors += Object.values(route.errors).reduce((a, b) => a + (b ?? 0), 0);
        p99 = Math.max(p99, route.latency.getValueAtPercentile(99));
      }
      return { name: stats.name, sent: stats.sent, completed, errors, dropped: stats.dropped, p99Ms: p99 / 1000 };
    }),
  };
}

/** Runs this worker's share of every scenario; the result serializes and merges with other workers'. */
export async function runLoad(input: LoadRunInput): Promise<WorkerResult> {
  const segment = input.segment ?? WHOLE;
  checkSegment(segment);
  // Each worker draws its own stream, so N workers do not send N copies of the same requests.
  const random = seededRandom((input.seed ?? Date.now()) + segment.index * 7919);
  let sequence = segment.index;
  const ctx: TemplateContext = {
    random,
    values: input.values ?? {},
    sequence: () => ((sequence += segment.count), sequence - segment.count),
  };
  const prepared = input.scenarios.map((s, i) => prepare(s, i, input, random, ctx));
  const startedAt = new Date();
  // A short lead so the first iterations are not already late while the pools connect.
  const startAt = performance.now() + 20;
  const ticker = input.onProgress
    ? setInterval(
        () => input.onProgress?.(progressOf(prepared, performance.now() - startAt)),
        input.progressIntervalMs ?? 1000,
      )
    : undefined;
  try {
    await Promise.all(prepared.map((p) => runPrepared(p, input, startAt)));
  } finally {
    if (ticker) clearInterval(ticker);
    await Promise.all(prepared.flatMap((p) => p.dispatchers.map((d) => d.close().catch(() => undefined))));
  }
  input.onProgress?.(progressOf(prepared, performance.now() - startAt));
  return {
    worker: segment,
    startedAt: startedAt.toISOString(),
    scenarios: prepared.map((p) => serializeScenario(p.stats)),
  };
}
