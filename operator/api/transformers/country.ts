import { defineTransformer, NO_PARAMS } from './definition';

export const country = defineTransformer({
  name: 'country',
  description: 'A country name from a fixed list, chosen by the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
});
