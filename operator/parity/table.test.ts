import fc from 'fast-check';
import { renderTable, wrapCell } from './table';

describe('wrapCell', () => {
  it('property: no line is wider than the column and no character is lost', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.integer({ min: 1, max: 60 }), (text, width) => {
        const lines = wrapCell(text, width);
        const strip = (t: string) => t.replace(/ /g, '');
        return lines.every((l) => l.length <= width) && strip(lines.join('')) === strip(text);
      }),
    );
  });

  it('breaks a path after a separator', () => {
    expect(wrapCell('spec.template.spec.containers[api].env[LOG_LEVEL]', 24)).toEqual([
      'spec.template.spec.',
      'containers[api].',
      'env[LOG_LEVEL]',
    ]);
  });
});

describe('renderTable', () => {
  it('gives a row as many lines as its longest cell, columns aligned', () => {
    const lines = renderTable(
      [{ header: 'A', width: 4 }, { header: 'B', width: 3 }, { header: 'C' }],
      [['abcdefgh', 'x', 'last column is never wrapped']],
    );
    expect(lines).toEqual(['A    B   C', 'abcd x   last column is never wrapped', 'efgh']);
  });
  it('sizes unbounded columns to their widest cell', () => {
    expect(renderTable([{ header: 'A' }, { header: 'B' }], [['long value', '1']])).toEqual([
      'A          B',
      'long value 1',
    ]);
  });
});
