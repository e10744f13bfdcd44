import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The version in the operator's package.json, or undefined when none is found
 * (a bundled copy). Found by walking up, because the same file runs from
 * operator/ (tsx, jest) and dist/operator/ (compiled).
 */
export function packageVersion(from: string = __dirname): string | undefined {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version;
  }
  return undefined;
}
