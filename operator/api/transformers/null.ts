import { defineTransformer, NO_PARAMS } from './definition';

export const nullTransformer = defineTransformer({
  name: 'null',
  description: 'Writes NULL; refused on a NOT NULL column.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'never' },
});
