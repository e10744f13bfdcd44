import type { ControllerFactory } from '../runtime/controller-environment';
import { baselineController } from './baseline';
import { dataSeedController } from './dataseed';
import { infrastructureController } from './infrastructure';
import { loadTestController } from './loadtest';
import { parityCheckController } from './paritycheck';
import { stagingEnvironmentController } from './stagingenvironment';

/**
 * The reconcilers `understudy operator` runs, one per kind. Each kind's
 * controller adds its factory here.
 */
export const CONTROLLERS: ControllerFactory[] = [
  (env) => baselineController(env),
  (env) => parityCheckController(env),
  (env) => stagingEnvironmentController(env),
  (env) => dataSeedController(env),
  (env) => infrastructureController(env),
  (env) => loadTestController(env),
];
