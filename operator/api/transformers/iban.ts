import { defineTransformer, NO_PARAMS } from './definition';

export const iban = defineTransformer({
  name: 'iban',
  description: 'A German-format IBAN (22 characters) with valid check digits, from the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: true, rowCheck: 'always' },
  suggestedFor: [{ kind: 'iban' }],
});
