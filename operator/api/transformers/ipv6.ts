import { defineTransformer, NO_PARAMS } from './definition';

export const ipv6 = defineTransformer({
  name: 'ipv6',
  description: 'An IPv6 address inside 2001:db8::/32, the documentation prefix, from the keyed digest of the input.',
  params: NO_PARAMS,
  injective: false,
  leak: { scan: false, rowCheck: 'always' },
});
