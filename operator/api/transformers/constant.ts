import { z } from 'zod';
import { defineTransformer } from './definition';

export const constant = defineTransformer({
  name: 'constant',
  description: 'Writes params.value in every row.',
  params: z.strictObject({
    value: z
      .union([z.string(), z.number().int()], {
        error: 'must be a string or a whole number (quote decimals and booleans)',
      })
      .meta({ 'x-kubernetes-int-or-string': true })
      .describe('The value written, as text or a whole number.'),
  }),
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  example: { value: 'redacted' },
});
