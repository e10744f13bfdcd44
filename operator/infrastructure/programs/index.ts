import type { PulumiFn } from '@pulumi/pulumi/automation';
import type { BuiltInProgram } from '../../api/infrastructure';
import { postgresDatabaseProgram } from './postgres-database';

/** The programs compiled into the operator image, by the name a Baseline uses. */
const PROGRAMS: Record<BuiltInProgram, PulumiFn> = {
  'postgres-database': postgresDatabaseProgram,
};

export function programOf(name: BuiltInProgram): PulumiFn {
  return PROGRAMS[name];
}
