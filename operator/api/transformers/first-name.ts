import { defineTransformer, NO_PARAMS } from './definition';

export const firstName = defineTransformer({
  name: 'firstName',
  description: 'A first name from a fixed list of common ones, chosen by the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  suggestedFor: [{ kind: 'firstName' }],
});
