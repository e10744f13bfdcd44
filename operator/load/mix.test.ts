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
