import type { ControllerFactory } from '../commands/operator';

/**
 * The reconcilers `understudy operator` runs, one per kind. Each kind's
 * controller adds its factory here.
 */
export const CONTROLLERS: ControllerFactory[] = [];
