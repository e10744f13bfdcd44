import fc from 'fast-check';
import { IntPermutation, KeyedHash, Uuid128Permutation } from '../keyed';
import type { ColumnInfo } from '../model';
import { compileTransform, type TransformSpec } from './compile';
import { isIbanValid, isLuhnValid } from './fake-values';
import { parseJsonPath } from './json-paths';

const KEY_A = new KeyedHash('key-a-0123456789abcdef');
const KEY_B = new KeyedHash('key-b-0123456789abcdef');

function column(over: Partial<ColumnInfo> = {}): ColumnInfo {
  return {
    name: 'c',
    type: 'text',
    baseType: 'text',
    isArray: false,
    notNull: false,
    hasDefault: false,
    generated: false,
    ...over,
  };
}
const none = (): null => null;
const run = (spec: TransformSpec, keyed: KeyedHash, v: string, col = column(), unique = false): string | null =>
  compileTransform(spec, { keyed, column: col, unique })(v, none);

const TEXT_TRANSFORMS: TransformSpec['transform'][] = [
  'email',
  'firstName',
  'lastName',
  'fullName',
  'company',
  'phone',
  'street',
  'city',
  'zip',
  'country',
  'username',
  'digits',
  'lorem',
  'ipv4',
  'ipv6',
  'iban',
  'cardNumber',
  'hash',
  'uuid',
];

describe('transformers', () => {
  it('are deterministic: the same input and key give the same output, whatever the table', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TEXT_TRANSFORMS), fc.string({ minLength: 1 }), (transform, v) => {
        const first = compileTransform({ transform }, { keyed: KEY_A, column: column({ name: 'a' }), unique: false });
        const second = compileTransform(
          { transform },
          { keyed: new KeyedHash('key-a-0123456789abcdef'), column: column({ name: 'b' }), unique: false },
        );
        expect(first(v, none)).toBe(second(v, none));
      }),
    );
  });

  it('change with the key', () => {
    for (const transform of TEXT_TRANSFORMS) {
      const inputs = Array.from({ length: 50 }, (_, i) => `person-${i}@corp.example`);
      const same = inputs.filter((v) => run({ transform }, KEY_A, v) === run({ transform }, KEY_B, v)).length;
      // Small word lists collide by chance; most values must still differ.
      expect({ transform, same: same < 20 }).toEqual({ transform, same: true });
    }
  });

  it('respect varchar(n)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...TEXT_TRANSFORMS),
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.integer({ min: 8, max: 30 }),
        (transform, v, n) => {
          const out = run({ transform }, KEY_A, v, column({ maxLength: n }));
          expect(out!.length).toBeLessThanOrEqual(n);
        },
      ),
    );
  });

  it('make Luhn-valid card numbers and IBANs with valid check digits', () => {
    fc.assert(
      fc.property(fc.string(), (v) => {
        expect(isLuhnValid(run({ transform: 'cardNumber' }, KEY_A, v)!)).toBe(true);
        expect(isIbanValid(run({ transform: 'iban' }, KEY_A, v)!)).toBe(true);
      }),
    );
    expect(isLuhnValid('4111111111111111')).toBe(true);
    expect(isLuhnValid('4111111111111112')).toBe(false);
    expect(isIbanValid('GB82WEST12345698765432')).toBe(true);
    expect(isIbanValid('GB82WEST12345698765433')).toBe(false);
  });

  it('keep unique emails unique', () => {
    const outs = new Set(
      Array.from({ length: 20_000 }, (_, i) => run({ transform: 'email' }, KEY_A, `u${i}@x.com`, column(), true)),
    );
    expect(outs.size).toBe(20_000);
  });

  it('shift all dates of one entity by the same number of days', () => {
    const t = compileTransform(
      { transform: 'dateShift', params: { days: 20, entityColumn: 'user_id' } },
      { keyed: KEY_A, column: column({ baseType: 'timestamptz' }), unique: false },
    );
    const row = (id: string) => (c: string) => (c === 'user_id' ? id : null);
    const a = t('2024-03-01 10:00:00+00', row('7'))!;
    const b = t('2024-03-11 10:00:00+00', row('7'))!;
    expect(
      Date.parse(b.replace(' ', 'T').replace('+00', 'Z')) - Date.parse(a.replace(' ', 'T').replace('+00', 'Z')),
    ).toBe(10 * 86_400_000);
    expect(a).not.toBe('2024-03-01 10:00:00+00');
    expect(a.slice(10)).toBe(' 10:00:00+00');
  });

  it('add bounded noise that keeps signs and scale', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (x) => {
        const v = x.toFixed(2);
        const out = Number(
          run(
            { transform: 'noise', params: { relative: 0.1 } },
            KEY_A,
            v,
            column({ baseType: 'numeric', numericScale: 2 }),
          ),
        );
        expect(out).toBeGreaterThanOrEqual(0);
        expect(Math.abs(out - Number(v))).toBeLessThanOrEqual(Number(v) * 0.1 + 0.01);
      }),
    );
  });

  it('masks JSON leaves by path and keeps the rest', () => {
    const spec: TransformSpec = {
      transform: 'json',
      params: {
        paths: [
          { path: '$.customer.email', transform: 'email' },
          { path: 'items[*].note', transform: 'constant', params: { value: 'x' } },
        ],
      },
    };
    const out = JSON.parse(
      run(
        spec,
        KEY_A,
        JSON.stringify({ customer: { email: 'real@corp.com', tier: 'gold' }, items: [{ note: 'hi', qty: 2 }] }),
      )!,
    );
    expect(out.customer.tier).toBe('gold');
    expect(out.customer.email).toMatch(/@.*example/);
    expect(out.items[0]).toEqual({ note: 'x', qty: 2 });
    expect(parseJsonPath('$.a[*].b')).toEqual(['a', '*', 'b']);
  });

  it('masks JSON by path without mistaking data for structure', () => {
    const spec: TransformSpec = {
      transform: 'json',
      params: {
        paths: [
          { path: '$.__proto__.email', transform: 'constant', params: { value: 'p' } },
          { path: '$.list[1]', transform: 'constant', params: { value: 'y' } },
          { path: '$.list.01', transform: 'constant', params: { value: 'z' } },
        ],
      },
    };
    const out = JSON.parse(run(spec, KEY_A, '{"__proto__":{"email":"real@corp.com"},"list":["a","b","c"],"n":1}')!);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'list', 'n']);
    expect(out.__proto__).toEqual({ email: 'p' });
    expect(out.list).toEqual(['a', 'y', 'c']);
  });

  it('templates combine fake parts', () => {
    expect(run({ transform: 'template', params: { template: 'user-{{hash:8}}@{{city}}.test' } }, KEY_A, 'x')).toMatch(
      /^user-[0-9a-f]{8}@[A-Za-z]+\.test$/,
    );
  });

  it('masks partially', () => {
    expect(run({ transform: 'mask', params: { keepEnd: 4 } }, KEY_A, '4111111111111111')).toBe('************1111');
  });
});

