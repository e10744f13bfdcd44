import { z } from 'zod';
import { defineTransformer } from './definition';

export const mask = defineTransformer({
  name: 'mask',
  description:
    'Replaces every character but the first keepStart and the last keepEnd with char; values no longer than both are masked entirely. The length survives.',
  params: z.strictObject({
    keepStart: z.number().int().min(0).max(1000).default(0).describe('Characters kept at the start.'),
    keepEnd: z.number().int().min(0).max(1000).default(4).describe('Characters kept at the end.'),
    char: z.string().length(1).default('*').describe('The masking character.'),
  }),
  injective: false,
  leak: { scan: true, rowCheck: 'never' },
  example: { keepEnd: 4 },
});
