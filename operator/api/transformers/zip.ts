import { defineTransformer, NO_PARAMS } from './definition';

export const zip = defineTransformer({
  name: 'zip',
  description: 'Every digit and letter replaced by a keyed one, separators kept: a postal code of the same shape.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  suggestedFor: [{ kind: 'zip' }],
});
