import { isolationObjects } from './isolation';

const byName = (name: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } });
const OWN_PODS = { to: [{ podSelector: {} }] };
const DNS = {
  to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

describe('isolationObjects', () => {
  it('is empty without isolation', () => {
    expect(isolationObjects(undefined)).toEqual([]);
    expect(isolationObjects({ networkPolicy: false })).toEqual([]);
  });

  it('admits traffic only from the environment and the named namespaces, and lets it reach only itself and DNS', () => {
    const [policy] = isolationObjects({ networkPolicy: true, allowIngressFromNamespaces: ['ingress-nginx'] });
    expect(policy?.kind).toBe('NetworkPolicy');
    expect(policy?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }, byName('ingress-nginx')] }],
      egress: [OWN_PODS, DNS],
    });
  });

  it("adds the Baseline's egress destinations (TCP ports only when listed) and the pods of shared services", () => {
    const [policy] = isolationObjects(
      { networkPolicy: true, egress: [{ cidr: '10.0.0.0/8', ports: [443, 5432] }, { namespace: 'monitoring' }] },
      [{ namespace: 'shop', podSelector: { app: 'redis' }, ports: [{ protocol: 'TCP', port: 'redis' }] }],
    );
    expect(policy?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [
        OWN_PODS,
        DNS,
        {
          to: [{ ipBlock: { cidr: '10.0.0.0/8' } }],
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'TCP', port: 5432 },
          ],
        },
        { to: [byName('monitoring')] },
        {
          to: [{ ...byName('shop'), podSelector: { matchLabels: { app: 'redis' } } }],
          ports: [{ protocol: 'TCP', port: 'redis' }],
        },
      ],
    });
  });

  it("opens only the shared services' pods in production, never its whole namespace", () => {
    const [policy] = isolationObjects({ networkPolicy: true }, [
      { namespace: 'shop', podSelector: { app: 'catalog' }, ports: [{ protocol: 'TCP', port: 8080 }] },
    ]);
    const egress = (policy?.spec as { egress: Array<{ to?: Array<Record<string, unknown>> }> }).egress;
    const toShop = egress.flatMap((rule) => rule.to ?? []).filter((peer) => 'namespaceSelector' in peer);
    // DNS is the only other peer naming namespaces, and it is pinned to kube-dns pods.
    for (const peer of toShop) expect(peer.podSelector).not.toEqual({});
    expect(toShop.every((peer) => 'podSelector' in peer)).toBe(true);
  });

  it('writes quota and limit range fields under their Kubernetes names', () => {
    const objects = isolationObjects({
      networkPolicy: false,
      resourceQuota: { cpu: '4', memory: '8Gi', limitsMemory: '16Gi', pods: 40, persistentVolumeClaims: 5 },
      limitRange: {
        defaultRequest: { cpu: '100m', memory: '128Mi' },
        defaultLimit: { memory: '512Mi' },
        max: { cpu: '2' },
      },
    });
    expect(objects.map((o) => o.kind)).toEqual(['ResourceQuota', 'LimitRange']);
    expect(objects[0]?.spec).toEqual({
      hard: {
        'requests.cpu': '4',
        'requests.memory': '8Gi',
        'limits.memory': '16Gi',
        pods: '40',
        persistentvolumeclaims: '5',
      },
    });
    expect(objects[1]?.spec).toEqual({
      limits: [
        {
          type: 'Container',
          defaultRequest: { cpu: '100m', memory: '128Mi' },
          default: { memory: '512Mi' },
          max: { cpu: '2' },
        },
      ],
    });
  });
});
