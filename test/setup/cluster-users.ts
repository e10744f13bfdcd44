import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '../cluster/processes';

// Several jest runs may share one control plane (a developer's and a helper
// session's, side by side). Each registers its pid; the run that started the
// cluster stops it only when no other live run is using it, or it would pull
// the API server from under the others mid-test.

function usersDir(stateDir: string): string {
  return join(stateDir, 'users');
}

export function registerClusterUser(stateDir: string, pid = process.pid): void {
  mkdirSync(usersDir(stateDir), { recursive: true });
  writeFileSync(join(usersDir(stateDir), String(pid)), '');
}

/** Unregisters `pid`; true when no other live run still uses the cluster. */
export function releaseClusterUser(stateDir: string, pid = process.pid): boolean {
  const dir = usersDir(stateDir);
  rmSync(join(dir, String(pid)), { force: true });
  let others = 0;
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return true;
  }
  for (const entry of entries) {
    const other = Number(entry);
    if (Number.isInteger(other) && other > 0 && isAlive(other)) others++;
    else rmSync(join(dir, entry), { force: true });
  }
  return others === 0;
}
