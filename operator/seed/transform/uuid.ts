import { Uuid128Permutation } from '../keyed';
import { hashHex } from './fake-values';
import type { CompileContext, ValueTransform } from './types';

/** How PostgreSQL prints a uuid; the common case takes the fast path. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function uuidTransform(ctx: CompileContext): ValueTransform {
  const perm = new Uuid128Permutation(ctx.keyed.roundKeys('uuid', 16));
  return (v) => {
    if (CANONICAL_UUID.test(v)) return perm.applyCanonical(v);
    const hex = v.replace(/-/g, '').toLowerCase();
    // Non-UUID text gets a UUID-shaped keyed digest: collision-resistant, not a permutation.
    const out = /^[0-9a-f]{32}$/.test(hex) ? perm.apply(hex) : hashHex(ctx.keyed, 'uuid-text', v, 32);
    return `${out.slice(0, 8)}-${out.slice(8, 12)}-${out.slice(12, 16)}-${out.slice(16, 20)}-${out.slice(20)}`;
  };
}
