import { defineTransformer, NO_PARAMS } from './definition';

export const uuid = defineTransformer({
  name: 'uuid',
  description:
    'A keyed permutation over 128 bits for UUIDs, so distinct UUIDs stay distinct; other text gets a UUID-shaped keyed digest.',
  params: NO_PARAMS,
  injective: true,
  leak: { scan: false, rowCheck: 'always' },
});
