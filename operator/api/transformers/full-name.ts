import { defineTransformer, NO_PARAMS } from './definition';

export const fullName = defineTransformer({
  name: 'fullName',
  description: 'A first and a last name, chosen by the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  suggestedFor: [{ kind: 'fullName' }],
});
