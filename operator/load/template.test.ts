import fc from 'fast-check';
import { TemplateError, compileTemplate, seededRandom, type TemplateContext } from './template';

const ctx = (seed = 1, values: Record<string, string[]> = {}): TemplateContext => {
  let n = 0;
  return { random: seededRandom(seed), values, sequence: () => n++ };
};

describe('templates', () => {
  it('renders text without placeholders as itself', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !s.includes('{{')),
        (text) => {
          const template = compileTemplate(text);
          expect(template.constant).toBe(true);
          expect(template.render(ctx())).toBe(text);
        },
      ),
    );
  });

  it('draws int within its bounds', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer(),
        (low, span, seed) => {
          const template = compileTemplate(`/items/{{int ${low} ${low + span}}}`);
          const c = ctx(seed);
          for (let i = 0; i < 20; i++) {
            const value = Number(template.render(c).slice('/items/'.length));
            expect(Number.isInteger(value)).toBe(true);
            expect(value).toBeGreaterThanOrEqual(low);
            expect(value).toBeLessThanOrEqual(low + span);
          }
        },
      ),
    );
  });

  it('draws pick and value from their lists, seq counts, uuid is a v4 UUID', () => {
    const c = ctx(7, { ids: ['a', 'b'] });
    expect(['x', 'y']).toContain(compileTemplate('{{pick x y}}').render(c));
    expect(['a', 'b']).toContain(compileTemplate('{{ value ids }}').render(c));
    const seq = compileTemplate('{{seq}}-{{seq}}');
    expect(seq.render(c)).toBe('0-1');
    expect(compileTemplate('{{uuid}}').render(c)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('encodes substituted values only', () => {
    const template = compileTemplate('/q?x={{pick a&b}}', { encode: encodeURIComponent });
    expect(template.render(ctx())).toBe('/q?x=a%26b');
  });

  it.each([
    ['/a/{{int 1', /unclosed \{\{ at position 3/],
    ['{{nope}}', /unknown function "nope"/],
    ['{{int 5 1}}', /int needs two integers/],
    ['{{int 1}}', /int takes 2 arguments, got 1/],
    ['{{pick}}', /pick needs at least one word/],
    ['{{seq 1}}', /seq takes 0 arguments/],
  ])('refuses %s', (source, message) => {
    expect(() => compileTemplate(source)).toThrow(TemplateError);
    expect(() => compileTemplate(source)).toThrow(message);
  });

  it('refuses a value name the scenario does not define', () => {
    expect(() => compileTemplate('{{value userIds}}', { valueNames: ['orderIds'] })).toThrow(
      /no values named userIds \(known: orderIds\)/,
    );
  });

  it('never throws anything but TemplateError on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (source) => {
        try {
          compileTemplate(source, { valueNames: [] });
        } catch (err) {
          expect(err).toBeInstanceOf(TemplateError);
        }
      }),
    );
  });

  it('is reproducible for a seed', () => {
    const template = compileTemplate('{{int 1 1000000}}');
    const a = ctx(42);
    const b = ctx(42);
    for (let i = 0; i < 10; i++) expect(template.render(a)).toBe(template.render(b));
  });
});
