import { APPLY_ORDER, applyRank, FIRST_WAVE_KINDS } from './apply-order';

describe('apply order', () => {
  it('cuts the first wave from the order: prerequisites of workloads, without the Namespace and the RoleBinding that waits for its Role', () => {
    expect([...FIRST_WAVE_KINDS]).toEqual([
      'ResourceQuota',
      'LimitRange',
      'NetworkPolicy',
      'ServiceAccount',
      'Role',
      'Secret',
      'ConfigMap',
      'PersistentVolumeClaim',
    ]);
    for (const kind of FIRST_WAVE_KINDS) expect(applyRank(kind)).toBeLessThan(applyRank('Service'));
    expect(applyRank('Role')).toBeLessThan(applyRank('RoleBinding'));
  });

  it('ranks a kind it does not know with Ingress, after every workload', () => {
    expect(applyRank('Gateway')).toBe(applyRank('Ingress'));
    expect(applyRank('Gateway')).toBeGreaterThan(applyRank('Deployment'));
    expect(new Set(APPLY_ORDER).size).toBe(APPLY_ORDER.length);
  });
});
