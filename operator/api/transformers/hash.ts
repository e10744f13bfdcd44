import { z } from 'zod';
import { defineTransformer } from './definition';

export const hash = defineTransformer({
  name: 'hash',
  description: "Lowercase hex of the keyed HMAC-SHA256 of the value, cut to params.length and to the column's length.",
  params: z.strictObject({
    length: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(32)
      .describe('Hex characters kept (at most 64); 16 or more keeps distinct values distinct.'),
  }),
  injective: { when: 'params.length is 16 or more (the default, 32, is)', test: (p) => p.length >= 16 },
  leak: { scan: true, rowCheck: 'always' },
  suggestedFor: [{ kind: 'secret' }],
  example: { length: 16 },
});
