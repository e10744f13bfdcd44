import { childObjects, testJobs } from './children';
import {
  expiryOf,
  expiryPolicyOf,
  lifetimeStart,
  parseTombstone,
  timeToExpiry,
  tombstoneName,
  tombstoneObject,
  TOMBSTONE_RETENTION_MS,
  type Tombstone,
} from './lifecycle';
import type { KubeObject } from './objects';
import { objectsToPrune } from './prune';
import { managedLabels } from './labels';
import { parseStagingEnvironmentSpec, type StagingEnvironmentSpec } from '../api/stagingenvironment';

function specOf(raw: unknown): StagingEnvironmentSpec {
  const parsed = parseStagingEnvironmentSpec(raw);
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return parsed.spec;
}

describe('expiry', () => {
  const created = new Date('2030-01-01T00:00:00Z');
  it('comes from ttl or expiresAt', () => {
    expect(expiryOf({ ttl: '72h' }, created)?.toISOString()).toBe('2030-01-04T00:00:00.000Z');
    expect(expiryOf({ expiresAt: '2030-02-01T12:00:00Z' }, created)?.toISOString()).toBe('2030-02-01T12:00:00.000Z');
    expect(expiryOf({}, created)).toBeUndefined();
    expect(timeToExpiry({ ttl: '1h' }, created, new Date('2030-01-01T02:00:00Z'))).toBe(-3_600_000);
  });
});

describe('expiry policy', () => {
  it('is what the spec says, else Retain for an object Argo CD or Flux tracks (it would re-create it), else Delete', () => {
    expect(
      expiryPolicyOf('Delete', {
        annotations: { 'argocd.argoproj.io/tracking-id': 'previews:understudy.dev/StagingEnvironment:previews/pr-1' },
      }),
    ).toEqual({ policy: 'Delete', because: 'spec.expiryPolicy' });
    expect(expiryPolicyOf(undefined, { annotations: { 'argocd.argoproj.io/tracking-id': 'x' } })).toEqual({
      policy: 'Retain',
      because: 'annotation argocd.argoproj.io/tracking-id',
    });
    expect(expiryPolicyOf(undefined, { labels: { 'app.kubernetes.io/instance': 'previews-pr-1' } }).policy).toBe(
      'Retain',
    );
    expect(expiryPolicyOf(undefined, { labels: { 'kustomize.toolkit.fluxcd.io/name': 'previews' } }).policy).toBe(
      'Retain',
    );
    expect(expiryPolicyOf(undefined, { labels: { team: 'cart' } })).toEqual({
      policy: 'Delete',
      because: 'the default without a GitOps tracking label or annotation',
    });
  });
});

describe('lifetime under Retain', () => {
  const env = { namespace: 'previews', name: 'pr-1', uid: 'second' };
  const first = new Date('2030-01-01T00:00:00Z');
  const recreated = new Date('2030-01-04T00:05:00Z');
  const tombstone: Tombstone = {
    namespace: 'previews',
    name: 'pr-1',
    uid: 'first',
    firstCreatedAt: first,
    expiredAt: new Date('2030-01-04T00:00:00Z'),
  };

  it('counts a re-created resource from the first creation of its name, so it is expired at once rather than a new lifetime', () => {
    const now = new Date('2030-01-04T00:05:10Z');
    const { start, earlier } = lifetimeStart(env, recreated, tombstone, now);
    expect(start).toEqual(first);
    expect(earlier?.uid).toBe('first');
    expect(expiryOf({ ttl: '72h' }, start)!.getTime()).toBeLessThanOrEqual(now.getTime());
    // Without the tombstone the same resource would live three more days: the GitOps loop.
    expect(expiryOf({ ttl: '72h' }, lifetimeStart(env, recreated, undefined, now).start)!.getTime()).toBeGreaterThan(
      now.getTime(),
    );
  });

  it('forgets a tombstone past its retention, or of another name', () => {
    const late = new Date(tombstone.expiredAt.getTime() + TOMBSTONE_RETENTION_MS + 1);
    expect(lifetimeStart(env, late, tombstone, late).start).toEqual(late);
    expect(lifetimeStart({ ...env, name: 'pr-2' }, recreated, tombstone, recreated).start).toEqual(recreated);
  });

  it('round-trips through a ConfigMap in the operator namespace, and trusts nothing else', () => {
    const object = tombstoneObject(tombstone, 'understudy-system');
    expect(object.metadata.name).toBe(tombstoneName(env));
    expect(object.metadata.name).toMatch(/^understudy-expired-[0-9a-f]{20}$/);
    expect(parseTombstone(object)).toEqual(tombstone);
    expect(parseTombstone({ ...object, metadata: { ...object.metadata, labels: {} } })).toBeUndefined();
    expect(
      parseTombstone({ ...object, data: { ...(object.data as object), firstCreatedAt: 'yesterday' } }),
    ).toBeUndefined();
  });
});

describe('children', () => {
  it('become DataSeeds, ParityChecks and test Jobs', () => {
    const spec = specOf({
      baselineRef: { name: 'shop' },
      dataSeeds: [
        {
          name: 'orders',
          spec: {
            source: { fixtures: { configMapRef: { name: 'rows', key: 'rows.yaml' } } },
            target: { host: 'db', database: 'app', user: 'app' },
          },
        },
      ],
      parityChecks: [{ name: 'drift', spec: { baselineRef: { name: 'other' }, staging: {} } }],
      tests: [
        {
          name: 'smoke',
          template: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'curl' }] } } },
        },
      ],
    });
    expect(childObjects(spec)).toEqual([
      // Without a baselineRef of its own a child names the environment's; its own wins.
      {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'DataSeed',
        metadata: { name: 'orders' },
        spec: {
          baselineRef: { name: 'shop' },
          source: { fixtures: { configMapRef: { name: 'rows', key: 'rows.yaml' } } },
          target: { host: 'db', database: 'app', user: 'app' },
        },
      },
      {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'ParityCheck',
        metadata: { name: 'drift' },
        spec: { baselineRef: { name: 'other' }, staging: {} },
      },
    ]);
    const [job] = testJobs(spec);
    expect(job?.metadata).toEqual({ name: 'test-smoke', labels: { 'understudy.dev/test': 'smoke' } });
    expect(job?.spec).toEqual({
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'curl' }] } },
    });
  });
});

describe('objectsToPrune', () => {
  const environment = { name: 'pr-1', namespace: 'previews' };
  const object = (kind: string, name: string, labels: Record<string, string>, apiVersion = 'v1'): KubeObject => ({
    apiVersion,
    kind,
    metadata: { name, namespace: 'shop-pr-1', labels },
  });
  it('names managed objects that are no longer desired, and nothing else', () => {
    const mine = managedLabels(environment);
    const current = [
      object('ConfigMap', 'kept', mine),
      object('ConfigMap', 'gone', mine),
      object('ConfigMap', 'someone-elses', { team: 'x' }),
      object('ConfigMap', 'other-env', managedLabels({ name: 'pr-2', namespace: 'previews' })),
      object('HorizontalPodAutoscaler', 'web', mine, 'autoscaling/v1'),
      object('Job', 'test-smoke', { ...mine, 'understudy.dev/test': 'smoke' }, 'batch/v1'),
    ];
    const desired = [object('ConfigMap', 'kept', {}), object('HorizontalPodAutoscaler', 'web', {}, 'autoscaling/v2')];
    expect(objectsToPrune(current, desired, environment).map((o) => o.metadata.name)).toEqual(['gone']);
  });
});
