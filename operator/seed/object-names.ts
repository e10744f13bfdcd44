import { createHash } from 'node:crypto';

// Names of the objects made for a DataSeed (its seed Job, ServiceAccount,
// Role, RoleBinding) and the label value naming it, derived from the
// DataSeed's name. A DataSeed may be named with up to 253 characters and dots;
// a Job name, a label value and the names used as label values by the Job
// controller must be RFC 1123 labels of at most 63. Cutting alone can leave a
// trailing `-` (an invalid name: the seed never ran) and makes two long names
// with a common prefix collide, so a cut name always carries a hash of the whole.

export const MAX_LABEL = 63;
const HASH_LENGTH = 10;
const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function isRfc1123Label(text: string): boolean {
  return text.length <= MAX_LABEL && RFC1123_LABEL.test(text);
}

/**
 * `<name><suffix>` when that is a valid RFC 1123 label of at most 63
 * characters; otherwise the name reduced to label characters, cut, stripped
 * of trailing non-alphanumerics, plus `-<hash of the whole name>` and the
 * suffix. `suffix` is empty or starts with `-` and is itself label-safe.
 */
export function derivedName(name: string, suffix = ''): string {
  if (suffix !== '' && !/^-[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(suffix))
    throw new Error(`derivedName: suffix ${JSON.stringify(suffix)} must be empty or -<label>`);
  const whole = `${name}${suffix}`;
  if (isRfc1123Label(whole)) return whole;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, HASH_LENGTH);
  const room = MAX_LABEL - suffix.length - 1 - HASH_LENGTH;
  if (room < 0) throw new Error(`derivedName: suffix ${JSON.stringify(suffix)} leaves no room for the name`);
  const stem = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, room)
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[^a-z0-9]+$/, '');
  return stem ? `${stem}-${hash}${suffix}` : `${hash}${suffix}`;
}
