import type { KubernetesObject } from '../../runtime/client-node';
import { specMetadataOrInfrastructureChanged } from './index';
import { environmentStatus, expiredStatus, phaseOf, stalledStatus, transitions, type Observation } from './status';

const created = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number): Date => new Date(created.getTime() + seconds * 1000);

function observe(overrides: Partial<Observation> = {}): Observation {
  return {
    generation: 1,
    createdAt: created,
    now: at(10),
    previous: undefined,
    targetNamespace: 'shop-pr-1',
    suspended: false,
    provisioned: true,
    appliedObjects: 12,
    baselineRevision: 'sha256:aaaaaaaaaaaaaaaa',
    services: [
      { name: 'cart', kind: 'Deployment', mode: 'copy', replicas: 1, readyReplicas: 1, ready: true },
      { name: 'users', kind: 'Service', mode: 'shared', ready: true },
    ],
    urls: ['http://cart.pr-1.example.com/'],
    seeds: { total: 0, succeeded: [], failed: [], pending: [] },
    ...overrides,
  };
}

const conditionOf = (status: ReturnType<typeof environmentStatus>, type: string) =>
  status.conditions?.find((c) => c.type === type);

describe('environment status', () => {
  it('is Ready when provisioned, every service is ready and no seed is pending; Reconciling and Stalled are absent', () => {
    const status = environmentStatus(observe());
    expect(status.phase).toBe('Ready');
    expect(status.readyServices).toBe('2/2');
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Ready', observedGeneration: 1 });
    expect(conditionOf(status, 'Reconciling')).toBeUndefined();
    expect(conditionOf(status, 'Stalled')).toBeUndefined();
    expect(conditionOf(status, 'DataSeeded')).toMatchObject({ status: 'True', reason: 'NoSeeds' });
    expect(conditionOf(status, 'TestsPassed')).toMatchObject({ status: 'True', reason: 'NoTests' });
    expect(status.timings).toEqual({ provisionedSeconds: 10, seededSeconds: 10, readySeconds: 10 });
    expect(status.observedGeneration).toBe(1);
  });

  it('waits for services, naming them, and is Reconciling meanwhile', () => {
    const status = environmentStatus(
      observe({
        services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', replicas: 2, readyReplicas: 1, ready: false }],
      }),
    );
    expect(status.phase).toBe('Provisioning');
    expect(conditionOf(status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForServices',
      message: '0/1 services ready; waiting for cart',
    });
    expect(conditionOf(status, 'Reconciling')).toMatchObject({ status: 'True', reason: 'WaitingForServices' });
    expect(status.timings).toEqual({ provisionedSeconds: 10, seededSeconds: 10 });
  });

  it('is Seeding until every DataSeed succeeded, and Stalled when one failed', () => {
    const seeding = environmentStatus(observe({ seeds: { total: 2, succeeded: ['a'], failed: [], pending: ['b'] } }));
    expect(seeding.phase).toBe('Seeding');
    expect(conditionOf(seeding, 'DataSeeded')).toMatchObject({
      status: 'False',
      reason: 'Seeding',
      message: 'waiting for DataSeeds: b',
    });
    expect(conditionOf(seeding, 'Ready')).toMatchObject({ status: 'False', reason: 'Seeding' });
    const failed = environmentStatus(
      observe({
        seeds: {
          total: 1,
          succeeded: [],
          failed: [{ name: 'b', message: 'column users.email has no rule' }],
          pending: [],
        },
      }),
    );
    expect(failed.phase).toBe('Failed');
    expect(conditionOf(failed, 'Stalled')).toMatchObject({ status: 'True', reason: 'SeedFailed' });
    expect(conditionOf(failed, 'Reconciling')).toBeUndefined();
    expect(conditionOf(failed, 'DataSeeded')?.message).toBe('DataSeed b failed: column users.email has no rule');
  });

  it('keeps transition times and first timings when nothing changed, so a second reconcile computes the same status', () => {
    const first = environmentStatus(observe());
    const second = environmentStatus(observe({ previous: first, now: at(500) }));
    expect(second).toEqual(first);
  });

  it('turns Degraded after having been Ready when a workload failed, keeping readySeconds', () => {
    const ready = environmentStatus(observe());
    const degraded = environmentStatus(
      observe({
        previous: ready,
        now: at(60),
        services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', replicas: 1, readyReplicas: 0, ready: false }],
        failures: ['Deployment cart: progress deadline exceeded'],
      }),
    );
    expect(degraded.phase).toBe('Degraded');
    expect(conditionOf(degraded, 'Stalled')).toMatchObject({ status: 'True', reason: 'WorkloadFailed' });
    expect(degraded.timings?.readySeconds).toBe(10);
    expect(conditionOf(degraded, 'Ready')?.lastTransitionTime).toBe('2030-01-01T00:01:00Z');
  });

  it('reports a stale baseline without losing Ready', () => {
    const status = environmentStatus(observe({ staleRevision: 'sha256:bbbbbbbbbbbbbbbb' }));
    expect(conditionOf(status, 'BaselineStale')).toMatchObject({ status: 'True', reason: 'BaselineChanged' });
    expect(conditionOf(status, 'BaselineStale')?.message).toContain('copied aaaaaaaaaaaa, now bbbbbbbbbbbb');
    expect(conditionOf(status, 'Ready')?.status).toBe('True');
    expect(status.baselineRevision).toBe('sha256:aaaaaaaaaaaaaaaa');
  });

  it('is Suspended (and Ready: nothing is left to do) when suspended', () => {
    const status = environmentStatus(observe({ suspended: true }));
    expect(status.phase).toBe('Suspended');
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'True', reason: 'Suspended' });
  });

  it('reports tests: unknown before Ready, passed, failed by name', () => {
    const notYet = environmentStatus(
      observe({
        services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', ready: false }],
        tests: { total: 1, succeeded: 0, failed: [], running: 0, waiting: 1 },
      }),
    );
    expect(conditionOf(notYet, 'TestsPassed')).toMatchObject({ status: 'Unknown', reason: 'WaitingForReady' });
    const failed = environmentStatus(
      observe({ tests: { total: 2, succeeded: 1, failed: ['smoke'], running: 0, waiting: 0 } }),
    );
    expect(conditionOf(failed, 'TestsPassed')).toMatchObject({
      status: 'False',
      reason: 'Failed',
      message: '1/2 tests failed: smoke',
    });
    expect(failed.tests).toEqual({ total: 2, succeeded: 1, failed: 1, running: 0 });
  });

  it('with infrastructure, is Ready only once its stack is up, and Stalled InfrastructureFailed when the stack failed', () => {
    const infra = (status: 'True' | 'False', reason: string, message: string, stalled = false) => ({
      infrastructure: {
        conditions: [
          { type: 'Ready', status, reason, message, lastTransitionTime: at(5).toISOString() },
          ...(stalled
            ? [{ type: 'Stalled', status: 'True' as const, reason, message, lastTransitionTime: at(5).toISOString() }]
            : []),
        ],
      },
    });
    const none = environmentStatus(observe({ infrastructure: true }));
    expect(conditionOf(none, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForInfrastructure',
      message: "waiting for the environment's infrastructure: its stack is not up yet",
    });
    expect(none.phase).not.toBe('Ready');
    const running = environmentStatus(
      observe({ infrastructure: true, previous: infra('False', 'Running', 'up: creating database') }),
    );
    expect(conditionOf(running, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'WaitingForInfrastructure',
      message: "waiting for the environment's infrastructure: up: creating database",
    });
    const up = environmentStatus(
      observe({ infrastructure: true, previous: infra('True', 'Succeeded', 'stack up: 2 outputs') }),
    );
    expect(up.phase).toBe('Ready');
    const failed = environmentStatus(
      observe({
        infrastructure: true,
        previous: infra('False', 'UpFailed', 'template database "golden" does not exist', true),
      }),
    );
    expect(failed.phase).toBe('Failed'); // never Ready yet: Failed, as a workload that never came up
    expect(conditionOf(failed, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InfrastructureFailed',
      message: 'infrastructure: template database "golden" does not exist',
    });
    expect(conditionOf(failed, 'Stalled')).toMatchObject({ status: 'True', reason: 'InfrastructureFailed' });
    // Without infrastructure in its Baseline, a stale infrastructure status does not hold the environment back.
    expect(environmentStatus(observe({ previous: infra('False', 'UpFailed', 'gone', true) })).phase).toBe('Ready');
  });

  it('mentions plan warnings in Provisioned', () => {
    const status = environmentStatus(observe({ warnings: ['Ingress shop is not copied'] }));
    expect(conditionOf(status, 'Provisioned')?.message).toBe(
      '12 objects applied in namespace shop-pr-1; 1 warning(s): Ingress shop is not copied',
    );
  });

  it('posts plan warnings as a Warning event of their own, and none without warnings', () => {
    const warned = environmentStatus(observe({ warnings: ['Ingress shop is not copied'] }));
    expect(transitions(undefined, warned).map((t) => `${t.type}/${t.reason}: ${t.message}`)).toEqual([
      'Normal/Provisioned: 12 objects applied in namespace shop-pr-1; 1 warning(s): Ingress shop is not copied',
      'Warning/CopyWarnings: 1 warning(s): Ingress shop is not copied',
      'Normal/Ready: 2/2 services ready in namespace shop-pr-1',
    ]);
    expect(transitions(undefined, environmentStatus(observe({}))).filter((t) => t.type === 'Warning')).toEqual([]);
  });
});

