import type { KubeObject } from './objects';
import { planEnvironment } from './plan';
import { copySpecOf } from './testing/copy-spec';

// What the isolation policy of a planned environment opens in production: a
// tenant chooses which services are shared, so sharing one must open those
// pods on those ports, never the whole production namespace (its database,
// its admin endpoints) to the tenant's images.

const environment = { name: 'pr-1', namespace: 'previews', uid: 'uid-1' };

function deployment(name: string, port: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name, image: `registry.example.com/${name}:1`, ports: [{ name, containerPort: port }] }],
        },
      },
    },
  };
}

function service(name: string, port: number, targetPort?: number | string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'shop' },
    spec: {
      selector: { app: name },
      ports: [{ port, ...(targetPort !== undefined ? { targetPort } : {}), protocol: 'TCP' }],
    },
  };
}

const baseline = [
  deployment('web', 8080),
  service('web', 80, 8080),
  deployment('redis', 6379),
  service('redis', 6379, 'redis'),
  deployment('postgres', 5432),
  service('postgres', 5432),
];

function egressOf(services: unknown[]): Array<{ to?: Array<Record<string, unknown>>; ports?: unknown[] }> {
  const plan = planEnvironment({
    environment,
    spec: copySpecOf({ services }, { baseline: { isolation: { networkPolicy: true } }, environment }),
    baseline,
  });
  const policy = plan.objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'understudy-isolation');
  return (policy?.spec as { egress: Array<{ to?: Array<Record<string, unknown>>; ports?: unknown[] }> }).egress;
}

const toProduction = (egress: ReturnType<typeof egressOf>) =>
  egress.filter((rule) =>
    (rule.to ?? []).some(
      (peer) =>
        (peer.namespaceSelector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels?.[
          'kubernetes.io/metadata.name'
        ] === 'shop',
    ),
  );

describe('planEnvironment: isolation and shared services', () => {
  it('opens nothing of production when no service is shared', () => {
    expect(toProduction(egressOf([]))).toEqual([]);
  });

  it("opens a shared service's pods on its target ports, not the rest of production", () => {
    const rules = toProduction(egressOf([{ name: 'redis', mode: 'shared' }]));
    expect(rules).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } },
            podSelector: { matchLabels: { app: 'redis' } },
          },
        ],
        ports: [{ protocol: 'TCP', port: 'redis' }],
      },
    ]);
  });

  it("uses the Service's port when it names no target port", () => {
    const rules = toProduction(egressOf([{ name: 'postgres', mode: 'shared' }]));
    expect(rules.map((r) => r.ports)).toEqual([[{ protocol: 'TCP', port: 5432 }]]);
  });
});
