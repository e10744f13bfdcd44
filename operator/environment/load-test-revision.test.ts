import type { KubeObject } from './objects';
import { planEnvironment } from './plan';
import { copySpecOf } from './testing/copy-spec';

// A LoadTest of an environment's loadTests templates carries a digest of the
// copy's workloads: a new copy (a new image, a new scale) is a new spec of
// the test and runs it again; a change that leaves the workloads alone (the
// TTL) and planning again (fresh generated secrets) must not.

const baseline: KubeObject[] = [
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'checkout', namespace: 'shop' },
    spec: {
      replicas: 4,
      template: {
        metadata: { labels: { app: 'checkout' } },
        spec: { containers: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:1.0.0' }] },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'shop' },
    data: { PASSWORD: Buffer.from('hunter2-prod').toString('base64') },
  },
];

const loadTest = {
  name: 'peak',
  spec: {
    targets: [{ name: 'web', service: 'checkout', port: 80 }],
    scenarios: [
      { name: 'browse', executor: 'constant-arrival-rate', rate: 10, duration: '1m', requests: [{ path: '/' }] },
    ],
  },
};

function revisionOf(env: Record<string, unknown>, fill = 0): unknown {
  const spec = copySpecOf({ secrets: { policy: 'Generate' }, loadTests: [loadTest], ...env });
  const random = (size: number): Uint8Array => new Uint8Array(size).fill(fill);
  const plan = planEnvironment({ environment: { name: 'pr-1', namespace: 'previews' }, spec, baseline, random });
  const secret = plan.objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'db');
  expect((secret as { data?: Record<string, string> } | undefined)?.data?.PASSWORD).toBeDefined();
  const test = plan.objects.find((o) => o.kind === 'LoadTest');
  if (!test) throw new Error('no LoadTest planned');
  return (test.spec as { environmentRevision?: unknown }).environmentRevision;
}

describe("a LoadTest child's environmentRevision", () => {
  it('is set, and stays put when the environment is planned again or only its TTL changes', () => {
    const first = revisionOf({ ttl: '24h' });
    expect(first).toMatch(/^sha256:[0-9a-f]{32}$/);
    // Planned again with other generated secret values: the same copy.
    expect(revisionOf({ ttl: '24h' }, 7)).toBe(first);
    expect(revisionOf({ ttl: '72h' })).toBe(first);
  });

  it('moves with a new image or a new scale', () => {
    const first = revisionOf({});
    const image = revisionOf({
      services: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:pr-77' }],
    });
    const scale = revisionOf({ scale: { replicas: '0.5', resources: '1' } });
    expect(image).not.toBe(first);
    expect(scale).not.toBe(first);
    expect(scale).not.toBe(image);
  });
});
