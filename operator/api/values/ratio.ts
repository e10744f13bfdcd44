import { compare, parseDecimal, rational, type Rational } from './rational';

// Ratios scale the baseline: above 0 (a zero ratio is what `suspend` is for)
// and at most 100, so a typo cannot ask for a hundred-fold production.
export const MAX_RATIO = rational(100n);

export type RatioResult = { ok: true; ratio: Rational } | { ok: false; message: string };

export function parseRatio(text: string): RatioResult {
  const ratio = parseDecimal(text);
  if (!ratio || text.startsWith('+') || text.startsWith('-'))
    return { ok: false, message: `"${text}" is not a decimal number such as 0.25` };
  if (ratio.num <= 0n) return { ok: false, message: 'must be greater than 0 (use suspend to scale to zero)' };
  if (compare(ratio, MAX_RATIO) > 0) return { ok: false, message: 'must be at most 100' };
  return { ok: true, ratio };
}

/** Parses a ratio the spec parser already validated; throws on anything else. */
export function ratioOf(text: string): Rational {
  const result = parseRatio(text);
  if (!result.ok) throw new RangeError(`invalid ratio ${text}: ${result.message}`);
  return result.ratio;
}

export const ONE = rational(1n);
