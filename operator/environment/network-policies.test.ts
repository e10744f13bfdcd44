import { confineNetworkPolicies } from './network-policies';
import type { KubeObject } from './objects';

const confinement = { targetNamespace: 'shop-pr-1', allowedNamespaces: ['ingress-nginx'] };

function policy(name: string, ingress: unknown[]): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name },
    spec: { podSelector: {}, policyTypes: ['Ingress'], ingress },
  };
}

function ingressOf(object: KubeObject | undefined): unknown {
  return (object?.spec as { ingress?: unknown }).ingress;
}

describe('confineNetworkPolicies', () => {
  it('keeps peers that stay inside the environment or name an allowed namespace', () => {
    const inside = [
      { from: [{ podSelector: { matchLabels: { app: 'cart' } } }] },
      {
        from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-pr-1' } }, podSelector: {} }],
      },
      {
        from: [
          {
            namespaceSelector: {
              matchExpressions: [
                { key: 'kubernetes.io/metadata.name', operator: 'In', values: ['ingress-nginx', 'shop-pr-1'] },
              ],
            },
          },
        ],
      },
    ];
    const { objects, warnings } = confineNetworkPolicies([policy('p', inside)], confinement);
    expect(ingressOf(objects[0])).toEqual(inside);
    expect(warnings).toEqual([]);
  });

  it('removes peers that reach other namespaces or address blocks, and drops rules left empty', () => {
    const { objects, warnings } = confineNetworkPolicies(
      [
        policy('p', [
          { from: [{ namespaceSelector: {} }], ports: [{ port: 80 }] },
          { from: [{ namespaceSelector: { matchLabels: { team: 'shop' } } }, { podSelector: {} }] },
          { from: [{ ipBlock: { cidr: '10.0.0.0/8' } }] },
          { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } } }] },
        ]),
      ],
      confinement,
    );
    expect(ingressOf(objects[0])).toEqual([{ from: [{ podSelector: {} }] }]);
    expect(warnings).toEqual([expect.stringContaining('NetworkPolicy p: 4 ingress peer(s)')]);
  });

  it("turns a rule open to every source into one open to the environment's own pods", () => {
    const { objects } = confineNetworkPolicies([policy('open', [{ ports: [{ port: 5432 }] }])], confinement);
    expect(ingressOf(objects[0])).toEqual([{ ports: [{ port: 5432 }], from: [{ podSelector: {} }] }]);
  });

  it('leaves other kinds, the isolation policy itself and egress alone', () => {
    const egress: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'e' },
      spec: { podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] },
    };
    const isolation = policy('understudy-isolation', [
      {
        from: [
          { podSelector: {} },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
      },
    ]);
    const config: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    const { objects } = confineNetworkPolicies([egress, isolation, config], confinement);
    expect(objects).toEqual([egress, isolation, config]);
  });

  it('does not modify its input', () => {
    const input = policy('p', [{ from: [{ namespaceSelector: {} }] }]);
    const before = structuredClone(input);
    confineNetworkPolicies([input], confinement);
    expect(input).toEqual(before);
  });
});
