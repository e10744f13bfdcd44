import { createHash } from 'node:crypto';
import { isRecord, type KubeObject } from '../../environment/objects';
import { parseQuantity } from '../../api/values/quantity';
import { compare } from '../../api/values/rational';
import { canonicalJson } from '../../environment/revision';

// Whether an object must be applied again. A reconcile with nothing to
// change must not write, so each applied object carries a digest of what
// was applied: a different digest means the desired object changed (fields
// removed included, which a comparison against the live object cannot see).
// A matching digest is not enough on its own, because someone may have
// edited or removed a field the operator owns since: every desired field
// must still hold its value in the live object, allowing for what the API
// server does to values (canonical quantities, dropped zero values).

export const APPLIED_HASH_ANNOTATION = 'understudy.dev/applied-hash';

export function appliedHash(object: KubeObject): string {
  const annotations = { ...object.metadata.annotations };
  delete annotations[APPLIED_HASH_ANNOTATION];
  const unmarked = { ...object, metadata: { ...object.metadata, annotations } };
  return createHash('sha256').update(canonicalJson(unmarked)).digest('hex').slice(0, 32);
}

/** The object as it is applied: with the digest of its own content. */
export function withAppliedHash(object: KubeObject): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      annotations: { ...object.metadata.annotations, [APPLIED_HASH_ANNOTATION]: appliedHash(object) },
    },
  };
}

/** True when applying `desired` (already marked by withAppliedHash) would change nothing we own in `live`. */
export function isUpToDate(desired: KubeObject, live: KubeObject | undefined): boolean {
  if (!live) return false;
  if (live.metadata.deletionTimestamp) return false;
  const hash = desired.metadata.annotations?.[APPLIED_HASH_ANNOTATION];
  if (hash === undefined || live.metadata.annotations?.[APPLIED_HASH_ANNOTATION] !== hash) return false;
  return holds(desired, live, []);
}

/** Keys whose quantities the API server rewrites in canonical form (`1000m` is stored as `1`). */
const QUANTITY_PARENTS = new Set([
  'requests',
  'limits',
  'hard',
  'default',
  'defaultRequest',
  'min',
  'max',
  'capacity',
  'maxLimitRequestRatio',
]);

/** Every field of `desired` holds in `live`; fields only `live` has belong to the server or to others. */
export function holds(desired: unknown, live: unknown, path: readonly string[]): boolean {
  if (isZeroValue(desired) && (live === undefined || live === null)) return true;
  if (Array.isArray(desired)) {
    if (!Array.isArray(live) || live.length !== desired.length) return false;
    return desired.every((item, i) => holds(item, live[i], [...path, String(i)]));
  }
  if (isRecord(desired)) {
    if (!isRecord(live)) return false;
    return Object.entries(desired).every(([key, value]) => holds(value, live[key], [...path, key]));
  }
  if (desired === live) return true;
  if (typeof desired === 'string' && typeof live === 'string' && sameQuantity(desired, live, path)) return true;
  // YAML may say 8080 where the server answers "8080" for an int-or-string field, and the reverse.
  return (
    (typeof desired === 'number' || typeof desired === 'string') &&
    (typeof live === 'number' || typeof live === 'string') &&
    String(desired) === String(live)
  );
}

/** Go's omitempty drops these, so the live object lacks the field rather than holding the value. */
function isZeroValue(value: unknown): boolean {
  if (value === null || value === undefined || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return isRecord(value) && Object.keys(value).length === 0;
}

function sameQuantity(desired: string, live: string, path: readonly string[]): boolean {
  const parent = path[path.length - 2];
  if (parent === undefined || !QUANTITY_PARENTS.has(parent)) return false;
  const a = parseQuantity(desired);
  const b = parseQuantity(live);
  return a.ok && b.ok && compare(a.quantity.value, b.quantity.value) === 0;
}
