import { defineTransformer, NO_PARAMS } from './definition';

export const lorem = defineTransformer({
  name: 'lorem',
  description: "Keyed lorem ipsum about as long as the input, cut to the column's length.",
  params: NO_PARAMS,
  injective: false,
  leak: { scan: true, rowCheck: 'always' },
  suggestedFor: [{ kind: 'freeText' }],
});
