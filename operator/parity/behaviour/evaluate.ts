import type { PrometheusQuery } from '../../api/paritycheck';
import { parseDuration } from '../../api/values/duration';
import type { NamespaceMapping } from '../config/namespaces';
import type { Difference, Inconclusive } from '../finding';
import { compareSeries, type QuerySettings } from './compare';
import type { MetricsSource, Series } from './prometheus';
import { median } from './statistics';

/** One side's median of one query (per service) over its range: what the behaviour gauges export. */
export interface BehaviourObservation {
  query: string;
  /** "" for a query without {{service}}. */
  service: string;
  side: 'staging' | 'production';
  value: number;
}

export interface BehaviourInput {
  queries: PrometheusQuery[];
  defaultTolerance: number;
  noiseFloor: boolean;
  mapping: NamespaceMapping;
  /** Services for {{service}} when a query does not list its own. */
  services: string[];
  now: Date;
  /** Told each side's median per query and service, whether or not they differ (understudy_parity_behaviour_value). */
  observe?: (observation: BehaviourObservation) => void;
}

/** The median of every finite sample of every series: one number per side, or undefined without data. */
function sideMedian(series: readonly Series[]): number | undefined {
  const values = series.flatMap((s) => s.values.filter(Number.isFinite));
  return values.length > 0 ? median(values) : undefined;
}

/** Queries in flight at once (two per service, one per side): enough for 50 services in well under a second, gentle on Prometheus. */
export const QUERY_CONCURRENCY = 8;

/** Maps with at most `limit` calls in flight, keeping the order of the input. */
export async function mapLimited<T, R>(items: T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await run(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function renderQuery(template: string, namespace: string, service?: string): string {
  let query = template.replaceAll('{{namespace}}', namespace);
  if (service !== undefined) query = query.replaceAll('{{service}}', service);
  return query;
}

/**
 * Why one side's answer holds the other side's series, or undefined: a
 * matcher such as namespace=~"{{namespace}}.*" run for production also
 * selects staging's series, and staging compared with itself always agrees.
 */
export function crossedSides(
  staging: readonly Series[],
  production: readonly Series[],
  mapping: NamespaceMapping,
): string | undefined {
  for (const [side, series, other] of [
    ['production', production, mapping.staging],
    ['staging', staging, mapping.production],
  ] as const) {
    if (series.some((s) => s.labels.namespace === other))
      return `the ${side} query returned series of namespace ${other}, the other side's: each side must select only its own namespace (namespace="{{namespace}}", not a regular expression that also matches ${other})`;
  }
  return undefined;
}

function seconds(duration: string, field: string): number {
  const parsed = parseDuration(duration);
  if (!parsed.ok) throw new Error(`${field}: ${parsed.message}`);
  return parsed.milliseconds / 1000;
}

/** Runs every query for both namespaces (per service where templated) and compares the results. */
export async function evaluateBehaviour(
  source: MetricsSource,
  input: BehaviourInput,
): Promise<{ differences: Difference[]; inconclusive: Inconclusive[]; compared: number }> {
  const differences: Difference[] = [];
  const inconclusive: Inconclusive[] = [];
  let compared = 0;
  // One Prometheus answers for both sides, told apart only by {{namespace}}: with one name, both queries read the same series.
  if (input.mapping.staging === input.mapping.production)
    throw new Error(
      `spec.categories.behaviour: staging and production are both namespace ${input.mapping.staging}, so every query would read the same series for both sides and always agree; behaviour can only be compared between namespaces with different names`,
    );
  const end = Math.floor(input.now.getTime() / 1000);
  for (const [index, query] of input.queries.entries()) {
    const range = seconds(query.range, `spec.categories.behaviour.queries[${index}].range`);
    const step = query.step
      ? seconds(query.step, `spec.categories.behaviour.queries[${index}].step`)
      : Math.max(1, Math.floor(range / 60));
    const settings: QuerySettings = {
      name: query.name,
      tolerance: query.tolerance !== undefined ? Number(query.tolerance) : input.defaultTolerance,
      direction: query.direction,
      comparison: query.comparison,
      minSamples: query.minSamples,
      severity: query.severity,
      noiseFloor: input.noiseFloor,
    };
    const templated = query.query.includes('{{service}}');
    const services: Array<string | undefined> = templated ? (query.services ?? input.services) : [undefined];
    if (templated && services.length === 0) {
      inconclusive.push({
        category: 'behaviour',
        resource: `Query/${query.name}`,
        path: 'median',
        reason: `${query.name}: no services to substitute for {{service}}`,
      });
      continue;
    }
    const results = await mapLimited(services, QUERY_CONCURRENCY, async (service) => {
      const resource = service === undefined ? `Query/${query.name}` : `Query/${query.name}/${service}`;
      const [staging, production] = await Promise.all([
        source.queryRange(renderQuery(query.query, input.mapping.staging, service), end - range, end, step),
        source.queryRange(renderQuery(query.query, input.mapping.production, service), end - range, end, step),
      ]);
      if (input.observe) {
        for (const [side, series] of [
          ['staging', staging],
          ['production', production],
        ] as const) {
          const value = sideMedian(series);
          if (value !== undefined) input.observe({ query: query.name, service: service ?? '', side, value });
        }
      }
      const crossed = crossedSides(staging, production, input.mapping);
      if (crossed !== undefined)
        return {
          differences: [],
          inconclusive: [
            { category: 'behaviour' as const, resource, path: 'median', reason: `${query.name}: ${crossed}` },
          ],
        };
      return compareSeries(settings, resource, staging, production);
    });
    compared += results.length;
    for (const result of results) {
      differences.push(...result.differences);
      inconclusive.push(...result.inconclusive);
    }
  }
  return { differences, inconclusive, compared };
}
