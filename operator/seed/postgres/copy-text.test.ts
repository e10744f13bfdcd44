import fc from 'fast-check';
import { decodeArray, decodeField, decodeLine, encodeArray, encodeField, encodeRows } from './copy-text';

describe('COPY text format', () => {
  it('round-trips any field, NULL included', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: null }), (v) =>
        expect(decodeField(encodeField(v))).toEqual(v),
      ),
    );
  });
  it('encodes rows into one chunk that splits back into the same rows', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.option(fc.string(), { nil: null }), { minLength: 3, maxLength: 3 }), { maxLength: 20 }),
        (rows) => {
          const lines = encodeRows(rows).split('\n').slice(0, -1);
          expect(lines.map(decodeLine)).toEqual(rows);
        },
      ),
    );
  });
  it('round-trips array literals', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ minLength: 1 }), { nil: null })), (xs) =>
        expect(decodeArray(encodeArray(xs))).toEqual(xs),
      ),
    );
    expect(decodeArray('{sale,"new arrival",NULL}')).toEqual(['sale', 'new arrival', null]);
  });
});
