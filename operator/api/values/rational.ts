// Exact arithmetic for ratios and quantities: 0.1 × 30 must be 3, not
// 3.0000000000000004, or a ceiling turns it into 4 replicas.

/** A non-negative or negative fraction num/den with den > 0, kept exact with BigInt. */
export interface Rational {
  num: bigint;
  den: bigint;
}

export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('denominator must not be zero');
  return den < 0n ? { num: -num, den: -den } : { num, den };
}

export function multiply(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

export function compare(a: Rational, b: Rational): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The smallest integer not below the value. */
export function ceil(value: Rational): bigint {
  const q = value.num / value.den;
  const exact = q * value.den === value.num;
  return exact || value.num < 0n ? q : q + 1n;
}

/** The largest integer not above the value. */
export function floor(value: Rational): bigint {
  const q = value.num / value.den;
  const exact = q * value.den === value.num;
  return exact || value.num > 0n ? q : q - 1n;
}

/** Parses a plain decimal such as `0.25`, `3` or `.5` exactly; undefined when it is not one. */
export function parseDecimal(text: string): Rational | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match) return undefined;
  const [, sign = '', whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return undefined;
  const num = BigInt(`${whole}${fraction}` || '0') * (sign === '-' ? -1n : 1n);
  return rational(num, 10n ** BigInt(fraction.length));
}
