import fc from 'fast-check';
import type { StagingEnvironmentSpec } from '../api/stagingenvironment';
import { PLACEMENT_FIELDS, testPlacementProblem } from './test-placement';

const withPod = (pod: Record<string, unknown>): Pick<StagingEnvironmentSpec, 'tests'> => ({
  tests: [
    { name: 'smoke', template: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } } } },
    { name: 'e2e', template: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c' }], ...pod } } } },
  ],
});
const baseline = (allowPlacement?: boolean) => ({
  limits: {
    maxReplicas: '1',
    maxResources: '1',
    maxTtl: '168h',
    ...(allowPlacement === undefined ? {} : { tests: { allowPlacement } }),
  },
});

const CONTROL_PLANE = {
  nodeSelector: { 'node-role.kubernetes.io/control-plane': '' },
  tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists', effect: 'NoSchedule' }],
};

describe("a test pod's placement", () => {
  it('is refused on the control plane (or any chosen node) unless the Baseline allows placement, naming the field', () => {
    expect(testPlacementProblem(withPod(CONTROL_PLANE), baseline())).toEqual({
      field: 'spec.tests[1].template.template.spec.nodeSelector',
      message:
        "a test pod may not choose its node, runtime or priority: the Baseline's limits.tests.allowPlacement is not set",
    });
    expect(testPlacementProblem(withPod({ tolerations: [{ operator: 'Exists' }] }), baseline(false))?.field).toBe(
      'spec.tests[1].template.template.spec.tolerations',
    );
    expect(testPlacementProblem(withPod({ priorityClassName: 'system-cluster-critical' }), baseline())?.field).toBe(
      'spec.tests[1].template.template.spec.priorityClassName',
    );
    expect(testPlacementProblem(withPod(CONTROL_PLANE), baseline(true))).toBeUndefined();
  });

  it('never allows nodeName or the host namespaces, whatever the Baseline', () => {
    for (const allow of [undefined, false, true]) {
      expect(testPlacementProblem(withPod({ nodeName: 'control-plane-1' }), baseline(allow))).toMatchObject({
        field: 'spec.tests[1].template.template.spec.nodeName',
        message: expect.stringContaining('nodeName is never allowed'),
      });
      expect(testPlacementProblem(withPod({ hostNetwork: true }), baseline(allow))?.field).toBe(
        'spec.tests[1].template.template.spec.hostNetwork',
      );
      expect(testPlacementProblem(withPod({ hostPID: true }), baseline(allow))?.field).toMatch(/hostPID$/);
    }
  });

  it('accepts a pod that leaves placement to the namespace, empty or false values included', () => {
    expect(testPlacementProblem(withPod({}), baseline())).toBeUndefined();
    expect(
      testPlacementProblem(
        withPod({ hostNetwork: false, nodeSelector: {}, tolerations: [], nodeName: '' }),
        baseline(),
      ),
    ).toBeUndefined();
    expect(testPlacementProblem({}, baseline())).toBeUndefined();
  });

  it('refuses any non-empty placement field without the allowance, and accepts it with', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLACEMENT_FIELDS),
        fc.oneof(fc.string({ minLength: 1 }), fc.dictionary(fc.string(), fc.string(), { minKeys: 1 })),
        (name, value) => {
          expect(testPlacementProblem(withPod({ [name]: value }), baseline())?.field).toBe(
            `spec.tests[1].template.template.spec.${name}`,
          );
          expect(testPlacementProblem(withPod({ [name]: value }), baseline(true))).toBeUndefined();
        },
      ),
    );
  });
});
