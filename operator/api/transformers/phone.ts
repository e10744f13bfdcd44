import { defineTransformer, NO_PARAMS } from './definition';

export const phone = defineTransformer({
  name: 'phone',
  description:
    'Every digit and letter replaced by a keyed one, separators kept: the number keeps its shape (+1-555-… for inputs without digits).',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'longValues' },
  suggestedFor: [{ kind: 'phone' }],
});
