import { parseDuration } from './duration';
import { parseRatio } from './ratio';
import { ceil, floor, parseDecimal, rational } from './rational';

describe('parseRatio', () => {
  it.each(['0.25', '1', '100', '0.001', '2.5'])('accepts %s', (text) => expect(parseRatio(text).ok).toBe(true));
  it.each([
    ['0', /greater than 0/],
    ['0.000', /greater than 0/],
    ['100.01', /at most 100/],
    ['-1', /decimal/],
    ['1/4', /decimal/],
    ['', /decimal/],
  ])('refuses %s', (text, message) => {
    const result = parseRatio(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});

describe('rational arithmetic', () => {
  it('is exact where floats are not', () => {
    expect(Math.ceil(0.07 * 100)).toBe(8);
    const ratio = parseDecimal('0.07');
    if (!ratio) throw new Error('unparsed');
    expect(ceil({ num: ratio.num * 100n, den: ratio.den })).toBe(7n);
  });

  it('rounds negative values the mathematical way', () => {
    expect(ceil(rational(-3n, 2n))).toBe(-1n);
    expect(floor(rational(-3n, 2n))).toBe(-2n);
    expect(floor(rational(3n, 2n))).toBe(1n);
  });
});

describe('parseDuration', () => {
  it.each([
    ['72h', 72 * 3_600_000],
    ['1h30m', 90 * 60_000],
    ['1.5d', 36 * 3_600_000],
    ['250ms', 250],
    ['90s', 90_000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, milliseconds: ms });
  });

  it.each(['', '3 days', '72', 'h', '1w'])('refuses %j', (text) => expect(parseDuration(text).ok).toBe(false));
});
