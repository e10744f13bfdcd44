import { z } from 'zod';
import { defineTransformer } from './definition';

const PathSchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .max(500)
    .refine((p) => p.replace(/^\$\.?/, '') !== '', {
      message: 'selects nothing; name a key, for example $.customer.email',
    })
    .describe('Where the leaves are: $.a.b, a.b[*].c or a.*.c; * matches every key or array element.'),
  transform: z.string().min(1).describe('Transformer applied to every leaf on the path.'),
  params: z
    .record(z.string(), z.unknown())
    .optional()
    .meta({ 'x-kubernetes-preserve-unknown-fields': true, additionalProperties: undefined })
    .describe('Parameters of that transformer; checked by the operator (a schema cannot nest itself).'),
});

export const json = defineTransformer({
  name: 'json',
  description:
    'Masks leaves of a JSON document by path, each with its own transformer; everything off the paths is kept. Numbers stay numbers when the output is numeric.',
  params: z.strictObject({
    paths: z.array(PathSchema).min(1).max(64).describe('The paths and their transformers.'),
  }),
  injective: false,
  leak: { scan: false, rowCheck: 'always' },
  nested: (p) => p.paths.map((entry, i) => ({ at: ['paths', i], transform: entry.transform, params: entry.params })),
  example: { paths: [{ path: '$.customer.email', transform: 'email' }] },
});
