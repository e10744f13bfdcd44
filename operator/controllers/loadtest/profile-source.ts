import { type LoadScenario, LoadScenarioSchema } from '../../api/load-scenario';
import type { Profile } from '../../api/loadtest';
import type { MetricsSource } from '../../parity/behaviour/prometheus';
import { ms } from '../../load/plan';
import { type ProductionProfile, ProfileError, buildProfile, profileToScenario } from '../../load/profile';
import type { ReconcileContext } from '../../runtime/reconciler';
import { baselinePrometheus } from '../paritycheck/production';
import type { PlanProblem } from './problem';
import type { Resolution } from './resolve';

// spec.profile: production's per-route request rates over the window, read
// from the Baseline's Prometheus (never a Prometheus the spec names), turned
// into a scenario at the environment's scale.

/** Prometheus answers at most 11 000 points per series. */
const MAX_POINTS = 10_000;

export function productionSelector(namespace: string, service: string | undefined): string {
  return `namespace="${namespace}"${service ? `, pod=~"${service}-.*"` : ''}`;
}

/** The environment's spec.scale.replicas, the ratio production's rates are scaled by (1 without an environment). */
export function scaleOf(resolution: Pick<Resolution, 'environment'>): number {
  const ratio = Number(
    (resolution.environment?.spec as { scale?: { replicas?: string } } | undefined)?.scale?.replicas ?? '1',
  );
  return Number.isFinite(ratio) && ratio > 0 ? ratio : 1;
}

export async function readProfile(
  metrics: MetricsSource,
  profile: Profile,
  productionNamespace: string,
  scale: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<ProductionProfile> {
  const windowSeconds = ms(profile.window) / 1000;
  const step = Math.max(60, Math.ceil(windowSeconds / MAX_POINTS));
  const start = nowSeconds - windowSeconds;
  const selector = productionSelector(productionNamespace, profile.service);
  const rates = await metrics.queryRange(
    `sum by (${profile.routeLabel}, ${profile.methodLabel}) (rate(${profile.counter}{${selector}}[5m]))`,
    start,
    nowSeconds,
    step,
  );
  const latency = await metrics.queryRange(
    `sum(rate(http_request_duration_seconds_sum{${selector}}[5m])) / sum(rate(http_request_duration_seconds_count{${selector}}[5m]))`,
    start,
    nowSeconds,
    step,
  );
  const latencies = (latency[0]?.values ?? []).filter(Number.isFinite);
  return buildProfile({
    routes: rates.map((s) => ({
      route: s.labels[profile.routeLabel] ?? '',
      method: s.labels[profile.methodLabel] ?? 'GET',
      values: s.values,
    })),
    stepSeconds: step,
    startSeconds: start,
    scale,
    durationMs: ms(profile.duration),
    stages: profile.stages,
    ...(latencies.length ? { meanLatencySeconds: latencies.reduce((a, b) => a + b, 0) / latencies.length } : {}),
  });
}

export async function profileScenario(
  ctx: ReconcileContext,
  profile: Profile,
  resolution: Resolution,
): Promise<{ ok: true; scenario: LoadScenario; profile: ProductionProfile } | { ok: false; problem: PlanProblem }> {
  const baseline = resolution.baseline;
  const production = baseline.spec.source.namespace;
  if (!baseline.spec.data?.prometheus)
    return {
      ok: false,
      problem: {
        reason: 'ProfileUnavailable',
        message: `spec.profile: Baseline ${baseline.name} names no Prometheus (spec.data.prometheus); ask its admin`,
      },
    };
  if (!production)
    return {
      ok: false,
      problem: {
        reason: 'ProfileUnavailable',
        message: `spec.profile: Baseline ${baseline.name} has no production namespace`,
      },
    };
  try {
    const metrics = await baselinePrometheus(ctx, baseline, 30_000);
    const built = await readProfile(metrics, profile, production, scaleOf(resolution));
    const scenario = LoadScenarioSchema.parse(
      profileToScenario(built, {
        ...(profile.target ? { target: profile.target } : {}),
        ...(profile.paths ? { paths: profile.paths } : {}),
      }),
    );
    return { ok: true, scenario, profile: built };
  } catch (err) {
    const message = err instanceof Error ? err.message.replace(/^spec\.categories\.behaviour: /, '') : String(err);
    return {
      ok: false,
      problem: {
        reason: 'ProfileUnavailable',
        message: `spec.profile: ${err instanceof ProfileError ? message : `reading production's rates: ${message}`}`,
      },
    };
  }
}
