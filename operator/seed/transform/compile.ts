import type { TransformName } from '../../api/dataseed';
import { IntPermutation, Uuid128Permutation } from '../keyed';
import { shiftDateText } from './dates';
import * as fake from './fake-values';
import { transformJson } from './json-paths';
import type { CompileContext, RowLookup, TransformSpec, ValueTransform } from './types';

export type { CompileContext, RowLookup, TransformSpec, ValueTransform } from './types';

export function param<T extends 'string' | 'number' | 'boolean'>(
  params: Record<string, unknown> | undefined,
  name: string,
  type: T,
): (T extends 'string' ? string : T extends 'number' ? number : boolean) | undefined {
  const value = params?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== type) throw new Error(`params.${name} must be a ${type}, got ${JSON.stringify(value)}`);
  return value as never;
}

const DEFAULT_BITS: Record<string, number> = { int2: 15, int4: 31, int8: 52 };

function permuteInteger(ctx: CompileContext, params: Record<string, unknown> | undefined): ValueTransform {
  const bits = param(params, 'bits', 'number') ?? DEFAULT_BITS[ctx.column.baseType];
  if (bits === undefined) throw new Error(`permute needs an integer column, ${ctx.column.name} is ${ctx.column.type}`);
  const perm = new IntPermutation(ctx.keyed.roundKeys(`permute/${bits}`, 8), bits);
  // Negative values map among negatives, so signs (and CHECK (id > 0)) survive.
  return (v) => {
    const n = Number(v);
    return String(n >= 0 ? perm.apply(n) : -1 - perm.apply(-1 - n));
  };
}

