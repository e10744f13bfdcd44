import { z } from 'zod';
import { paramsSchema, paramsValidations } from './crd-schema';
import { defineTransformer, NO_PARAMS } from './definition';
import { keep } from './keep';
import { createRegistry, parseParams, pathText, TRANSFORMERS, TRANSFORMS } from './registry';

const issuesOf = (name: (typeof TRANSFORMS)[number], params: unknown): string[] => {
  const r = parseParams(name, params);
  return r.ok ? [] : r.issues.map((i) => `${pathText(i.path)} ${i.message}`);
};

describe('transformer registry', () => {
  it('refuses a name registered twice', () => {
    const twin = defineTransformer({
      name: 'keep',
      description: 'another keep',
      params: NO_PARAMS,
      injective: true,
      leak: { scan: false, rowCheck: 'never' },
    });
    expect(() => createRegistry([keep, twin])).toThrow('transformer "keep" is registered twice');
    expect(() => TRANSFORMERS.register(keep)).toThrow('registered twice');
  });

  it('holds every transformer once, in the order messages list them', () => {
    expect(TRANSFORMERS.names()).toEqual([...TRANSFORMS]);
    expect(TRANSFORMS.slice(0, 4)).toEqual(['keep', 'null', 'constant', 'template']);
    expect(new Set(TRANSFORMS).size).toBe(TRANSFORMS.length);
  });

  it('fills defaults and names the parameter and the wrong value', () => {
    expect(parseParams('dateShift', undefined)).toEqual({ ok: true, params: { days: 30 } });
    expect(parseParams('mask', { keepEnd: 2 })).toEqual({ ok: true, params: { keepStart: 0, keepEnd: 2, char: '*' } });
    expect(issuesOf('dateShift', { days: 'ten' })).toEqual(['params.days must be a number, got "ten"']);
    expect(issuesOf('constant', {})).toEqual([
      'params.value must be a string or a whole number (quote decimals and booleans)',
    ]);
    expect(issuesOf('hash', { length: 3, days: 2 })).toEqual(['params unknown parameter days; hash takes length']);
    expect(issuesOf('email', { unique: true })).toEqual(['params unknown parameter unique; email takes no parameters']);
  });

  it('checks transformers named inside parameters, recursively', () => {
    expect(issuesOf('json', { paths: [{ path: '$.a', transform: 'emial' }] })[0]).toMatch(
      /^params\.paths\[0\]\.transform unknown transform "emial"; valid: keep, null/,
    );
    expect(issuesOf('json', { paths: [{ path: '$.a', transform: 'dateShift', params: { days: -1 } }] })).toEqual([
      'params.paths[0].params.days Too small: expected number to be >=1',
    ]);
    expect(
      issuesOf('json', {
        paths: [{ path: '$.a', transform: 'json', params: { paths: [{ path: 'b', transform: 'nope' }] } }],
      })[0],
    ).toContain('params.paths[0].params.paths[0].transform unknown transform "nope"');
    expect(issuesOf('json', { paths: [{ path: '$', transform: 'email' }] })[0]).toContain(
      'params.paths[0].path selects nothing',
    );
    expect(issuesOf('template', { template: 'x-{{citty}}' })[0]).toContain('params.template unknown transform "citty"');
    expect(issuesOf('template', { template: 'x-{{constant}}' })).toEqual([
      'params.template constant needs parameters, so it cannot be used here',
    ]);
    expect(issuesOf('template', { template: '{{keep}}' })[0]).toContain('are not allowed');
    expect(issuesOf('template', { template: 'u-{{hash:8}}@{{city}}.test' })).toEqual([]);
  });

  it('keeps each parameter name to one schema, or the CRD could not type it', () => {
    const a = defineTransformer({
      name: 'a',
      description: '',
      params: z.strictObject({ size: z.number() }),
      injective: false,
      leak: { scan: false, rowCheck: 'never' },
    });
    const b = defineTransformer({
      name: 'b',
      description: '',
      params: z.strictObject({ size: z.string() }),
      injective: false,
      leak: { scan: false, rowCheck: 'never' },
    });
    expect(() => paramsSchema([a, b])).toThrow('parameter size of b differs in type from the one of a');
    const c = defineTransformer({
      name: 'c',
      description: '',
      params: z.strictObject({ size: z.number().default(3) }),
      injective: false,
      leak: { scan: false, rowCheck: 'never' },
    });
    expect(paramsValidations([a, c])[0]).toEqual({
      rule: "!has(self.params) || !has(self.params.size) || self.transform in ['a', 'c']",
      message: 'params.size is a parameter of a, c only',
    });
    expect(paramsSchema([a, c])).toEqual({
      type: 'object',
      properties: { size: { type: 'number', description: 'a, c:' } },
    });
  });

  it('parses each example and suggestion it documents', () => {
    for (const def of TRANSFORMERS.all()) {
      for (const params of [def.example, ...(def.suggestedFor ?? []).map((s) => s.params)]) {
        expect({ name: def.name, issues: issuesOf(def.name as (typeof TRANSFORMS)[number], params) }).toEqual({
          name: def.name,
          issues: [],
        });
      }
    }
  });
});
