import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageVersion } from './package-version';

describe('packageVersion', () => {
  it('is the version of the nearest package.json up the tree, whether run from operator/ or dist/operator/', () => {
    const root = mkdtempSync(join(tmpdir(), 'pkg-'));
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.2.3' }));
    mkdirSync(join(root, 'dist', 'operator'), { recursive: true });
    expect(packageVersion(join(root, 'dist', 'operator'))).toBe('1.2.3');
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
