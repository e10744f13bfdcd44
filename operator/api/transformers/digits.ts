import { defineTransformer, NO_PARAMS } from './definition';

export const digits = defineTransformer({
  name: 'digits',
  description:
    'Every digit and letter replaced by a keyed one, separators kept: national ids, account numbers and other codes keep their format.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'longValues' },
  suggestedFor: [{ kind: 'nationalId' }],
});
