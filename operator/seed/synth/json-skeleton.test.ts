import fc from 'fast-check';
import { SeededHash } from '../keyed';
import { compileTransform } from '../transform/compile';
import { jsonRulePaths, jsonSkeletonSampler } from './json-skeleton';
import { Rng } from './rng';

const column = { name: 'contact', baseType: 'jsonb' as const, isArray: false, nullable: true } as const;

describe('jsonSkeletonSampler (a json rule, synthesized)', () => {
  it("gives documents holding the rule's paths, which its transformers fill with fake values", () => {
    const params = {
      paths: [
        { path: '$.email', transform: 'email' },
        { path: '$.name.first', transform: 'firstName' },
        { path: '$.phones[*].number', transform: 'phone' },
      ],
    };
    let n = 0;
    const phoneShape = (rng: Rng): string => `+1-555-${String(rng.int(1000)).padStart(3, '0')}-0000`;
    const sample = jsonSkeletonSampler(
      jsonRulePaths(params)!,
      'users.contact#',
      () => n++,
      (t) => (t === 'phone' ? phoneShape : undefined),
    );
    const mask = compileTransform(
      { transform: 'json', params },

      { keyed: new SeededHash(1), column: column as any, unique: false },
    );
    const rng = new Rng(1);
    const docs = Array.from({ length: 50 }, () => JSON.parse(mask(sample(rng), () => null)!) as Record<string, any>); // any: reading documents
    for (const doc of docs) {
      expect(doc.email).toMatch(/^[^@\s]+@[^@\s]+\.[a-z]+$/);
      expect(typeof doc.name.first).toBe('string');
      expect(doc.name.first).not.toContain('users.contact#');
      expect(doc.phones).toHaveLength(1);
      expect(String(doc.phones[0].number)).toMatch(/^\+\d-\d{3}-\d{3}-\d{4}$/);
    }
    expect(new Set(docs.map((d) => d.email)).size).toBeGreaterThan(40);
  });

  it('places every path, whatever the paths (property)', () => {
    const step = fc.oneof(fc.constantFrom('*', '0', '2'), fc.stringMatching(/^[a-z_]{1,6}$/));
    const path = fc.array(step, { minLength: 1, maxLength: 4 }).map((steps) => `$.${steps.join('.')}`);
    fc.assert(
      fc.property(fc.array(path, { minLength: 1, maxLength: 5 }), (paths) => {
        const doc = jsonSkeletonSampler(
          paths.map((p) => ({ path: p, transform: 'constant' })),
          'p#',
          () => 7,
        )(new Rng(3));
        const marked = compileTransform(
          {
            transform: 'json',
            params: { paths: paths.map((p) => ({ path: p, transform: 'constant', params: { value: 'X' } })) },
          },

          { keyed: new SeededHash(1), column: column as any, unique: false },
        )(doc, () => null)!;
        // A path that another path turned into a container is not a leaf any more; every other leaf was reached.
        expect(marked).not.toMatch(/p#/);
      }),
      { numRuns: 200 },
    );
  });

  it('reads the paths of valid params only', () => {
    expect(jsonRulePaths({ paths: [{ path: '$.a', transform: 'email' }] })).toEqual([
      { path: '$.a', transform: 'email' },
    ]);
    expect(jsonRulePaths({ paths: [{ transform: 'email' }] })).toBeUndefined();
    expect(jsonRulePaths(undefined)).toBeUndefined();
  });
});
