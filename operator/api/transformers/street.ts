import { defineTransformer, NO_PARAMS } from './definition';

export const street = defineTransformer({
  name: 'street',
  description: 'A street address: a house number, a street name and a suffix, chosen by the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  suggestedFor: [{ kind: 'street' }, { kind: 'address' }],
});
