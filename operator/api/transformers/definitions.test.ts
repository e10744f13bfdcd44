import fc from 'fast-check';
import { z } from 'zod';
import type { TransformerDefinition } from './definition';
import { TRANSFORMERS } from './registry';

// Every definition's parameter schema, driven by random parameters drawn from
// its own JSON schema (the one the CRD carries): what the API server lets
// through, zod accepts; parsing is idempotent and survives a JSON round trip
// (what the operator reads back from etcd); a parameter it does not declare is refused.

type JsonSchema = Record<string, unknown>;

function arbitraryOf(s: JsonSchema): fc.Arbitrary<unknown> {
  if (s['x-kubernetes-int-or-string'] === true || Array.isArray(s.anyOf)) return fc.oneof(fc.string(), fc.integer());
  switch (s.type) {
    case 'integer':
      return fc.integer({
        min: (s.minimum as number | undefined) ?? -1e9,
        max: (s.maximum as number | undefined) ?? 1e9,
      });
    case 'number':
      // -0 is 0 in JSON (and in YAML as the API server stores it).
      return fc
        .double({
          min: (s.minimum as number | undefined) ?? -1e9,
          max: (s.maximum as number | undefined) ?? 1e9,
          noNaN: true,
        })
        .map((x) => x + 0);
    case 'string':
      // Templates are checked beyond their type (placeholders); plain text is always valid.
      return fc.string({
        minLength: (s.minLength as number | undefined) ?? 0,
        maxLength: Math.min((s.maxLength as number | undefined) ?? 40, 40),
        unit: fc.constantFrom(...'abc-_.x '),
      });
    case 'array':
      return fc.array(arbitraryOf(s.items as JsonSchema), {
        minLength: (s.minItems as number | undefined) ?? 0,
        maxLength: Math.min((s.maxItems as number | undefined) ?? 3, 3),
      });
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const required = (s.required ?? []) as string[];
      if (Object.keys(props).length === 0) return fc.constant({});
      return fc.record(
        Object.fromEntries(
          Object.entries(props).map(([k, v]) => [k, k === 'params' ? fc.constant({}) : arbitraryOf(v)]),
        ),
        { requiredKeys: required },
      );
    }
    default:
      throw new Error(`no arbitrary for ${JSON.stringify(s)}`);
  }
}

const schemaOf = (def: TransformerDefinition) =>
  z.toJSONSchema(def.params, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;

describe.each(TRANSFORMERS.all().map((d) => [d.name, d] as const))('transformer %s', (_name, def) => {
  it('accepts what its schema allows, idempotently and through JSON', () => {
    fc.assert(
      fc.property(arbitraryOf(schemaOf(def)), (raw) => {
        const first = def.params.safeParse(raw);
        // noise alone relates two parameters (min ≤ max); that refusal is the refinement's job.
        if (!first.success) return def.name === 'noise' && first.error.issues.every((i) => i.path[0] === 'min');
        const again = def.params.parse(JSON.parse(JSON.stringify(first.data)));
        expect(again).toEqual(first.data);
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a parameter it does not declare', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12, unit: fc.constantFrom(...'qwzyk') }), (key) => {
        expect(def.params.safeParse({ [`${key}X`]: 1 }).success).toBe(false);
      }),
      { numRuns: 20 },
    );
  });

  it('describes itself for the reference', () => {
    expect(def.description.length).toBeGreaterThan(10);
    for (const [key, s] of Object.entries((schemaOf(def).properties ?? {}) as Record<string, JsonSchema>))
      expect({ key, described: typeof s.description === 'string' }).toEqual({ key, described: true });
  });
});
