import type { ColumnInfo, ColumnProfile } from '../model';
import { encodeArray } from '../postgres/copy-text';
import { dateTextToEpochDays, epochDaysToText } from '../transform/dates';
import { LOREM } from '../wordlists';
import { pickCumulative, type Rng } from './rng';
import { Stratified } from './stratified';

// Values for non-personal columns drawn from production's statistics: most
// common values with their frequencies, the rest uniformly inside equi-depth
// histogram buckets, which reproduces the marginal distribution.

export type Sampler = (rng: Rng) => string;

const NUMERIC = new Set(['int2', 'int4', 'int8', 'float', 'numeric']);
const TEMPORAL = new Set(['date', 'timestamp', 'timestamptz']);

function toNumber(column: ColumnInfo, text: string): number {
  return TEMPORAL.has(column.baseType) ? dateTextToEpochDays(text) : Number(text);
}

export function fromNumber(column: ColumnInfo, x: number): string {
  switch (column.baseType) {
    case 'int2':
    case 'int4':
    case 'int8':
      return String(Math.round(x));
    case 'numeric':
      return column.numericScale !== undefined ? x.toFixed(column.numericScale) : String(Number(x.toPrecision(12)));
    case 'float':
      return String(x);
    default:
      return epochDaysToText(
        column.baseType === 'date' ? Math.floor(x) : x,
        column.baseType as 'date' | 'timestamp' | 'timestamptz',
      );
  }
}

/** A value at quantile u in [0, 1) of a histogram: its bucket, then the point inside it (uniform in u, uniform per bucket). */
type Quantile = (u: number, rng: Rng) => string;

function histogramQuantile(column: ColumnInfo, bounds: string[]): Quantile | undefined {
  if (bounds.length < 2) return undefined;
  if (NUMERIC.has(column.baseType) || TEMPORAL.has(column.baseType)) {
    const xs = bounds.map((b) => toNumber(column, b));
    if (xs.some((x) => !Number.isFinite(x)))
      return (u) => bounds[Math.min(bounds.length - 1, Math.floor(u * bounds.length))]!;
    return (u) => {
      const scaled = u * (xs.length - 1);
      const i = Math.min(xs.length - 2, Math.floor(scaled));
      const lo = xs[i]!;
      const hi = xs[i + 1]!;
      return fromNumber(column, lo + (hi - lo) * (scaled - i));
    };
  }
  if (column.baseType === 'text' && !column.isArray) {
    const text = textFromBounds(column, bounds);
    return (_u, rng) => text(rng);
  }
  return (u) => bounds[Math.min(bounds.length - 1, Math.floor(u * bounds.length))]!;
}

/** Mostly-distinct text: new strings built from the words production's bounds use, about as long. */
function textFromBounds(column: ColumnInfo, bounds: string[]): Sampler {
  const words = [...new Set(bounds.flatMap((b) => b.split(/\s+/)).filter((w) => w.length > 0))];
  const avgWords = Math.max(1, Math.round(bounds.reduce((s, b) => s + b.split(/\s+/).length, 0) / bounds.length));
  return (rng) => {
    const count = Math.max(1, avgWords + rng.int(3) - 1);
    const parts: string[] = [];
    for (let i = 0; i < count; i++) parts.push(words[rng.int(words.length)]!);
    const text = parts.join(' ');
    return column.maxLength !== undefined ? text.slice(0, column.maxLength) : text;
  };
}

/**
 * Most common values with their frequencies, the rest from `rest`, chosen by
 * one stratified uniform: the shares come out in production's proportions
 * even for a handful of rows.
 */
function mixture(
  mcv: ColumnProfile['mostCommon'],
  rest: Quantile | undefined,
  nullFrac: number,
  draws: number,
): Sampler | undefined {
  const quantile = mixtureQuantile(mcv, rest, nullFrac);
  if (!quantile) return undefined;
  const strata = new Stratified(draws);
  return (rng) => quantile(strata.next(rng), rng);
}

