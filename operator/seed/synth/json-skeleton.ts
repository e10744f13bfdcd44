import { parseJsonPath } from '../transform/json-paths';
import type { Rng } from './rng';

// A synthesized JSON column masked by a `json` rule has no production
// document to mask: its profile keeps no values (the rule says they are
// sensitive). The rule's own paths say what the documents hold, so each row
// gets a document with exactly those paths, every leaf a fresh token; the
// rule's transformers then turn the tokens into fake emails, names, and so on.
// Nothing of production is read.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** `*` and numeric steps are array positions: one element, or the element at that index. */
function place(node: Json | undefined, steps: readonly string[], at: number, leaf: () => string): Json {
  if (at === steps.length) return node !== undefined && node !== null && typeof node === 'object' ? node : leaf();
  const step = steps[at]!;
  const index = step === '*' ? 0 : /^\d{1,3}$/.test(step) ? Number(step) : undefined;
  if (index !== undefined) {
    const array: Json[] = Array.isArray(node) ? node : [];
    while (array.length <= index) array.push(null);
    array[index] = place(array[index] ?? undefined, steps, at + 1, leaf);
    return array;
  }
  const object: { [key: string]: Json } =
    node !== null && node !== undefined && typeof node === 'object' && !Array.isArray(node) ? node : {};
  const child = Object.hasOwn(object, step) ? object[step] : undefined;
  Object.defineProperty(object, step, {
    value: place(child, steps, at + 1, leaf),
    enumerable: true,
    writable: true,
    configurable: true,
  });
  return object;
}

export interface JsonRulePath {
  path: string;
  transform: string;
}

/**
 * Documents holding every path of a `json` rule. A leaf is what its
 * transformer is fed: `shape(transform)` when that transformer keeps the
 * input's format (a phone number's digits), else a fresh token.
 */
export function jsonSkeletonSampler(
  paths: readonly JsonRulePath[],
  prefix: string,
  fresh: (rng: Rng) => number,
  shape: (transform: string) => ((rng: Rng) => string) | undefined = () => undefined,
): (rng: Rng) => string {
  const parsed = paths.map(({ path, transform }) => ({ path, steps: parseJsonPath(path), shaped: shape(transform) }));
  return (rng) => {
    const n = fresh(rng);
    let doc: Json | undefined;
    for (const { path, steps, shaped } of parsed)
      doc = place(doc, steps, 0, () => (shaped ? shaped(rng) : `${prefix}${path}#${n}`));
    return JSON.stringify(doc ?? {});
  };
}

/** The paths of a `json` rule's params, when they are what the transformer accepts. */
export function jsonRulePaths(params: unknown): JsonRulePath[] | undefined {
  const paths = (params as { paths?: unknown } | undefined)?.paths;
  if (!Array.isArray(paths)) return undefined;
  const out: JsonRulePath[] = [];
  for (const entry of paths) {
    const { path, transform } = (entry ?? {}) as { path?: unknown; transform?: unknown };
    if (typeof path !== 'string' || typeof transform !== 'string') return undefined;
    out.push({ path, transform });
  }
  return out;
}
