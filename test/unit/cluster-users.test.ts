import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerClusterUser, releaseClusterUser } from '../setup/cluster-users';

describe('runs sharing one control plane', () => {
  it('the last live run may stop it; a run that died does not count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-users-'));
    const other = spawn('sleep', ['10']);
    try {
      registerClusterUser(dir, process.pid);
      registerClusterUser(dir, other.pid);
      registerClusterUser(dir, 2 ** 22 + 12345); // beyond pid_max: a run that is gone
      expect(releaseClusterUser(dir, process.pid)).toBe(false);
      other.kill('SIGKILL');
      await once(other, 'exit');
      expect(releaseClusterUser(dir, process.pid)).toBe(true);
    } finally {
      other.kill('SIGKILL');
    }
  });
});
