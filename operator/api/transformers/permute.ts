import { z } from 'zod';
import { defineTransformer } from './definition';

export const permute = defineTransformer({
  name: 'permute',
  description:
    'A keyed Feistel permutation of an integer column: distinct values stay distinct, keys stay keys, and negative values map among negatives (signs survive).',
  params: z.strictObject({
    bits: z
      .number()
      .int()
      .min(2)
      .max(52)
      .optional()
      .describe(
        "Width of the permuted domain in bits (2–52); the column's type when omitted: 15 for smallint, 31 for integer, 52 for bigint.",
      ),
  }),
  injective: true,
  leak: { scan: false, rowCheck: 'never' },
  example: { bits: 24 },
});