/** How PostgreSQL prints a uuid; the common case takes the fast path. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function uuidTransform(ctx: CompileContext): ValueTransform {
  const perm = new Uuid128Permutation(ctx.keyed.roundKeys('uuid', 16));
  return (v) => {
    if (CANONICAL_UUID.test(v)) return perm.applyCanonical(v);
    const hex = v.replace(/-/g, '').toLowerCase();
    // Non-UUID text gets a UUID-shaped keyed digest: collision-resistant, not a permutation.
    const out = /^[0-9a-f]{32}$/.test(hex) ? perm.apply(hex) : fake.hashHex(ctx.keyed, 'uuid-text', v, 32);
    return `${out.slice(0, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}-${out.slice(16, 20)}-${out.slice(20)}`;
  };
}

function noise(ctx: CompileContext, params: Record<string, unknown> | undefined): ValueTransform {
  const relative = param(params, 'relative', 'number') ?? 0.1;
  const min = param(params, 'min', 'number');
  const max = param(params, 'max', 'number');
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
    const decimals = ctx.column.numericScale ?? (v.split('.')[1]?.length ?? 6);
    return y.toFixed(decimals);
  };
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z]+)(?::([0-9]+))?\s*\}\}/g;

function template(ctx: CompileContext, params: Record<string, unknown> | undefined): ValueTransform {
  const text = param(params, 'template', 'string');
  if (text === undefined) throw new Error('template needs params.template, e.g. "user-{{hash:8}}@example.com"');
  const parts: Array<string | ValueTransform> = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    parts.push(text.slice(last, m.index));
    const name = m[1]!;
    if (name === 'hash') {
      const length = Number(m[2] ?? 16);
      parts.push((v) => fake.hashHex(ctx.keyed, 'template-hash', v, length));
    } else if (name === 'value' || name === 'template' || name === 'json' || name === 'keep') {
      throw new Error(`template placeholder {{${name}}} is not allowed`);
    } else {
      parts.push(compileTransform({ transform: name as TransformName }, { ...ctx, unique: false }));
    }
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return (v, row) => parts.map((p) => (typeof p === 'string' ? p : (p(v, row) ?? ''))).join('');
}

function dateShift(ctx: CompileContext, params: Record<string, unknown> | undefined): ValueTransform {
  const days = param(params, 'days', 'number') ?? 30;
  const entity = param(params, 'entityColumn', 'string');
  if (!Number.isInteger(days) || days < 1) throw new Error(`params.days must be a positive integer, got ${JSON.stringify(days)}`);
  return (v, row) => {
    // The same entity (say, one user) moves all its dates by the same offset, so intervals survive.
    const subject = entity !== undefined ? (row(entity) ?? '') : v;
    const offset = 1 + ctx.keyed.pick('dateShift', subject, days * 2);
    return shiftDateText(v, offset > days ? offset - 2 * days - 1 : offset);
  };
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
  const inner = compileInner(spec, ctx);
  return spec.transform === 'keep' ? inner : withMaxLength(inner, ctx.column.maxLength);
}

function compileInner(spec: TransformSpec, ctx: CompileContext): ValueTransform {
  const { keyed, column } = ctx;
  const p = spec.params;
  const max = column.maxLength;
  switch (spec.transform) {
    case 'keep': return (v) => v;
    case 'null': return () => null;
    case 'constant': {
      const value = p?.value;
      if (value === undefined || value === null || typeof value === 'object') throw new Error('constant needs params.value (a string or number)');
      return () => String(value);
    }
    case 'hash': {
      const length = param(p, 'length', 'number') ?? Math.min(32, max ?? 32);
      return (v) => fake.hashHex(keyed, 'hash', v, length);
    }
    case 'mask': {
      const keepStart = param(p, 'keepStart', 'number') ?? 0;
      const keepEnd = param(p, 'keepEnd', 'number') ?? 4;
      const char = param(p, 'char', 'string') ?? '*';
      return (v) => (v.length <= keepStart + keepEnd ? char.repeat(v.length) : v.slice(0, keepStart) + char.repeat(v.length - keepStart - keepEnd) + v.slice(v.length - keepEnd));
    }
    case 'permute': return permuteInteger(ctx, p);
    case 'uuid': return uuidTransform(ctx);
    case 'email': return (v) => fake.email(keyed, v, ctx.unique, max);
    case 'firstName': return (v) => fake.firstName(keyed, v);
    case 'lastName': return (v) => fake.lastName(keyed, v);
    case 'fullName': return (v) => fake.fullName(keyed, v);
    case 'company': return (v) => fake.company(keyed, v);
    case 'username': return (v) => fake.username(keyed, v);
    case 'phone': return (v) => fake.phone(keyed, v);
    case 'street': return (v) => fake.street(keyed, v);
    case 'city': return (v) => fake.city(keyed, v);
    case 'zip': return (v) => fake.formatPreserving(keyed, 'zip', v);
    case 'digits': return (v) => fake.formatPreserving(keyed, 'digits', v);
    case 'country': return (v) => fake.country(keyed, v);
    case 'lorem': return (v) => fake.lorem(keyed, v, max);
    case 'ipv4': return (v) => fake.ipv4(keyed, v);
    case 'ipv6': return (v) => fake.ipv6(keyed, v);
    case 'iban': return (v) => fake.iban(keyed, v);
    case 'cardNumber': return (v) => fake.cardNumber(keyed, v);
    case 'dateShift': return dateShift(ctx, p);
    case 'noise': return noise(ctx, p);
    case 'template': return template(ctx, p);
    case 'json': return transformJson(ctx, p, compileTransform);
  }
}

/** Whether distinct inputs always give distinct outputs (or do with overwhelming probability). */
export function isInjective(spec: TransformSpec, unique: boolean): boolean {
  switch (spec.transform) {
    case 'keep': case 'permute': case 'uuid': return true;
    case 'hash': return (param(spec.params, 'length', 'number') ?? 32) >= 16;
    case 'email': return unique;
    case 'template': return /\{\{\s*hash(:(1[6-9]|[2-6][0-9]))?\s*\}\}/.test(String(spec.params?.template ?? ''));
    default: return false;
  }
}
