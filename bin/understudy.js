#!/usr/bin/env node
// The published entry point: the compiled CLI (`npm run build`, run by `npm ci`).
require('../dist/operator/cli.js').main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