/** The value at quantile u of most common values plus the rest (in that order, so equal u is an equal value). */
function mixtureQuantile(
  mcv: ColumnProfile['mostCommon'],
  rest: Quantile | undefined,
  nullFrac: number,
): Quantile | undefined {
  const values = mcv?.values ?? [];
  if (values.length === 0 && !rest) return undefined;
  const cumulative: number[] = [];
  let sum = 0;
  for (const f of mcv?.freqs ?? []) cumulative.push((sum += f));
  // Frequencies count nulls too; the histogram holds the rest of the non-null values.
  const restWeight = rest ? (values.length > 0 ? Math.max(0, 1 - nullFrac - sum) : 1) : 0;
  const total = sum + restWeight;
  return (unit, rng) => {
    const u = unit * total;
    if (u >= sum && rest) return rest(Math.min(1 - 1e-12, (u - sum) / restWeight), rng);
    return values[pickCumulative(cumulative, sum, Math.min(u, sum) / sum)]!;
  };
}

/**
 * A numeric or date column's quantile function, for the copula: most common
 * values sorted by value, then the histogram, so a larger u gives a larger
 * value as often as the statistics allow. Undefined when the profile has neither.
 */
export function orderedQuantile(
  column: ColumnInfo,
  profile: ColumnProfile,
): ((u: number, rng: Rng) => string) | undefined {
  if (!(NUMERIC.has(column.baseType) || TEMPORAL.has(column.baseType)) || column.isArray) return undefined;
  const mcv = profile.mostCommon;
  const rest = profile.histogram ? histogramQuantile(column, profile.histogram) : aggregateQuantile(column, profile);
  const points: Array<{ x: number; value: string; weight: number }> = (mcv?.values ?? []).map((v, i) => ({
    x: toNumber(column, v),
    value: v,
    weight: mcv!.freqs[i] ?? 0,
  }));
  if (points.some((p) => !Number.isFinite(p.x))) return undefined;
  const restWeight = rest
    ? points.length > 0
      ? Math.max(0, 1 - profile.nullFrac - points.reduce((s, p) => s + p.weight, 0))
      : 1
    : 0;
  const bounds =
    profile.histogram?.map((b) => toNumber(column, b)) ??
    (profile.range ? [toNumber(column, profile.range.min), toNumber(column, profile.range.max)] : []);
  // Spread the histogram's weight as pieces between its bounds, interleaved with the point masses by value.
  type Piece = { lo: number; weight: number; pick: (v: number, rng: Rng) => string };
  const pieces: Piece[] = points.map((p) => ({ lo: p.x, weight: p.weight, pick: () => p.value }));
  if (rest && restWeight > 0) {
    const n = Math.max(1, bounds.length - 1);
    for (let b = 0; b < n; b++)
      pieces.push({
        lo: bounds[b] ?? 0,
        weight: restWeight / n,
        pick: (v, rng) => rest(Math.min(1 - 1e-12, (b + v) / n), rng),
      });
  }
  pieces.sort((a, b) => a.lo - b.lo);
  const total = pieces.reduce((s, p) => s + p.weight, 0);
  if (pieces.length === 0 || total <= 0) return undefined;
  const cumulative: number[] = [];
  let sum = 0;
  for (const p of pieces) cumulative.push((sum += p.weight));
  return (u, rng) => {
    const i = pickCumulative(cumulative, total, u);
    const start = i > 0 ? cumulative[i - 1]! : 0;
    const within = pieces[i]!.weight > 0 ? (u * total - start) / pieces[i]!.weight : 0;
    return pieces[i]!.pick(Math.max(0, Math.min(1 - 1e-12, within)), rng);
  };
}

function arraySampler(column: ColumnInfo, profile: ColumnProfile): Sampler | undefined {
  const el = profile.elements;
  if (!el || el.values.length === 0) return undefined;
  const cumulative: number[] = [];
  let sum = 0;
  for (const f of el.freqs) cumulative.push((sum += f));
  return (rng) => {
    // Geometric-ish lengths around the observed average number of distinct elements.
    const length = Math.min(el.values.length, Math.max(0, Math.round(-Math.log(1 - rng.next()) * el.avgCount)));
    const chosen = new Set<string>();
    for (let tries = 0; chosen.size < length && tries < length * 4; tries++)
      chosen.add(el.values[pickCumulative(cumulative, sum, rng.next())]!);
    return encodeArray([...chosen]);
  };
}

