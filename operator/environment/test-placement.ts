import type { BaselineSpec } from '../api/baseline';
import type { StagingEnvironmentSpec } from '../api/stagingenvironment';

// A test Job is the tenant's own pod, created by the operator in the preview's
// namespace. PodSecurity (the namespace's level) already refuses host paths and
// privilege; it says nothing about where a pod runs. So a test pod may not pick
// its node (nodeSelector, affinity, tolerations: the control plane's, a GPU
// pool's, a team's dedicated nodes), pre-empt others (priorityClassName) or
// choose its runtime, unless the Baseline allows placement; and never skip the
// scheduler (nodeName) or share the node's namespaces, whatever the level.

/** Fields of a pod spec that choose a node, a runtime or a priority. */
export const PLACEMENT_FIELDS = [
  'nodeSelector',
  'affinity',
  'tolerations',
  'priorityClassName',
  'runtimeClassName',
] as const;

/** Fields never allowed: nodeName bypasses the scheduler (taints, quotas of scheduling); the host's namespaces. */
const NEVER_FIELDS = ['nodeName', 'hostNetwork', 'hostPID', 'hostIPC'] as const;

const isSet = (value: unknown): boolean =>
  value !== undefined &&
  value !== null &&
  value !== false &&
  value !== '' &&
  !(Array.isArray(value) && value.length === 0) &&
  !(typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);

export function testPlacementProblem(
  { tests = [] }: Pick<StagingEnvironmentSpec, 'tests'>,
  b: Pick<BaselineSpec, 'limits'>,
): { field: string; message: string } | undefined {
  const allowPlacement = b.limits.tests?.allowPlacement === true;
  for (const [i, test] of tests.entries()) {
    const pod = (test.template as { template?: { spec?: Record<string, unknown> } }).template?.spec ?? {};
    const field = `spec.tests[${i}].template.template.spec`;
    const never = NEVER_FIELDS.find((name) => isSet(pod[name]));
    if (never)
      return {
        field: `${field}.${never}`,
        message:
          never === 'nodeName'
            ? 'a test pod is placed by the scheduler; nodeName is never allowed'
            : "a test pod may not share the node's namespaces",
      };
    const placed = PLACEMENT_FIELDS.find((name) => isSet(pod[name]));
    if (placed && !allowPlacement)
      return {
        field: `${field}.${placed}`,
        message:
          "a test pod may not choose its node, runtime or priority: the Baseline's limits.tests.allowPlacement is not set",
      };
  }
  return undefined;
}