describe('key permutations', () => {
  it('are injective on integer keys and stay in the domain', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { minLength: 2, maxLength: 200 }), (xs) => {
        const perm = compileTransform(
          { transform: 'permute' },
          { keyed: KEY_A, column: column({ baseType: 'int4' }), unique: true },
        );
        const outs = xs.map((x) => Number(perm(String(x), none)));
        expect(new Set(outs).size).toBe(xs.length);
        for (const o of outs) expect(o >= 0 && o < 2 ** 31).toBe(true);
      }),
    );
  });

  it('are a bijection on a small domain', () => {
    const perm = new IntPermutation(KEY_A.roundKeys('t', 8), 11);
    const image = new Set(Array.from({ length: 2048 }, (_, i) => perm.apply(i)));
    expect(image.size).toBe(2048);
    expect(Math.max(...image)).toBe(2047);
  });

  it('are injective on uuids and differ by key', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { minLength: 2, maxLength: 100 }), (xs) => {
        const outs = xs.map((x) => run({ transform: 'uuid' }, KEY_A, x, column({ baseType: 'uuid' }), true));
        expect(new Set(outs).size).toBe(xs.length);
        for (const [i, o] of outs.entries()) {
          expect(o).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
          expect(o).not.toBe(run({ transform: 'uuid' }, KEY_B, xs[i]!, column({ baseType: 'uuid' }), true));
        }
      }),
    );
  });

  it('treat a uuid the same whatever its spelling, canonical or not', () => {
    const perm = new Uuid128Permutation(KEY_A.roundKeys('uuid', 16));
    fc.assert(
      fc.property(fc.uuid(), (x) => {
        const hex = x.replace(/-/g, '');
        const expected = perm.apply(hex).replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
        for (const spelling of [x, x.toUpperCase(), hex])
          expect(run({ transform: 'uuid' }, KEY_A, spelling, column({ baseType: 'uuid' }), true)).toBe(expected);
      }),
    );
  });

  it('map negative integers among negatives', () => {
    const out = Number(run({ transform: 'permute' }, KEY_A, '-5', column({ baseType: 'int8' }), true));
    expect(out).toBeLessThan(0);
  });
});
