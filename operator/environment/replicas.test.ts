import fc from 'fast-check';
import type { KubeObject } from './objects';
import { rational } from '../api/values/rational';
import { ratioOf } from '../api/values/ratio';
import { scaleAutoscaler, scaleCount, scaleDisruptionBudget, scaleWorkload } from './replicas';
import { scaleResources } from './resources';

const ratios = fc.integer({ min: 1, max: 100_000 }).map((n) => rational(BigInt(n), 1000n));

describe('replica counts', () => {
  it.each([
    [6, '0.25', 2],
    [3, '0.25', 1],
    [1, '0.01', 1],
    [10, '0.07', 1],
    [100, '0.07', 7],
    [4, '1.5', 6],
    [0, '0.5', 0],
  ])('%d × %s = %d', (count, ratio, expected) => expect(scaleCount(count, ratioOf(ratio))).toBe(expected));

  it('never goes below one replica, and never shrinks when the ratio is at least 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), ratios, (count, ratio) => {
        const scaled = scaleCount(count, ratio);
        expect(scaled).toBeGreaterThanOrEqual(1);
        if (ratio.num >= ratio.den) expect(scaled).toBeGreaterThanOrEqual(count);
        else expect(scaled).toBeLessThanOrEqual(count);
      }),
    );
  });
});

const deployment = (replicas?: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { ...(replicas === undefined ? {} : { replicas }), template: { spec: { containers: [] } } },
});

describe('scaleWorkload', () => {
  const quarter = ratioOf('0.25');
  it('scales, treating an absent count as the default 1', () => {
    expect(
      (scaleWorkload(deployment(8), { ratio: quarter, suspend: false, autoscaled: false }).spec as any).replicas,
    ).toBe(2); // any: reading results
    expect(
      (scaleWorkload(deployment(), { ratio: quarter, suspend: false, autoscaled: false }).spec as any).replicas,
    ).toBe(1); // any: as above
  });

  it('leaves the count to an HPA, and zero while suspended', () => {
    expect(
      (scaleWorkload(deployment(8), { ratio: quarter, suspend: false, autoscaled: true }).spec as any).replicas,
    ).toBeUndefined(); // any: as above
    expect(
      (scaleWorkload(deployment(8), { ratio: quarter, suspend: true, autoscaled: true }).spec as any).replicas,
    ).toBe(0); // any: as above
  });

  it('suspends CronJobs and empties DaemonSets', () => {
    const cron: KubeObject = {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'c' },
      spec: { schedule: '* * * * *' },
    };
    expect(scaleWorkload(cron, { ratio: quarter, suspend: true, autoscaled: false }).spec).toEqual({
      schedule: '* * * * *',
      suspend: true,
    });
    expect(scaleWorkload(cron, { ratio: quarter, suspend: false, autoscaled: false }).spec).toEqual({
      schedule: '* * * * *',
    });
    const daemons: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'd' },
      spec: { template: { spec: { nodeSelector: { disk: 'ssd' } } } },
    };
    expect(
      (scaleWorkload(daemons, { ratio: quarter, suspend: true, autoscaled: false }).spec as any).template.spec
        .nodeSelector,
    ).toEqual({ disk: 'ssd', 'understudy.dev/suspended': 'true' }); // any: as above
  });
});

describe('HPA and PDB bounds', () => {
  it('scales HPA bounds, keeping max at or above min and both at least 1', () => {
    const hpa = (min: number | undefined, max: number): KubeObject => ({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'h' },
      spec: { ...(min === undefined ? {} : { minReplicas: min }), maxReplicas: max },
    });
    expect(scaleAutoscaler(hpa(4, 20), ratioOf('0.25')).spec).toEqual({ minReplicas: 1, maxReplicas: 5 });
    expect(scaleAutoscaler(hpa(undefined, 2), ratioOf('0.1')).spec).toEqual({ minReplicas: 1, maxReplicas: 1 });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 1000 }), ratios, (min, extra, ratio) => {
        const spec = scaleAutoscaler(hpa(min, min + extra), ratio).spec as { minReplicas: number; maxReplicas: number };
        expect(spec.minReplicas).toBeGreaterThanOrEqual(1);
        expect(spec.maxReplicas).toBeGreaterThanOrEqual(spec.minReplicas);
      }),
    );
  });

  it('scales PDB integers so drains stay possible, and keeps percentages', () => {
    const pdb = (spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p' },
      spec,
    });
    expect(scaleDisruptionBudget(pdb({ minAvailable: 3 }), ratioOf('0.25')).spec).toEqual({ minAvailable: 0 });
    expect(scaleDisruptionBudget(pdb({ minAvailable: 8 }), ratioOf('0.5')).spec).toEqual({ minAvailable: 4 });
    expect(scaleDisruptionBudget(pdb({ maxUnavailable: 1 }), ratioOf('0.25')).spec).toEqual({ maxUnavailable: 1 });
    expect(scaleDisruptionBudget(pdb({ maxUnavailable: 0 }), ratioOf('0.25')).spec).toEqual({ maxUnavailable: 0 });
    expect(scaleDisruptionBudget(pdb({ minAvailable: '50%' }), ratioOf('0.25')).spec).toEqual({ minAvailable: '50%' });
  });
});

describe('scaleResources', () => {
  it('scales CPU and memory of every container and the pod, and nothing else', () => {
    const pod = {
      initContainers: [{ name: 'init', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
      containers: [
        {
          name: 'app',
          resources: {
            requests: { cpu: 2, memory: '1Gi', 'nvidia.com/gpu': '1' },
            limits: { cpu: '4', memory: '2G', 'ephemeral-storage': '1Gi' },
          },
        },
      ],
      resources: { limits: { cpu: '8' } },
    };
    const statefulSet: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: { template: { spec: pod } },
    };
    const scaled = (scaleResources(statefulSet, ratioOf('0.5')).spec as any).template.spec; // any: reading the result
    expect(scaled.initContainers[0].resources).toEqual({ requests: { cpu: '50m', memory: '32Mi' } });
    expect(scaled.containers[0].resources).toEqual({
      requests: { cpu: '1', memory: '512Mi', 'nvidia.com/gpu': '1' },
      limits: { cpu: '2', memory: '1G', 'ephemeral-storage': '1Gi' },
    });
    expect(scaled.resources).toEqual({ limits: { cpu: '4' } });
    expect(scaleResources(statefulSet, ratioOf('1'))).toBe(statefulSet);
  });
});
