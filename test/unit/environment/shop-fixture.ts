import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseManifests } from '../../../operator/environment/manifests';
import type { KubeObject } from '../../../operator/environment/objects';

// The shop example as a baseline, the way rendered manifests arrive: every
// file of examples/shop/k8s in order, as one multi-document stream.

export const SHOP_DIR = join(__dirname, '../../../examples/shop/k8s');

export function shopManifestText(): string {
  return readdirSync(SHOP_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => readFileSync(join(SHOP_DIR, f), 'utf8'))
    .join('\n---\n');
}

export function loadShop(): KubeObject[] {
  return parseManifests(shopManifestText());
}

/** A deterministic byte source, so generated secrets are the same in every run. */
export function counterRandom(seed = 1): (size: number) => Uint8Array {
  let counter = seed;
  return (size) => {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (counter * 31 + i * 17) % 256;
    counter++;
    return bytes;
  };
}
