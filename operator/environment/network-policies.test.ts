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

  it('leaves other kinds and the isolation policy itself alone', () => {
    const isolation = policy('understudy-isolation', [
      {
        from: [
          { podSelector: {} },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        ],
      },
    ]);
    const config: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 'b' } };
    const { objects } = confineNetworkPolicies([isolation, config], confinement);
    expect(objects).toEqual([isolation, config]);
  });

  // Egress rules are allowances too: a copied one would let the preview's pods reach production or anywhere.
  it('confines egress peers to the environment: no address blocks, other namespaces, or open rules', () => {
    const egress: KubeObject = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'e' },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          { to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] },
          { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } }] },
          { to: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'postgres' } } }] },
          { ports: [{ port: 443 }] },
          {
            to: [
              { podSelector: { matchLabels: { app: 'cart' } } },
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-pr-1' } } },
              // allowIngressFromNamespaces admits from a namespace; it is no destination.
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
            ],
            ports: [{ port: 8080 }],
          },
        ],
      },
    };
    const { objects, warnings } = confineNetworkPolicies([egress], confinement);
    expect((objects[0]?.spec as { egress?: unknown }).egress).toEqual([
      { ports: [{ port: 443 }], to: [{ podSelector: {} }] },
      {
        to: [
          { podSelector: { matchLabels: { app: 'cart' } } },
          { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop-pr-1' } } },
        ],
        ports: [{ port: 8080 }],
      },
    ]);
    expect(warnings).toEqual([expect.stringContaining('NetworkPolicy e: 5 egress peer(s)')]);
  });

  it('does not modify its input', () => {
    const input = policy('p', [{ from: [{ namespaceSelector: {} }] }]);
    const before = structuredClone(input);
    confineNetworkPolicies([input], confinement);
    expect(input).toEqual(before);
  });
});
