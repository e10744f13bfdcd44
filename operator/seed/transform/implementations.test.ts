import fc from 'fast-check';
import { parseParams, TRANSFORMERS, TRANSFORMS, type TransformName } from '../../api/transformers/registry';
import { KeyedHash } from '../keyed';
import type { ColumnInfo } from '../model';
import { compileTransform, isInjective } from './compile';
import { IMPLEMENTATIONS } from './implementations';
import type { TransformSpec } from './types';

const KEY = new KeyedHash('impl-test-key-0123456789');
const column = (over: Partial<ColumnInfo> = {}): ColumnInfo => ({
  name: 'c',
  type: 'text',
  baseType: 'text',
  isArray: false,
  notNull: false,
  hasDefault: false,
  generated: false,
  ...over,
});
const none = () => null;

/** Inputs a column of each injective transformer holds, and the column type. */
const DOMAINS: Partial<
  Record<TransformName, { column: ColumnInfo; input: fc.Arbitrary<string>; params?: Record<string, unknown> }>
> = {
  keep: { column: column(), input: fc.string() },
  permute: {
    column: column({ baseType: 'int4', type: 'integer' }),
    input: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map(String),
  },
  uuid: { column: column({ baseType: 'uuid', type: 'uuid' }), input: fc.oneof(fc.uuid(), fc.string({ minLength: 1 })) },
  hash: { column: column(), input: fc.string(), params: { length: 16 } },
  email: { column: column(), input: fc.string({ minLength: 1 }) },
  template: { column: column(), input: fc.string(), params: { template: 'user-{{hash}}@{{city}}.test' } },
};

describe('transformer implementations', () => {
  it('implement exactly the registered transformers', () => {
    expect(Object.keys(IMPLEMENTATIONS).sort()).toEqual([...TRANSFORMS].sort());
  });

  it('compile every transformer with its documented example', () => {
    for (const def of TRANSFORMERS.all()) {
      const spec = { transform: def.name, params: def.example } as TransformSpec;
      const col =
        def.name === 'permute'
          ? column({ baseType: 'int4' })
          : def.name === 'dateShift'
            ? column({ baseType: 'date' })
            : column();
      expect(() => compileTransform(spec, { keyed: KEY, column: col, unique: false })).not.toThrow();
    }
  });

  it('covers, in the collision test below, every transformer that can be injective', () => {
    const canBe = TRANSFORMERS.all()
      .filter((d) => d.injective !== false)
      .map((d) => d.name);
    expect(canBe.sort()).toEqual(Object.keys(DOMAINS).sort());
  });

  it.each(Object.entries(DOMAINS))(
    '%s gives distinct outputs for distinct inputs when it says it is injective',
    (name, domain) => {
      const spec = { transform: name, params: domain.params } as TransformSpec;
      expect(isInjective(spec, true)).toBe(true);
      const t = compileTransform(spec, { keyed: KEY, column: domain.column, unique: true });
      fc.assert(
        fc.property(fc.uniqueArray(domain.input, { minLength: 2, maxLength: 200 }), (inputs) => {
          expect(new Set(inputs.map((v) => t(v, none))).size).toBe(inputs.length);
        }),
        { numRuns: 40 },
      );
    },
  );

  it('says when a conditionally injective transformer is not', () => {
    expect(isInjective({ transform: 'hash', params: { length: 8 } }, true)).toBe(false);
    expect(isInjective({ transform: 'email' }, false)).toBe(false);
    expect(isInjective({ transform: 'template', params: { template: '{{hash:8}}' } }, true)).toBe(false);
    expect(isInjective({ transform: 'firstName' }, true)).toBe(false);
  });

  it('refuses wrong parameters when compiling, naming them', () => {
    expect(() =>
      compileTransform(
        { transform: 'dateShift', params: { days: 'ten' } },
        { keyed: KEY, column: column(), unique: false },
      ),
    ).toThrow('params.days must be a number, got "ten"');
    expect(() =>
      compileTransform({ transform: 'nope' } as unknown as TransformSpec, {
        keyed: KEY,
        column: column(),
        unique: false,
      }),
    ).toThrow('unknown transform "nope"');
    expect(parseParams('permute', { bits: 53 }).ok).toBe(false);
  });
});
