import { z } from 'zod';
import { defineTransformer } from './definition';

export const dateShift = defineTransformer({
  name: 'dateShift',
  description:
    'Moves a date or timestamp by a keyed number of whole days in [-days, days], never 0; the time of day and zone are kept. With entityColumn, every row of one entity moves by the same offset, so intervals between its dates survive.',
  params: z.strictObject({
    days: z.number().int().min(1).max(36_500).default(30).describe('Largest shift in days, either way.'),
    entityColumn: z
      .string()
      .min(1)
      .optional()
      .describe('A column of the same row naming the entity (a user id, say) whose dates move together.'),
  }),
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  rowColumns: (p) => (p.entityColumn === undefined ? [] : [p.entityColumn]),
  suggestedFor: [{ kind: 'dateOfBirth', params: { days: 180 } }],
  example: { days: 30, entityColumn: 'user_id' },
});
