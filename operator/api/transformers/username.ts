import { defineTransformer, NO_PARAMS } from './definition';

export const username = defineTransformer({
  name: 'username',
  description:
    'A lowercase user name: a first and a last name and a number below 1000, chosen by the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
  suggestedFor: [{ kind: 'username' }],
});
