import { isTransformName, type ParamsOf, unknownTransformMessage } from '../../api/transformers/registry';
import { PLACEHOLDER } from '../../api/transformers/template';
import { hashHex } from './fake-values';
import type { Compile, CompileContext, ValueTransform } from './types';

/** Literal text and placeholders, each placeholder compiled once. */
export function template(ctx: CompileContext, params: ParamsOf<'template'>, compile: Compile): ValueTransform {
  const text = params.template;
  const parts: Array<string | ValueTransform> = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, m.index));
    const name = m[1]!;
    if (name === 'hash') {
      const length = Number(m[2] ?? 16);
      parts.push((v) => hashHex(ctx.keyed, 'template-hash', v, length));
    } else {
      if (!isTransformName(name)) throw new Error(`params.template: ${unknownTransformMessage(name)}`);
      parts.push(compile({ transform: name }, { ...ctx, unique: false }));
    }
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return (v, row) => parts.map((p) => (typeof p === 'string' ? p : (p(v, row) ?? ''))).join('');
}
