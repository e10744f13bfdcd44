import type { Difference, Inconclusive } from '../finding';
import type { Series } from './prometheus';
import { mannWhitneyU, median, relativeDeviation } from './statistics';

export interface QuerySettings {
  name: string;
  tolerance: number;
  direction: 'Both' | 'HigherIsWorse' | 'LowerIsWorse';
  /** Relative (default): tolerance and noise are fractions of production's median. Absolute: differences in the query's unit. */
  comparison?: 'Relative' | 'Absolute';
  minSamples: number;
  severity: 'warning' | 'critical';
  noiseFloor: boolean;
}

/** Kayenta's rule of thumb: below about 50 points per side a rank test says little. */
export const MIN_POINTS_FOR_RANK_TEST = 50;
export const SIGNIFICANCE = 0.05;
/** Production's own relative noise from which it no longer excuses a deviation: its two halves' medians are 100% apart. */
export const MAX_RELATIVE_NOISE = 1;

export interface SeriesComparison {
  differences: Difference[];
  inconclusive: Inconclusive[];
}

function labelKey(labels: Record<string, string>): string {
  const entries = Object.entries(labels)
    .filter(([k]) => k !== 'namespace' && k !== '__name__')
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}`;
}

interface SeriesPair {
  key: string;
  staging?: Series;
  production?: Series;
  /** Sides that returned more than one series for this label set: which one to compare cannot be told. */
  ambiguous?: string[];
}

/** Pairs series across sides: one each pairs whatever the labels, more pair by labels other than namespace. */
function pairSeries(staging: Series[], production: Series[]): SeriesPair[] {
  if (staging.length === 1 && production.length === 1)
    return [{ key: '', staging: staging[0]!, production: production[0]! }];
  const byKey = (list: Series[]) => {
    const map = new Map<string, Series[]>();
    for (const x of list) map.set(labelKey(x.labels), [...(map.get(labelKey(x.labels)) ?? []), x]);
    return map;
  };
  const s = byKey(staging);
  const p = byKey(production);
  return [...new Set([...p.keys(), ...s.keys()])].sort().map((key) => {
    const pair: SeriesPair = { key };
    const sv = s.get(key);
    const pv = p.get(key);
    if (sv) pair.staging = sv[0]!;
    if (pv) pair.production = pv[0]!;
    // Keeping one of them would be arbitrary, and may be the other side's own series (a namespace=~ matcher).
    const ambiguous = [(pv?.length ?? 0) > 1 && 'production', (sv?.length ?? 0) > 1 && 'staging'].filter(
      (x): x is string => typeof x === 'string',
    );
    if (ambiguous.length > 0) pair.ambiguous = ambiguous;
    return pair;
  });
}

function significant(value: number): number {
  return Number(value.toPrecision(4));
}

function percent(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? '+∞%' : '-∞%';
  return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)}%`;
}

/**
 * The noise production shows on its own, Diffy-style: how far the medians of
 * the two halves of its series are apart, relative to the whole median.
 */
export function noiseOf(values: number[]): number {
  if (values.length < 4) return 0;
  const half = Math.floor(values.length / 2);
  const whole = median(values);
  const deviation = Math.abs(relativeDeviation(median(values.slice(0, half)), median(values.slice(half))));
  return whole === 0 || !Number.isFinite(deviation) ? 0 : deviation;
}

/** The same noise in the series' own unit, for absolute comparisons (error rates near zero have no useful relative noise). */
export function absoluteNoiseOf(values: number[]): number {
  if (values.length < 4) return 0;
  const half = Math.floor(values.length / 2);
  const deviation = Math.abs(median(values.slice(0, half)) - median(values.slice(half)));
  return Number.isFinite(deviation) ? deviation : 0;
}

/**
 * Compares what one query returned for both sides. Missing series, too few
 * points, NaN or ±Inf make the comparison inconclusive: a quiet or broken
 * query never passes (fluxcd/flagger#1035, #1098).
 */