function jsonSampler(profile: ColumnProfile): Sampler | undefined {
  const keys = profile.jsonKeys;
  if (!keys || keys.length === 0) return undefined;
  const value = (type: string, rng: Rng): unknown => {
    switch (type) {
      case 'number':
        return rng.int(1000);
      case 'boolean':
        return rng.chance(0.5);
      case 'object':
        return {};
      case 'array':
        return [];
      case 'null':
        return null;
      default:
        return LOREM[rng.int(LOREM.length)];
    }
  };
  return (rng) => {
    const doc: Record<string, unknown> = {};
    for (const k of keys) if (rng.chance(k.freq)) doc[k.key] = value(k.type, rng);
    return JSON.stringify(doc);
  };
}

/** When production has no statistics (an empty table), plausible values by type alone. */
export function typeDefaultSampler(column: ColumnInfo): Sampler {
  if (column.isArray) return () => '{}';
  switch (column.baseType) {
    case 'int2':
      return (rng) => String(rng.int(1000));
    case 'int4':
    case 'int8':
      return (rng) => String(rng.int(1_000_000));
    case 'float':
      return (rng) => String(rng.next() * 1000);
    case 'numeric':
      return (rng) => (rng.next() * 1000).toFixed(column.numericScale ?? 2);
    case 'bool':
      return (rng) => (rng.chance(0.5) ? 't' : 'f');
    case 'date':
    case 'timestamp':
    case 'timestamptz': {
      const now = Date.now() / 86_400_000;
      return (rng) => fromNumber(column, now - rng.next() * 365);
    }
    case 'time':
      return (rng) => `${String(rng.int(24)).padStart(2, '0')}:${String(rng.int(60)).padStart(2, '0')}:00`;
    case 'uuid':
      return (rng) => randomUuid(rng);
    case 'json':
    case 'jsonb':
      return () => '{}';
    case 'enum':
      return (rng) => column.enumValues![rng.int(column.enumValues!.length)]!;
    case 'bytea':
      return (rng) => `\\x${randomHex(rng, 16)}`;
    case 'inet':
      return (rng) => `10.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
    default:
      return (rng) =>
        LOREM.slice(rng.int(10), rng.int(10) + 3)
          .join(' ')
          .slice(0, column.maxLength ?? 64);
  }
}

export function randomHex(rng: Rng, bytes: number): string {
  let out = '';
  for (let i = 0; i < bytes; i++) out += rng.int(256).toString(16).padStart(2, '0');
  return out;
}

export function randomUuid(rng: Rng): string {
  const h = randomHex(rng, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A column profiled without values (its rule did not allow them, or one
 * looked personal): uniform over its range, or text as long as production's.
 */
function aggregateQuantile(column: ColumnInfo, profile: ColumnProfile): Quantile | undefined {
  if (profile.range && (NUMERIC.has(column.baseType) || TEMPORAL.has(column.baseType)))
    return histogramQuantile(column, [profile.range.min, profile.range.max]);
  const lengths = profile.lengths;
  if (lengths && lengths.length >= 2 && column.baseType === 'text' && !column.isArray) {
    return (u, rng) => {
      const scaled = u * (lengths.length - 1);
      const i = Math.min(lengths.length - 2, Math.floor(scaled));
      const length = Math.round(lengths[i]! + (lengths[i + 1]! - lengths[i]!) * (scaled - i));
      if (length <= 0) return '';
      let text = '';
      while (text.length < length) text += `${text ? ' ' : ''}${LOREM[rng.int(LOREM.length)]}`;
      return text.slice(0, Math.min(length, column.maxLength ?? length));
    };
  }
  return undefined;
}

/** The sampler of a non-key, non-personal column, from its profile; `draws` is about how many values it will give. */
export function statsSampler(column: ColumnInfo, profile: ColumnProfile | undefined, draws = 0): Sampler {
  if (!profile) return typeDefaultSampler(column);
  const container = column.isArray
    ? arraySampler(column, profile)
    : column.baseType === 'json' || column.baseType === 'jsonb'
      ? jsonSampler(profile)
      : undefined;
  const rest: Quantile | undefined = container
    ? (_u, rng) => container(rng)
    : profile.histogram
      ? histogramQuantile(column, profile.histogram)
      : aggregateQuantile(column, profile);
  return mixture(profile.mostCommon, rest, profile.nullFrac, draws) ?? typeDefaultSampler(column);
}
