import { isTransformName, type ParamsOf, unknownTransformMessage } from '../../api/transformers/registry';
import type { Compile, CompileContext, ValueTransform } from './types';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface PathRule {
  steps: string[];
  apply: ValueTransform;
}

/** `$.a.b[*].c` or `a.b.*.c` into steps; `*` matches every key or array element. */
export function parseJsonPath(path: string): string[] {
  const trimmed = path.replace(/^\$\.?/, '');
  if (trimmed === '') throw new Error(`JSON path "${path}" selects nothing`);
  return trimmed
    .replace(/\[\*\]/g, '.*')
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
}

/** Sets an own property, `__proto__` included (a plain assignment would change the prototype). */
function setOwn(node: { [key: string]: Json }, key: string, value: Json): void {
  if (key === '__proto__')
    Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
  else node[key] = value;
}

/** Replaces the leaves under `steps` in place: the document is freshly parsed and ours, so copying it would only make garbage. */
function applyAt(node: Json, steps: string[], at: number, apply: ValueTransform): Json {
  if (at === steps.length) {
    if (node === null || typeof node === 'object') return node;
    const out = apply(String(node), () => null);
    return typeof node === 'number' && out !== null && Number.isFinite(Number(out)) ? Number(out) : out;
  }
  const step = steps[at]!;
  if (Array.isArray(node)) {
    if (step === '*') {
      for (let i = 0; i < node.length; i++) node[i] = applyAt(node[i]!, steps, at + 1, apply);
    } else {
      const i = Number(step);
      if (String(i) === step && i < node.length) node[i] = applyAt(node[i]!, steps, at + 1, apply);
    }
    return node;
  }
  if (node !== null && typeof node === 'object') {
    if (step === '*') for (const key of Object.keys(node)) setOwn(node, key, applyAt(node[key]!, steps, at + 1, apply));
    else if (Object.hasOwn(node, step)) setOwn(node, step, applyAt(node[step]!, steps, at + 1, apply));
    return node;
  }
  return node;
}

/** Masks leaves of a JSON document by path (params.paths: [{path, transform, params}]); leaves not on a path are kept. */
export function transformJson(ctx: CompileContext, params: ParamsOf<'json'>, compile: Compile): ValueTransform {
  const rules: PathRule[] = params.paths.map((entry, i) => {
    if (!isTransformName(entry.transform))
      throw new Error(`params.paths[${i}].transform: ${unknownTransformMessage(entry.transform)}`);
    const leafColumn = { ...ctx.column, baseType: 'text' as const, maxLength: undefined, isArray: false };
    return {
      steps: parseJsonPath(entry.path),
      apply: compile(
        { transform: entry.transform, params: entry.params },
        { ...ctx, column: leafColumn, unique: false },
      ),
    };
  });
  return (v) => {
    let doc: Json;
    try {
      doc = JSON.parse(v) as Json;
    } catch {
      throw new Error(`column ${ctx.column.name} holds a value that is not JSON`);
    }
    for (const rule of rules) doc = applyAt(doc, rule.steps, 0, rule.apply);
    return JSON.stringify(doc);
  };
}
