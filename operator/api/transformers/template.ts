import { z } from 'zod';
import { defineTransformer } from './definition';

/** `{{name}}` or `{{hash:N}}` inside a template. */
export const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)(?::([0-9]+))?\s*\}\}/g;
/** Placeholders that would copy the value (keep), recurse (template, json) or have no meaning alone (value). */
const REFUSED = new Set(['value', 'template', 'json', 'keep']);
const LONG_HASH = /\{\{\s*hash(:(1[6-9]|[2-6][0-9]))?\s*\}\}/;

export const template = defineTransformer({
  name: 'template',
  description:
    'Text with placeholders: {{hash:N}} is N hex characters of the keyed digest of the value (16 when N is omitted), {{name}} the output of another transformer without parameters (firstName, city, digits, …). With a {{hash}} of 16 or more characters distinct values stay distinct.',
  params: z.strictObject({
    template: z
      .string()
      .min(1)
      .max(1000)
      .refine((t) => ![...t.matchAll(PLACEHOLDER)].some((m) => REFUSED.has(m[1]!)), {
        message: 'placeholders {{value}}, {{template}}, {{json}} and {{keep}} are not allowed',
      })
      .describe('The text; for example "user-{{hash:8}}@example.com".'),
  }),
  injective: {
    when: 'the template holds {{hash}} or {{hash:N}} with N of 16 or more',
    test: (p) => LONG_HASH.test(p.template),
  },
  leak: { scan: true, rowCheck: 'always' },
  nested: (p) =>
    [...p.template.matchAll(PLACEHOLDER)]
      .filter((m) => m[1] !== 'hash')
      .map((m) => ({ at: ['template'], transform: m[1]! })),
  example: { template: 'user-{{hash:8}}@example.com' },
});
