import type { ParamsOf } from '../../api/transformers/registry';
import { IntPermutation } from '../keyed';
import type { CompileContext, ValueTransform } from './types';

const DEFAULT_BITS: Record<string, number> = { int2: 15, int4: 31, int8: 52 };

export function permuteInteger(ctx: CompileContext, params: ParamsOf<'permute'>): ValueTransform {
  const bits = params.bits ?? DEFAULT_BITS[ctx.column.baseType];
  if (bits === undefined) throw new Error(`permute needs an integer column, ${ctx.column.name} is ${ctx.column.type}`);
  const perm = new IntPermutation(ctx.keyed.roundKeys(`permute/${bits}`, 8), bits);
  // Negative values map among negatives, so signs (and CHECK (id > 0)) survive.
  return (v) => {
    const n = Number(v);
    return String(n >= 0 ? perm.apply(n) : -1 - perm.apply(-1 - n));
  };
}
