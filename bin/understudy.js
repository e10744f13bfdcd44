#!/usr/bin/env node
// The published entry point: the compiled CLI (`npm run build`, run by `npm ci`).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  // Its dependencies (undici, @pulumi/pulumi) need a current Node; say so instead of a stack trace.
  console.error(`understudy needs Node.js 24 or newer (the current LTS); this is Node.js ${process.versions.node}`);
  process.exit(2);
}
// main() maps its own failures to exit codes; anything escaping it is an
// error the CLI could not classify, reported as a usage/connection error (2).
require('../dist/operator/cli.js')
  .main(process.argv)
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  });
