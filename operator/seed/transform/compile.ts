import {
  isInjectiveWith,
  parseParams,
  pathText,
  TRANSFORMERS,
  type TransformName,
} from '../../api/transformers/registry';
import { IMPLEMENTATIONS } from './implementations';
import type { CompileContext, TransformSpec, ValueTransform } from './types';

export type { CompileContext, RowLookup, TransformSpec, ValueTransform } from './types';

/** A rule's parameters parsed by its transformer's schema, defaults filled in; throws naming the parameter and the wrong value. */
export function parsedParams<N extends TransformName>(spec: { transform: N; params?: Record<string, unknown> }) {
  const result = parseParams(spec.transform, spec.params);
  if (!result.ok) throw new Error(result.issues.map((i) => `${pathText(i.path)} ${i.message}`).join('; '));
  return result.params;
}

function withMaxLength(t: ValueTransform, maxLength: number | undefined): ValueTransform {
  if (maxLength === undefined) return t;
  return (v, row) => {
    const out = t(v, row);
    return out !== null && out.length > maxLength ? out.slice(0, maxLength) : out;
  };
}

/** Builds the function that masks (or, fed synthetic inputs, generates) one column; outputs fit varchar(n). */
export function compileTransform(spec: TransformSpec, ctx: CompileContext): ValueTransform {
  const params = parsedParams(spec);
  // The map is exhaustive per name; TypeScript cannot correlate the name with its params type through a union.
  const implement = IMPLEMENTATIONS[spec.transform] as (
    ctx: CompileContext,
    params: unknown,
    compile: typeof compileTransform,
  ) => ValueTransform;
  const inner = implement(ctx, params, compileTransform);
  return TRANSFORMERS.get(spec.transform)?.identity ? inner : withMaxLength(inner, ctx.column.maxLength);
}

/** Whether distinct inputs always give distinct outputs (or do with overwhelming probability). */
export function isInjective(spec: TransformSpec, unique: boolean): boolean {
  return isInjectiveWith(TRANSFORMERS.get(spec.transform)!, parsedParams(spec), { unique });
}

/** Other columns of the row the transform reads (a per-entity dateShift's entityColumn). */
export function rowColumnsOf(spec: TransformSpec): string[] {
  return TRANSFORMERS.get(spec.transform)?.rowColumns?.(parsedParams(spec)) ?? [];
}
