// Request templates: literal text with {{ function args }} placeholders, compiled
// once into parts so rendering a request is a loop over strings, not a parse.
//
//   {{int 1 100}}       an integer in [1, 100]
//   {{pick a b c}}      one of the words
//   {{value userIds}}   one of the scenario's named values (ids that exist in the seeded database)
//   {{seq}}             0, 1, 2, ... per generator
//   {{uuid}}            a random UUID v4

export type Random = () => number;

export interface TemplateContext {
  random: Random;
  values: Readonly<Record<string, readonly string[]>>;
  /** Next sequence number; shared by every template of one generator. */
  sequence: () => number;
}

type Part = string | ((ctx: TemplateContext) => string);

export interface Template {
  readonly source: string;
  /** True when the template has no placeholder (rendering returns the source). */
  readonly constant: boolean;
  render(ctx: TemplateContext): string;
}

export class TemplateError extends Error {}

const FUNCTIONS = ['int', 'pick', 'value', 'seq', 'uuid'] as const;

/**
 * Compiles a template. `encode` applies to substituted values only (URL paths
 * encode them; bodies and headers take them verbatim). `values` are the names
 * {{value NAME}} may use, checked now so a typo fails before the first request.
 */
export function compileTemplate(
  source: string,
  options: { encode?: (value: string) => string; valueNames?: readonly string[] } = {},
): Template {
  const parts: Part[] = [];
  let at = 0;
  while (at < source.length) {
    const open = source.indexOf('{{', at);
    if (open < 0) {
      parts.push(source.slice(at));
      break;
    }
    if (open > at) parts.push(source.slice(at, open));
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(`unclosed {{ at position ${open}`);
    const fn = compileCall(source.slice(open + 2, close).trim(), open, options.valueNames);
    const encode = options.encode;
    parts.push(encode ? (ctx) => encode(fn(ctx)) : fn);
    at = close + 2;
  }
  const merged = mergeLiterals(parts);
  const constant = merged.every((p) => typeof p === 'string');
  if (constant) return { source, constant, render: () => source };
  return {
    source,
    constant,
    render(ctx) {
      let out = '';
      for (const part of merged) out += typeof part === 'string' ? part : part(ctx);
      return out;
    },
  };
}

function mergeLiterals(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const part of parts) {
    const last = out[out.length - 1];
    if (typeof part === 'string' && typeof last === 'string') out[out.length - 1] = last + part;
    else if (part !== '') out.push(part);
  }
  return out;
}

function compileCall(
  expression: string,
  position: number,
  valueNames: readonly string[] | undefined,
): (ctx: TemplateContext) => string {
  const [name, ...args] = expression.split(/\s+/).filter((word) => word !== '');
  const where = `{{${expression}}} at position ${position}`;
  const arity = (count: number): void => {
    if (args.length !== count)
      throw new TemplateError(`${where}: ${name} takes ${count} argument${count === 1 ? '' : 's'}, got ${args.length}`);
  };
  switch (name) {
    case 'int': {
      arity(2);
      const [low, high] = args.map(Number) as [number, number];
      if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || low > high)
        throw new TemplateError(`${where}: int needs two integers, the first not above the second`);
      const span = high - low + 1;
      return (ctx) => String(low + Math.floor(ctx.random() * span));
    }
    case 'pick': {
      if (args.length === 0) throw new TemplateError(`${where}: pick needs at least one word`);
      const words = args;
      return (ctx) => words[Math.floor(ctx.random() * words.length)] as string;
    }
    case 'value': {
      arity(1);
      const key = args[0] as string;
      if (valueNames && !valueNames.includes(key))
        throw new TemplateError(
          `${where}: no values named ${key}${valueNames.length ? ` (known: ${valueNames.join(', ')})` : ' (the scenario defines no values)'}`,
        );
      return (ctx) => {
        const list = ctx.values[key];
        if (!list || list.length === 0) throw new TemplateError(`{{value ${key}}}: no values named ${key}`);
        return list[Math.floor(ctx.random() * list.length)] as string;
      };
    }
    case 'seq':
      arity(0);
      return (ctx) => String(ctx.sequence());
    case 'uuid':
      arity(0);
      return (ctx) => uuidFrom(ctx.random);
    default:
      throw new TemplateError(
        `${where}: unknown function ${JSON.stringify(name ?? '')} (known: ${FUNCTIONS.join(', ')})`,
      );
  }
}

function uuidFrom(random: Random): string {
  const hex = (count: number): string => {
    let out = '';
    for (let i = 0; i < count; i++) out += Math.floor(random() * 16).toString(16);
    return out;
  };
  const variant = (8 + Math.floor(random() * 4)).toString(16);
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
}

/** A small seeded PRNG (mulberry32): runs are reproducible and each worker draws its own stream. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
