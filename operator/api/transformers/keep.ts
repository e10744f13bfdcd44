import { defineTransformer, NO_PARAMS } from './definition';

export const keep = defineTransformer({
  name: 'keep',
  description:
    'Copies the value unchanged (anonymize) or samples it from the profile (synthesize). Says the column holds nothing personal.',
  params: NO_PARAMS,
  injective: true,
  leak: { scan: false, rowCheck: 'never' },
  identity: true,
});
