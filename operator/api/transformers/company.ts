import { defineTransformer, NO_PARAMS } from './definition';

export const company = defineTransformer({
  name: 'company',
  description: 'A company name (a word and a legal suffix), chosen by the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  suggestedFor: [{ kind: 'company' }],
});
