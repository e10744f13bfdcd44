import { TEST_LABEL } from './children';
import { isManagedBy, type EnvironmentRef } from './labels';
import { identityKey, type KubeObject } from './objects';

// Objects of an environment that are no longer desired (a service left the
// selection, an Ingress lost its template) are deleted. Only objects carrying
// this environment's labels are candidates; the namespace and the test Jobs
// have lifecycles of their own.

export function objectsToPrune(
  current: readonly KubeObject[],
  desired: readonly KubeObject[],
  environment: EnvironmentRef,
): KubeObject[] {
  const wanted = new Set(desired.map(identityKey));
  return current.filter(
    (object) =>
      object.kind !== 'Namespace' &&
      isManagedBy(object, environment) &&
      object.metadata.labels?.[TEST_LABEL] === undefined &&
      !wanted.has(identityKey(object)),
  );
}
