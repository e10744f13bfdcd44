import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderTransformerReference } from '../operator/api/transformers/reference';

// Writes docs/transformers.md from the transformer registry; with --check, exits 1 when it is stale.

const FILE = resolve(__dirname, '../docs/transformers.md');
const rendered = renderTransformerReference();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(FILE, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== rendered) {
    console.error('docs/transformers.md is stale: run `npx tsx tools/transformer-reference.ts`');
    process.exit(1);
  }
} else {
  writeFileSync(FILE, rendered);
  console.log('wrote docs/transformers.md');
}
