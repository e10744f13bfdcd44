import { z } from 'zod';
import { defineTransformer } from './definition';

export const noise = defineTransformer({
  name: 'noise',
  description:
    "Multiplies a number by a keyed factor in [1 - relative, 1 + relative], clamped to [min, max] and rounded to the column's scale. Without bounds the sign never flips; values that are not numbers are kept.",
  params: z
    .strictObject({
      relative: z.number().min(0).max(1).default(0.1).describe('Largest relative change, from 0 to 1.'),
      min: z.number().optional().describe('Lower bound of the output; 0 for non-negative inputs when omitted.'),
      max: z.number().optional().describe('Upper bound of the output; 0 for non-positive inputs when omitted.'),
    })
    .refine((p) => p.min === undefined || p.max === undefined || p.min <= p.max, {
      path: ['min'],
      message: 'must not be above max',
    }),
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  suggestedFor: [{ kind: 'geo', params: { relative: 0.01 } }],
  example: { relative: 0.05, min: 0 },
});
