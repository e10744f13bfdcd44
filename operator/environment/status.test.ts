import type { KubeObject } from './objects';
import { boundedStatusLists, readyServicesText, serviceStatus } from './status';

const deployment = (spec: Record<string, unknown>, status: Record<string, unknown>, generation = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', generation },
  spec,
  status,
});
const summary = { name: 'web', kind: 'Deployment', mode: 'copy' as const, image: 'web:1', replicas: 2 };

describe('serviceStatus', () => {
  it('is ready when every desired replica of the latest generation is available', () => {
    const live = deployment(
      { replicas: 2 },
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
    );
    expect(serviceStatus(summary, live)).toEqual({
      name: 'web',
      kind: 'Deployment',
      mode: 'copy',
      image: 'web:1',
      replicas: 2,
      readyReplicas: 2,
      ready: true,
    });
  });

  it.each([
    [
      'an old generation',
      { observedGeneration: 1, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
    ],
    [
      'a rollout in progress',
      { observedGeneration: 2, replicas: 3, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
    ],
    [
      'a replica not ready',
      { observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
    ],
    ['no status yet', {}],
  ])('is not ready with %s', (_, status) => {
    expect(serviceStatus(summary, deployment({ replicas: 2 }, status)).ready).toBe(false);
  });

  it('counts a suspended workload as ready, a missing one as not, a shared one always', () => {
    expect(serviceStatus(summary, deployment({ replicas: 0 }, { observedGeneration: 2 })).ready).toBe(true);
    expect(serviceStatus(summary, undefined)).toEqual({
      name: 'web',
      kind: 'Deployment',
      mode: 'copy',
      image: 'web:1',
      replicas: 2,
      readyReplicas: 0,
      ready: false,
    });
    expect(serviceStatus({ name: 'redis', kind: 'Service', mode: 'shared' }, undefined)).toEqual({
      name: 'redis',
      kind: 'Service',
      mode: 'shared',
      ready: true,
    });
  });

  it('judges StatefulSets by revision and DaemonSets by scheduled pods', () => {
    const sts: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', generation: 1 },
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        replicas: 1,
        readyReplicas: 1,
        updatedReplicas: 1,
        availableReplicas: 1,
        currentRevision: 'db-1',
        updateRevision: 'db-2',
      },
    };
    expect(serviceStatus({ name: 'db', kind: 'StatefulSet', mode: 'copy' }, sts).ready).toBe(false);
    expect(
      serviceStatus(
        { name: 'db', kind: 'StatefulSet', mode: 'copy' },
        { ...sts, status: { ...(sts.status as object), currentRevision: 'db-2' } },
      ).ready,
    ).toBe(true);
    const ds: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', generation: 1 },
      spec: {},
      status: {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        numberReady: 3,
        updatedNumberScheduled: 3,
        numberAvailable: 3,
      },
    };
    expect(serviceStatus({ name: 'agent', kind: 'DaemonSet', mode: 'copy' }, ds)).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      ready: true,
    });
  });
});

describe('status lists', () => {
  it('count ready services and stay bounded, not-ready first', () => {
    const statuses = Array.from({ length: 120 }, (_, i) => ({
      name: `s${String(i).padStart(3, '0')}`,
      kind: 'Deployment',
      mode: 'copy' as const,
      ready: i % 10 !== 0,
    }));
    expect(readyServicesText(statuses)).toBe('108/120');
    const bounded = boundedStatusLists(
      statuses,
      Array.from({ length: 30 }, (_, i) => `https://h${i}.example.com/`),
    );
    expect(bounded.services).toHaveLength(100);
    expect(bounded.services.slice(0, 12).every((s) => !s.ready)).toBe(true);
    expect(bounded.urls).toHaveLength(20);
  });
});