export function compareSeries(
  settings: QuerySettings,
  resource: string,
  staging: Series[],
  production: Series[],
): SeriesComparison {
  const result: SeriesComparison = { differences: [], inconclusive: [] };
  const inconclusive = (path: string, reason: string) =>
    result.inconclusive.push({ category: 'behaviour', resource, path, reason });
  if (production.length === 0 || staging.length === 0) {
    const sides = [production.length === 0 && 'production', staging.length === 0 && 'staging']
      .filter(Boolean)
      .join(' and ');
    inconclusive('median', `${settings.name}: no data in ${sides}`);
    return result;
  }
  for (const pair of pairSeries(staging, production)) {
    const path = pair.key === '' ? 'median' : `series${pair.key}.median`;
    if (pair.ambiguous) {
      inconclusive(
        path,
        `${settings.name}${pair.key}: several series in ${pair.ambiguous.join(' and ')} with the same labels apart from namespace; make the query return one series per label set (aggregate it, for example with sum by or avg by)`,
      );
      continue;
    }
    if (!pair.staging || !pair.production) {
      inconclusive(path, `${settings.name}${pair.key}: series only in ${pair.staging ? 'staging' : 'production'}`);
      continue;
    }
    const s = pair.staging.values.filter(Number.isFinite);
    const p = pair.production.values.filter(Number.isFinite);
    const dropped = pair.staging.values.length - s.length + (pair.production.values.length - p.length);
    if (s.length < settings.minSamples || p.length < settings.minSamples) {
      const nan = dropped > 0 ? ` (${dropped} NaN or infinite samples discarded)` : '';
      inconclusive(
        path,
        `${settings.name}${pair.key}: ${s.length} usable samples in staging and ${p.length} in production, ${settings.minSamples} needed${nan}`,
      );
      continue;
    }
    const sm = median(s);
    const pm = median(p);
    const absolute = settings.comparison === 'Absolute';
    const deviation = absolute ? sm - pm : relativeDeviation(sm, pm);
    const counts =
      settings.direction === 'Both' || (settings.direction === 'HigherIsWorse' ? deviation > 0 : deviation < 0);
    const noise = settings.noiseFloor ? (absolute ? absoluteNoiseOf(p) : noiseOf(p)) : 0;
    if (!counts || Math.abs(deviation) <= settings.tolerance) continue;
    if (Math.abs(deviation) <= settings.tolerance + noise) {
      // A floor that large says production changed level within the range (traffic began, a deploy): it would excuse anything.
      if (!absolute && noise >= MAX_RELATIVE_NOISE)
        inconclusive(
          path,
          `${settings.name}${pair.key}: staging median ${significant(sm)} vs production ${significant(pm)} (${percent(deviation)}) is beyond the tolerance of ${percent(settings.tolerance).slice(1)}, and only production's own noise of ${percent(noise).slice(1)} (the medians of its two halves) covers it: production is too unsteady over the range to compare with; choose a steadier range, or set spec.categories.behaviour.noiseFloor: false`,
        );
      continue;
    }
    if (
      s.length >= MIN_POINTS_FOR_RANK_TEST &&
      p.length >= MIN_POINTS_FOR_RANK_TEST &&
      mannWhitneyU(s, p).pValue >= SIGNIFICANCE
    )
      continue;
    const amount = (value: number) => (absolute ? `${value >= 0 ? '+' : ''}${significant(value)}` : percent(value));
    const floor = noise > 0 ? ` plus production's own noise of ${amount(noise).slice(1)}` : '';
    result.differences.push({
      category: 'behaviour',
      resource,
      path,
      staging: significant(sm),
      production: significant(pm),
      expected: false,
      severity: settings.severity,
      message: `${settings.name}${pair.key}: staging median ${significant(sm)} vs production ${significant(pm)} (${amount(deviation)}${absolute ? ' absolute' : ''}), tolerance ${amount(settings.tolerance).slice(1)}${floor}`,
    });
  }
  return result;
}
