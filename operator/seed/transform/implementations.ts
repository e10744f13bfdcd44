import type { ParamsOf, TransformName } from '../../api/transformers/registry';
import { dateShift } from './date-shift';
import * as fake from './fake-values';
import { transformJson } from './json-paths';
import { noise } from './noise';
import { permuteInteger } from './permute';
import { template } from './template';
import type { Compile, CompileContext, ValueTransform } from './types';
import { uuidTransform } from './uuid';

// What each registered transformer does. The map's type lists every name of
// the registry (api/transformers/registry.ts): a definition without an
// implementation, or an implementation of nothing, does not compile.

type Implementation<N extends TransformName> = (
  ctx: CompileContext,
  params: ParamsOf<N>,
  compile: Compile,
) => ValueTransform;

export const IMPLEMENTATIONS: { [N in TransformName]: Implementation<N> } = {
  keep: () => (v) => v,
  null: () => () => null,
  constant: (_ctx, p) => {
    const value = String(p.value);
    return () => value;
  },
  template,
  hash:
    ({ keyed }, p) =>
    (v) =>
      fake.hashHex(keyed, 'hash', v, p.length),
  mask:
    (_ctx, { keepStart, keepEnd, char }) =>
    (v) =>
      v.length <= keepStart + keepEnd
        ? char.repeat(v.length)
        : v.slice(0, keepStart) + char.repeat(v.length - keepStart - keepEnd) + v.slice(v.length - keepEnd),
  permute: permuteInteger,
  uuid: uuidTransform,
  email:
    ({ keyed, unique, column }) =>
    (v) =>
      fake.email(keyed, v, unique, column.maxLength),
  firstName:
    ({ keyed }) =>
    (v) =>
      fake.firstName(keyed, v),
  lastName:
    ({ keyed }) =>
    (v) =>
      fake.lastName(keyed, v),
  fullName:
    ({ keyed }) =>
    (v) =>
      fake.fullName(keyed, v),
  company:
    ({ keyed }) =>
    (v) =>
      fake.company(keyed, v),
  phone:
    ({ keyed }) =>
    (v) =>
      fake.phone(keyed, v),
  street:
    ({ keyed }) =>
    (v) =>
      fake.street(keyed, v),
  city:
    ({ keyed }) =>
    (v) =>
      fake.city(keyed, v),
  zip:
    ({ keyed }) =>
    (v) =>
      fake.formatPreserving(keyed, 'zip', v),
  country:
    ({ keyed }) =>
    (v) =>
      fake.country(keyed, v),
  username:
    ({ keyed }) =>
    (v) =>
      fake.username(keyed, v),
  digits:
    ({ keyed }) =>
    (v) =>
      fake.formatPreserving(keyed, 'digits', v),
  lorem:
    ({ keyed, column }) =>
    (v) =>
      fake.lorem(keyed, v, column.maxLength),
  ipv4:
    ({ keyed }) =>
    (v) =>
      fake.ipv4(keyed, v),
  ipv6:
    ({ keyed }) =>
    (v) =>
      fake.ipv6(keyed, v),
  iban:
    ({ keyed }) =>
    (v) =>
      fake.iban(keyed, v),
  cardNumber:
    ({ keyed }) =>
    (v) =>
      fake.cardNumber(keyed, v),
  dateShift,
  noise,
  json: transformJson,
};
