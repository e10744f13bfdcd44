import fc from 'fast-check';
import { WeightedPicker, compileMix, renderRequest } from './mix';
import { seededRandom } from './template';

describe('the request mix', () => {
  it('maps evenly spread draws to each request in proportion to its weight', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }), (weights) => {
        const picker = new WeightedPicker(weights);
        const total = weights.reduce((a, b) => a + b, 0);
        const draws = total * 20;
        const counts = new Array<number>(weights.length).fill(0);
        for (let i = 0; i < draws; i++) counts[picker.pick((i + 0.5) / draws)]!++;
        counts.forEach((count, i) => expect(count).toBe((weights[i] as number) * 20));
      }),
    );
  });

  it('compiles routes, headers and bodies; names routes by method and path', () => {
    const [request] = compileMix(
      [
        {
          method: 'POST',
          path: '/orders/{{value ids}}',
          headers: { 'X-Id': '{{seq}}' },
          body: '{"n":{{int 1 1}}}',
          weight: 1,
        },
      ],
      ['ids'],
    );
    let n = 0;
    const rendered = renderRequest(request!, {
      random: seededRandom(1),
      values: { ids: ['a b/c'] },
      sequence: () => n++,
    });
    expect(rendered).toEqual({
      route: 'POST /orders/{{value ids}}',
      method: 'POST',
      path: '/orders/a%20b/c',
      headers: { 'x-id': '0' },
      body: '{"n":1}',
    });
  });

  it('names the field of a bad template', () => {
    expect(() =>
      compileMix(
        [
          { method: 'GET', path: '/', weight: 1 },
          { method: 'GET', path: '/{{oops}}', weight: 1 },
        ],
        [],
        'spec.scenarios[0].requests',
      ),
    ).toThrow(/^spec\.scenarios\[0\]\.requests\[1\]\.path: \{\{oops\}\} at position 1: unknown function/);
  });

  it('draws close to the weights with the seeded generator', () => {
    const picker = new WeightedPicker([3, 1]);
    const random = seededRandom(3);
    let first = 0;
    for (let i = 0; i < 40_000; i++) if (picker.pick(random()) === 0) first++;
    expect(first / 40_000).toBeCloseTo(0.75, 2);
  });
});

describe('hostile requests', () => {
  const compile = (request: { path: string; headers?: Record<string, string> }) =>
    compileMix([{ method: 'GET', weight: 1, ...request }], ['v'], 'spec.scenarios[0].requests');
  const render = (request: { path: string; headers?: Record<string, string> }, value: string) =>
    renderRequest(compile(request)[0]!, { random: seededRandom(1), values: { v: [value] }, sequence: () => 0 });

  it('refuses what the client cannot send as a path, naming the field and position', () => {
    expect(() => compile({ path: '/p\r\nX-Evil: 1' })).toThrow(
      /^spec\.scenarios\[0\]\.requests\[0\]\.path: character "\\r" at position 2 is not allowed in a request path/,
    );
    expect(() => compile({ path: '/a b' })).toThrow(/character " " at position 2/);
    expect(() => compile({ path: '/ä' })).toThrow(/character "ä" at position 1/);
    // Spaces inside placeholders are the template's own.
    expect(() => compile({ path: '/items/{{int 1 10}}?q={{pick a b}}' })).not.toThrow();
  });

  it('refuses a path starting with //, which URL parsers read as another host', () => {
    expect(() => compile({ path: '//evil.host/x' })).toThrow(/requests\[0\]\.path: must not start with \/\//);
  });

  it('keeps a value-made path on the target: /{{value v}} with //evil.host/x renders /evil.host/x', () => {
    expect(render({ path: '/{{value v}}' }, '//evil.host/x').path).toBe('/evil.host/x');
  });

  it('refuses the Host header and connection-level headers, naming the field', () => {
    for (const name of ['Host', 'connection', 'Transfer-Encoding', 'content-length', 'upgrade'])
      expect(() => compile({ path: '/', headers: { [name]: 'x' } })).toThrow(
        new RegExp(`^spec\\.scenarios\\[0\\]\\.requests\\[0\\]\\.headers\\.${name}: ${name} is set by the client`),
      );
  });

  it('refuses CR/LF in a header template and percent-encodes it in a substituted value', () => {
    expect(() => compile({ path: '/', headers: { 'x-a': 'a\r\nx-b: 1' } })).toThrow(
      /headers\.x-a: character "\\r" is not allowed in a header value/,
    );
    expect(render({ path: '/', headers: { 'x-a': '{{value v}}' } }, 'a\r\nx-b: 1€').headers).toEqual({
      'x-a': 'a%0D%0Ax-b: 1%E2%82%AC',
    });
  });
});
