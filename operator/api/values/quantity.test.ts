import fc from 'fast-check';
import { formatBytes, formatMillicores, parseQuantity, scaleCpu, scaleMemory } from './quantity';
import { compare, multiply, rational } from './rational';
import { ratioOf } from './ratio';

function valueOf(text: string) {
  const parsed = parseQuantity(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.quantity.value;
}

describe('parseQuantity', () => {
  it.each([
    ['500m', rational(1n, 2n)],
    ['1.5', rational(3n, 2n)],
    ['512Mi', rational(512n * 1024n * 1024n)],
    ['1G', rational(1_000_000_000n)],
    ['2e3', rational(2000n)],
    ['1E', rational(10n ** 18n)],
    ['1.5E-3', rational(3n, 2000n)],
    ['.5Gi', rational(512n * 1024n * 1024n)],
    ['100n', rational(1n, 10_000_000n)],
    ['4', rational(4n)],
  ])('reads %s exactly', (text, expected) => {
    expect(compare(valueOf(text), expected)).toBe(0);
  });

  it.each(['', '1 Gi', '1gb', 'Mi', '1e', '1Ki1', '--1', 'abc', '1e99'])('refuses %j', (text) => {
    expect(parseQuantity(text).ok).toBe(false);
  });
});

describe('scaling quantities', () => {
  it.each([
    ['500m', '0.5', '250m'],
    ['1.5', '0.5', '750m'],
    ['1', '0.001', '1m'],
    ['1', '0.0001', '1m'],
    ['2', '0.5', '1'],
    ['2e3', '0.5', '1k'],
  ])('cpu %s × %s = %s', (text, ratio, expected) => {
    expect(scaleCpu(text, ratioOf(ratio))).toBe(expected === '1k' ? '1000' : expected);
  });

  it.each([
    ['512Mi', '0.5', '256Mi'],
    ['512Mi', '0.3', '154Mi'],
    ['1G', '0.5', '500M'],
    ['1Gi', '2', '2Gi'],
    ['100', '0.5', '50'],
    ['1Ki', '0.001', '2'],
    ['8Gi', '0.25', '2Gi'],
  ])('memory %s × %s = %s', (text, ratio, expected) => {
    expect(scaleMemory(text, ratioOf(ratio))).toBe(expected);
  });

  const ratios = fc.integer({ min: 1, max: 100_000 }).map((n) => rational(BigInt(n), 1000n));
  const millicores = fc.bigInt({ min: 1n, max: 10n ** 9n });

  it('never rounds CPU down, nor by more than a millicore', () => {
    fc.assert(
      fc.property(millicores, ratios, (m, ratio) => {
        const exact = multiply(rational(m, 1000n), ratio);
        const scaled = valueOf(scaleCpu(formatMillicores(m), ratio));
        expect(compare(scaled, exact)).toBeGreaterThanOrEqual(0);
        expect(compare(scaled, { num: exact.num * 1000n + exact.den, den: exact.den * 1000n })).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('never rounds memory down, and keeps a non-zero request non-zero', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2n ** 45n }),
        ratios,
        fc.constantFrom<'binary' | 'decimal'>('binary', 'decimal'),
        (bytes, ratio, family) => {
          const scaled = valueOf(scaleMemory(formatBytes(bytes, family), ratio));
          expect(compare(scaled, multiply(rational(bytes), ratio))).toBeGreaterThanOrEqual(0);
          expect(scaled.num).toBeGreaterThan(0n);
        },
      ),
    );
  });

  it('keeps limits at or above requests (scaling is monotonic)', () => {
    fc.assert(
      fc.property(millicores, millicores, ratios, (a, b, ratio) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        expect(
          compare(valueOf(scaleCpu(formatMillicores(low), ratio)), valueOf(scaleCpu(formatMillicores(high), ratio))),
        ).toBeLessThanOrEqual(0);
      }),
    );
  });

  it('formats values so they read back the same', () => {
    fc.assert(
      fc.property(millicores, fc.bigInt({ min: 0n, max: 2n ** 50n }), (m, bytes) => {
        expect(compare(valueOf(formatMillicores(m)), rational(m, 1000n))).toBe(0);
        expect(compare(valueOf(formatBytes(bytes, 'binary')), rational(bytes))).toBe(0);
        expect(compare(valueOf(formatBytes(bytes, 'decimal')), rational(bytes))).toBe(0);
      }),
    );
  });
});
