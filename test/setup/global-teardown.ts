import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultOptions, down } from '../cluster/controlplane';
import { releaseClusterUser } from './cluster-users';
import { stopPostgres } from './postgres';

export default async function globalTeardown(): Promise<void> {
  const pgDir = process.env.UNDERSTUDY_TEST_PG_DIR;
  if (pgDir) {
    stopPostgres(pgDir);
    rmSync(dirname(pgDir), { recursive: true, force: true });
  }
  const opts = defaultOptions();
  const last = releaseClusterUser(opts.stateDir);
  if (process.env.UNDERSTUDY_STARTED_CLUSTER === '1' && process.env.UNDERSTUDY_KEEP_CLUSTER !== '1' && last) {
    await down(opts);
  }
}
