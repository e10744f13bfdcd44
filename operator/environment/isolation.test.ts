import { isolationObjects } from './isolation';

describe('isolationObjects', () => {
  it('is empty without isolation', () => {
    expect(isolationObjects(undefined)).toEqual([]);
    expect(isolationObjects({ networkPolicy: false })).toEqual([]);
  });

  it('admits traffic only from the environment and the named namespaces', () => {
    const [policy] = isolationObjects({ networkPolicy: true, allowIngressFromNamespaces: ['ingress-nginx'] });
    expect(policy?.kind).toBe('NetworkPolicy');
    expect(policy?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: {} }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }] }],
    });
  });

  it('writes quota and limit range fields under their Kubernetes names', () => {
    const objects = isolationObjects({
      networkPolicy: false,
      resourceQuota: { cpu: '4', memory: '8Gi', limitsMemory: '16Gi', pods: 40, persistentVolumeClaims: 5 },
      limitRange: { defaultRequest: { cpu: '100m', memory: '128Mi' }, defaultLimit: { memory: '512Mi' }, max: { cpu: '2' } },
    });
    expect(objects.map((o) => o.kind)).toEqual(['ResourceQuota', 'LimitRange']);
    expect(objects[0]?.spec).toEqual({ hard: { 'requests.cpu': '4', 'requests.memory': '8Gi', 'limits.memory': '16Gi', pods: '40', persistentvolumeclaims: '5' } });
    expect(objects[1]?.spec).toEqual({ limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { memory: '512Mi' }, max: { cpu: '2' } }] });
  });
});
