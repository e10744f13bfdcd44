import type { ParamsOf } from '../../api/transformers/registry';
import { shiftDateText } from './dates';
import type { CompileContext, ValueTransform } from './types';

export function dateShift(ctx: CompileContext, params: ParamsOf<'dateShift'>): ValueTransform {
  const { days, entityColumn } = params;
  return (v, row) => {
    // The same entity (say, one user) moves all its dates by the same offset, so intervals survive.
    const subject = entityColumn !== undefined ? (row(entityColumn) ?? '') : v;
    const offset = 1 + ctx.keyed.pick('dateShift', subject, days * 2);
    return shiftDateText(v, offset > days ? offset - 2 * days - 1 : offset);
  };
}
