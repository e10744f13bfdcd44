#!/usr/bin/env node
// The published entry point: the compiled CLI (`npm run build`, run by `npm ci`).
// main() maps its own failures to exit codes; anything escaping it is an
// error the CLI could not classify, reported as a usage/connection error (2).
require('../dist/operator/cli.js').main(process.argv).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
