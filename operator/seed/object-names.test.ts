import fc from 'fast-check';
import { derivedName, isRfc1123Label } from './object-names';

// Kubernetes object names (DNS subdomains of at most 253 characters), which a DataSeed may be named.
const subdomainLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const objectName = fc
  .array(subdomainLabel, { minLength: 1, maxLength: 8 })
  .map((labels) => labels.join('.').slice(0, 253))
  .filter((n) => /^[a-z0-9].*[a-z0-9]$|^[a-z0-9]$/.test(n));
const suffix = fc.constantFrom('', '-seed', '-seed-1', '-seed-12345', '-seed-9007199254740991');

describe('derivedName', () => {
  it('keeps a short name as it is, with its suffix', () => {
    expect(derivedName('shop', '-seed')).toBe('shop-seed');
    expect(derivedName('shop', '-seed-3')).toBe('shop-seed-3');
    expect(derivedName('shop')).toBe('shop');
  });

  it('cuts a long name without leaving a trailing dash, and makes it unique with a hash', () => {
    // Cut to make room for the hash and `-seed`, the name would end in the dash after the a's.
    const name = `${'a'.repeat(46)}-${'b'.repeat(20)}`;
    const derived = derivedName(name, '-seed');
    expect(derived.length).toBeLessThanOrEqual(63);
    expect(isRfc1123Label(derived)).toBe(true);
    expect(derived).toMatch(/^a{46}-[0-9a-f]{10}-seed$/);
    expect(derivedName(`${'a'.repeat(46)}-${'c'.repeat(20)}`, '-seed')).not.toBe(derived);
  });

  it('replaces dots, which a label may not hold, and hashes so a.b and a-b stay apart', () => {
    expect(derivedName('a.b', '-seed')).not.toBe(derivedName('a-b', '-seed'));
    expect(isRfc1123Label(derivedName('a.b', '-seed'))).toBe(true);
  });

  it('is always a valid RFC 1123 label of at most 63 characters, whatever the name and suffix', () => {
    fc.assert(
      fc.property(objectName, suffix, (name, s) => {
        const derived = derivedName(name, s);
        expect(isRfc1123Label(derived)).toBe(true);
        expect(derived.endsWith(s)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('gives distinct long names distinct results', () => {
    const long = objectName.filter((n) => n.length > 50);
    fc.assert(
      fc.property(long, long, suffix, (a, b, s) => {
        fc.pre(a !== b);
        expect(derivedName(a, s)).not.toBe(derivedName(b, s));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives long names sharing their first 63 characters distinct results', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{63}$/),
        fc.stringMatching(/^[a-z0-9]{1,20}$/),
        fc.stringMatching(/^[a-z0-9]{1,20}$/),
        suffix,
        (prefix, x, y, s) => {
          fc.pre(x !== y);
          expect(derivedName(`${prefix}-${x}`, s)).not.toBe(derivedName(`${prefix}-${y}`, s));
        },
      ),
    );
  });
});