describe('stalled status', () => {
  it('sets Stalled and Ready False with the same reason and drops Reconciling', () => {
    const waiting = environmentStatus(
      observe({ services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', ready: false }] }),
    );
    const stalled = stalledStatus(waiting, {
      generation: 2,
      now: at(20),
      reason: 'InvalidSpec',
      message: 'spec.scale.replicas: must be above 0',
    });
    expect(stalled.phase).toBe('Failed');
    expect(stalled.observedGeneration).toBe(2);
    expect(stalled.conditions?.find((c) => c.type === 'Stalled')).toMatchObject({
      status: 'True',
      reason: 'InvalidSpec',
      message: 'spec.scale.replicas: must be above 0',
      observedGeneration: 2,
    });
    expect(stalled.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InvalidSpec',
    });
    expect(stalled.conditions?.find((c) => c.type === 'Reconciling')).toBeUndefined();
  });
});

describe('transitions', () => {
  it('yields events only for conditions that changed', () => {
    const provisioning = environmentStatus(
      observe({ services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', ready: false }] }),
    );
    const ready = environmentStatus(observe({ previous: provisioning }));
    expect(transitions(undefined, provisioning).map((t) => t.reason)).toEqual(['Provisioned']);
    expect(transitions(provisioning, ready)).toEqual([
      { type: 'Normal', reason: 'Ready', message: '2/2 services ready in namespace shop-pr-1' },
    ]);
    expect(transitions(ready, ready)).toEqual([]);
    const stalled = stalledStatus(ready, {
      generation: 2,
      now: at(30),
      reason: 'BaselineNotFound',
      message: 'spec.baselineRef.name: Baseline shop does not exist',
    });
    expect(transitions(ready, stalled)).toEqual([
      { type: 'Warning', reason: 'BaselineNotFound', message: 'spec.baselineRef.name: Baseline shop does not exist' },
    ]);
  });

  it('records an update after Ready as Normal Progressing, and only a failed workload as a Degraded warning', () => {
    const ready = environmentStatus(observe());
    const updating = environmentStatus(
      observe({
        generation: 2,
        previous: ready,
        services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', ready: false }],
      }),
    );
    expect(updating.phase).toBe('Progressing');
    expect(transitions(ready, updating).map((t) => `${t.type}/${t.reason}`)).toEqual(['Normal/Progressing']);
    const failed = environmentStatus(
      observe({
        previous: ready,
        services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', ready: false }],
        failures: ['Deployment cart: ReplicaSet "cart-1" has timed out progressing.'],
      }),
    );
    expect(failed.phase).toBe('Degraded');
    expect(transitions(ready, failed).map((t) => `${t.type}/${t.reason}`)).toEqual(['Warning/WorkloadFailed']);
  });
});

describe('phase', () => {
  it('prefers failure, then suspension, then readiness', () => {
    const base = {
      ready: false,
      provisioned: true,
      suspended: false,
      seedFailed: false,
      servicesReady: false,
      wasReady: false,
    };
    expect(phaseOf({ ...base, seedFailed: true, suspended: true })).toBe('Failed');
    expect(phaseOf({ ...base, suspended: true })).toBe('Suspended');
    expect(phaseOf({ ...base, suspended: true, provisioned: false })).toBe('Provisioning');
    expect(phaseOf({ ...base, servicesReady: true })).toBe('Seeding');
  });

  it('after Ready, is Progressing while an update rolls out and Degraded only when a workload failed', () => {
    const after = {
      ready: false,
      provisioned: true,
      suspended: false,
      seedFailed: false,
      servicesReady: false,
      wasReady: true,
    };
    expect(phaseOf(after)).toBe('Progressing');
    expect(phaseOf({ ...after, provisioned: false })).toBe('Progressing');
    expect(phaseOf({ ...after, workloadFailed: true })).toBe('Degraded');
    expect(phaseOf({ ...after, wasReady: false, workloadFailed: true })).toBe('Failed');
  });
});

describe('a Ready environment whose image changes', () => {
  it('is Progressing with Reconciling True, never Degraded, until the new version is ready', () => {
    const ready = environmentStatus(observe());
    const applying = environmentStatus(
      observe({
        generation: 2,
        now: at(60),
        previous: ready,
        provisioned: false,
        provisioningMessage: 'applying objects in namespace shop-pr-1',
      }),
    );
    expect(applying.phase).toBe('Progressing');
    expect(conditionOf(applying, 'Reconciling')).toMatchObject({ status: 'True', observedGeneration: 2 });
    expect(conditionOf(applying, 'Stalled')).toBeUndefined();
    const rolling = environmentStatus(
      observe({
        generation: 2,
        now: at(61),
        previous: applying,
        services: [{ name: 'cart', kind: 'Deployment', mode: 'copy', replicas: 1, readyReplicas: 0, ready: false }],
      }),
    );
    expect(rolling.phase).toBe('Progressing');
    expect(conditionOf(rolling, 'Ready')).toMatchObject({ status: 'False', reason: 'WaitingForServices' });
    const again = environmentStatus(observe({ generation: 2, now: at(70), previous: rolling }));
    expect(again.phase).toBe('Ready');
    expect(again.timings?.readySeconds).toBe(10);
  });
});

describe('expired status', () => {
  it('under Retain keeps the resource Expired: Ready False, Expired True, Reconciling only while the namespace goes', () => {
    const ready = environmentStatus(observe());
    const base = {
      generation: 1,
      now: at(100),
      expiresAt: at(90),
      because: 'annotation argocd.argoproj.io/tracking-id',
    };
    const going = expiredStatus(ready, { ...base, deleting: ['shop-pr-1'] });
    expect(going.phase).toBe('Expired');
    expect(conditionOf(going, 'Reconciling')).toMatchObject({ status: 'True', reason: 'Expiring' });
    const gone = expiredStatus(going, { ...base, now: at(110), deleting: [] });
    expect(gone.phase).toBe('Expired');
    expect(gone.urls).toBeUndefined();
    expect(gone.services).toBeUndefined();
    expect(conditionOf(gone, 'Reconciling')).toBeUndefined();
    expect(conditionOf(gone, 'Stalled')).toBeUndefined();
    expect(conditionOf(gone, 'Ready')).toMatchObject({ status: 'False', reason: 'Expired' });
    expect(conditionOf(gone, 'Expired')).toMatchObject({ status: 'True', reason: 'TTLExpired' });
    expect(conditionOf(gone, 'Expired')?.message).toMatch(
      /expiryPolicy Retain, from annotation argocd\.argoproj\.io\/tracking-id/,
    );
    expect(gone.expiresAt).toBe('2030-01-01T00:01:30Z');
    // Computed again with nothing changed, it is the same status: no write.
    expect(expiredStatus(gone, { ...base, now: at(500), deleting: [] })).toEqual(gone);
  });
});

describe('what wakes the environment', () => {
  const env = (generation: number, infrastructure?: unknown): KubernetesObject =>
    ({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'StagingEnvironment',
      metadata: { name: 'pr-1', generation },
      status: { phase: 'Ready', ...(infrastructure ? { infrastructure } : {}) },
    }) as KubernetesObject;
  it('is its spec and metadata, and its infrastructure conditions, not its own status writes', () => {
    const up = {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'Succeeded',
          message: 'up',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
    const failed = {
      conditions: [
        {
          type: 'Stalled',
          status: 'True',
          reason: 'UpFailed',
          message: 'x',
          lastTransitionTime: '2026-01-01T00:00:00Z',
        },
      ],
    };
    expect(
      specMetadataOrInfrastructureChanged(env(1), { ...env(1), status: { phase: 'Progressing' } } as KubernetesObject),
    ).toBe(false);
    expect(specMetadataOrInfrastructureChanged(env(1), env(2))).toBe(true);
    expect(specMetadataOrInfrastructureChanged(env(1, up), env(1, failed))).toBe(true);
    expect(specMetadataOrInfrastructureChanged(env(1, up), env(1, { ...up, progress: 'refreshing' }))).toBe(false);
  });
});
