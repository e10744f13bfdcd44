import { BaselineKind } from './baseline';
import { DataSeedKind } from './dataseed';
import type { KindDefinition } from './kind';
import { LoadTestKind } from './loadtest';
import { ParityCheckKind } from './paritycheck';
import { StagingEnvironmentKind } from './stagingenvironment';

export { BaselineKind, DataSeedKind, LoadTestKind, ParityCheckKind, StagingEnvironmentKind };

/** Every kind the operator serves, in the order CRDs are generated. */
export const KINDS: KindDefinition[] = [
  BaselineKind,
  StagingEnvironmentKind,
  DataSeedKind,
  ParityCheckKind,
  LoadTestKind,
];
