import { defineTransformer, NO_PARAMS } from './definition';

export const cardNumber = defineTransformer({
  name: 'cardNumber',
  description:
    "A Luhn-valid card number in the 4xxx range with the input's digit count (13–19, else 16), from the keyed digest of the input.",
  params: NO_PARAMS,
  injective: false,
  leak: { scan: true, rowCheck: 'always' },
  suggestedFor: [{ kind: 'cardNumber' }],
});
