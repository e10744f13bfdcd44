import * as pulumi from '@pulumi/pulumi';
import type { PulumiFn } from '@pulumi/pulumi/automation';
import type { BuiltInProgram } from '../../api/infrastructure';
import { IMAGE_PROGRAM_MODULE, type StackRequest } from '../request';
import { postgresDatabaseProgram } from './postgres-database';

/** The programs compiled into the operator image, by the name a Baseline uses. */
const PROGRAMS: Record<BuiltInProgram, PulumiFn> = {
  'postgres-database': postgresDatabaseProgram,
};

export function programOf(request: Pick<StackRequest, 'program' | 'programModule'>): PulumiFn {
  if (request.program !== 'image') return PROGRAMS[request.program];
  return imageProgram(request.programModule ?? IMAGE_PROGRAM_MODULE);
}

/**
 * An image's program: a Node module whose default export (or `program`)
 * is called with this runner's `@pulumi/pulumi` and returns the stack's
 * outputs, as an inline program. Handing it the SDK keeps one instance of it
 * in the process (a second copy would not see the engine's connection).
 */
function imageProgram(path: string): PulumiFn {
  return async () => {
    let loaded: unknown;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is the image's, known only at run time
      loaded = require(path);
    } catch (error) {
      throw new Error(`the image's program ${path} could not be loaded: ${(error as Error).message}`, { cause: error });
    }
    const exported = loaded as { default?: unknown; program?: unknown } | undefined;
    const fn = typeof loaded === 'function' ? loaded : (exported?.default ?? exported?.program);
    if (typeof fn !== 'function')
      throw new Error(`the image's program ${path} exports no function (module.exports, default or program)`);
    const outputs = (await (fn as (sdk: typeof pulumi) => unknown)(pulumi)) ?? {};
    if (typeof outputs !== 'object' || Array.isArray(outputs))
      throw new Error(
        `the image's program ${path} returned ${Array.isArray(outputs) ? 'an array' : typeof outputs}, not an object of outputs`,
      );
    return outputs as Record<string, unknown>;
  };
}
