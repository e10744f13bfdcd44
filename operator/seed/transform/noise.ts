import type { ParamsOf } from '../../api/transformers/registry';
import type { CompileContext, ValueTransform } from './types';

export function noise(ctx: CompileContext, params: ParamsOf<'noise'>): ValueTransform {
  const { relative, min, max } = params;
  const integer = ['int2', 'int4', 'int8'].includes(ctx.column.baseType);
  return (v) => {
    const x = Number(v);
    if (!Number.isFinite(x)) return v;
    const u = ctx.keyed.digest('noise', v).readUInt32BE(0) / 0xffffffff;
    let y = x * (1 + (2 * u - 1) * relative);
    // Without explicit bounds, noise never flips a sign.
    const lo = min ?? (x >= 0 ? 0 : -Infinity);
    const hi = max ?? (x <= 0 ? 0 : Infinity);
    y = Math.min(hi, Math.max(lo, y));
    if (integer) return String(Math.round(y));
    const decimals = ctx.column.numericScale ?? v.split('.')[1]?.length ?? 6;
    return y.toFixed(decimals);
  };
}
