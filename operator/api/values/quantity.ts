import { ceil, multiply, rational, type Rational } from './rational';

// Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource):
// a decimal number followed by a binary suffix (Ki..Ei), a decimal suffix
// (n, u, m, k, M..E) or a decimal exponent (e3, E-2). Parsed exactly so that
// scaling by a ratio never loses or invents a millicore or a byte.

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;
const MAX_EXPONENT = 30;

export type QuantityFormat = 'binary' | 'decimal' | 'exponent';

export interface Quantity {
  /** The value in base units (cores, bytes), exact. */
  value: Rational;
  /** How it was written, so a scaled value is written the same way. */
  format: QuantityFormat;
}

export type QuantityResult = { ok: true; quantity: Quantity } | { ok: false; message: string };

export function parseQuantity(text: string): QuantityResult {
  const match = QUANTITY.exec(text);
  if (!match) return { ok: false, message: `"${text}" is not a quantity such as 500m, 1.5, 512Mi, 1G or 2e3` };
  const [, number = '', exponent, suffix = ''] = match;
  const mantissa = decimal(number);
  if (exponent !== undefined) {
    const power = Number(exponent.slice(1));
    if (Math.abs(power) > MAX_EXPONENT)
      return { ok: false, message: `"${text}" has an exponent beyond ±${MAX_EXPONENT}` };
    return { ok: true, quantity: { value: scaleByPowerOfTen(mantissa, power), format: 'exponent' } };
  }
  const binary = BINARY[suffix];
  if (binary !== undefined)
    return { ok: true, quantity: { value: multiply(mantissa, rational(binary)), format: 'binary' } };
  return {
    ok: true,
    quantity: { value: scaleByPowerOfTen(mantissa, DECIMAL_EXPONENT[suffix] ?? 0), format: 'decimal' },
  };
}

export function isQuantity(text: string): boolean {
  return parseQuantity(text).ok;
}

function decimal(number: string): Rational {
  const negative = number.startsWith('-');
  const unsigned = number.replace(/^[+-]/, '');
  const [whole = '', fraction = ''] = unsigned.split('.');
  const num = BigInt(`${whole}${fraction}` || '0');
  return rational(negative ? -num : num, 10n ** BigInt(fraction.length));
}

function scaleByPowerOfTen(value: Rational, power: number): Rational {
  return power >= 0
    ? multiply(value, rational(10n ** BigInt(power)))
    : multiply(value, rational(1n, 10n ** BigInt(-power)));
}

/** CPU scaled by a ratio, rounded up to whole millicores (the API server's precision), never below 1m unless zero. */
export function scaleCpu(text: string, ratio: Rational): string {
  const parsed = parseQuantity(text);
  if (!parsed.ok) throw new RangeError(parsed.message);
  const millicores = ceil(multiply(multiply(parsed.quantity.value, rational(1000n)), ratio));
  return formatMillicores(millicores);
}

export function formatMillicores(millicores: bigint): string {
  return millicores % 1000n === 0n ? `${millicores / 1000n}` : `${millicores}m`;
}

/**
 * Memory scaled by a ratio, rounded up to whole bytes, and to whole Mi (or M
 * for decimal spellings) once at least that large so that `512Mi × 0.3`
 * reads `154Mi`, not `161061274`.
 */
export function scaleMemory(text: string, ratio: Rational): string {
  const parsed = parseQuantity(text);
  if (!parsed.ok) throw new RangeError(parsed.message);
  const bytes = ceil(multiply(parsed.quantity.value, ratio));
  const family = parsed.quantity.format === 'binary' ? 'binary' : 'decimal';
  const granule = family === 'binary' ? 1n << 20n : 1_000_000n;
  const rounded = bytes >= granule ? ((bytes + granule - 1n) / granule) * granule : bytes;
  return formatBytes(rounded, family);
}

export function formatBytes(bytes: bigint, family: 'binary' | 'decimal'): string {
  const units: Array<[string, bigint]> =
    family === 'binary'
      ? Object.entries(BINARY).reverse()
      : Object.entries(DECIMAL_EXPONENT)
          .filter(([, p]) => p > 0)
          .reverse()
          .map(([suffix, p]) => [suffix, 10n ** BigInt(p)]);
  if (bytes === 0n) return '0';
  for (const [suffix, size] of units) {
    if (bytes % size === 0n) return `${bytes / size}${suffix}`;
  }
  return `${bytes}`;
}
