import { createHash } from 'node:crypto';
import type { RandomBytes } from './secret-values';

/**
 * Bytes that look random but follow from `seed`: values generated for an
 * environment stay the same from one planning to the next (and across
 * operator restarts), so a copy is not rewritten, and its pods not
 * restarted, only because a value was drawn again.
 */
export function seededRandom(seed: string): RandomBytes {
  let counter = 0;
  return (size) => {
    const out = new Uint8Array(size);
    for (let filled = 0; filled < size; counter++) {
      const block = createHash('sha256').update(`${seed}\0${counter}`).digest();
      out.set(block.subarray(0, Math.min(block.length, size - filled)), filled);
      filled += block.length;
    }
    return out;
  };
}
