import { defineTransformer, NO_PARAMS } from './definition';

export const ipv4 = defineTransformer({
  name: 'ipv4',
  description: 'An IPv4 address (first octet 1–223, last 1–254) from the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'always' },
  suggestedFor: [{ kind: 'ip' }],
});
