import { defineTransformer, NO_PARAMS } from './definition';

export const email = defineTransformer({
  name: 'email',
  description:
    'A fake address (first.last plus a number) at a reserved domain, so no mail can reach a real person; on a unique column 64 keyed bits make distinct inputs give distinct addresses.',
  params: NO_PARAMS,
  injective: {
    when: 'on a unique or key column (a collision then needs about 2^32 rows)',
    test: (_params, column) => column.unique,
  },
  leak: { scan: true, rowCheck: 'always' },
  suggestedFor: [{ kind: 'email' }],
});
