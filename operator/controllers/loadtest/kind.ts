import { LoadTestKind } from '../../api/loadtest';
import type { KubernetesObject } from '../../runtime/client-node';
import { groupVersionKind } from '../../runtime/gvk';

/** A LoadTest as cached: spec and status not yet validated. */
export type LoadTestObject = KubernetesObject & { spec?: unknown; status?: unknown };

export const LOAD_TEST = groupVersionKind<LoadTestObject>(
  LoadTestKind.group,
  LoadTestKind.version,
  LoadTestKind.kind,
  LoadTestKind.plural,
);
