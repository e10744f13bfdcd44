import { childObjects, testJobs } from './children';
import { expiryOf, timeToExpiry } from './lifecycle';
import type { KubeObject } from './objects';
import { objectsToPrune } from './prune';
import { managedLabels } from './labels';
import { parseStagingEnvironmentSpec, type StagingEnvironmentSpec } from '../api/stagingenvironment';

function specOf(raw: unknown): StagingEnvironmentSpec {
  const parsed = parseStagingEnvironmentSpec(raw);
  if (!parsed.ok) throw new Error(parsed.message);
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

describe('children', () => {
  it('become DataSeeds, ParityChecks and test Jobs', () => {
    const spec = specOf({
      baselineRef: { name: 'shop' },
      dataSeeds: [{ name: 'orders', spec: { source: { synthesize: {} } } }],
      parityChecks: [{ name: 'drift', spec: { baselineRef: { name: 'other' }, staging: {} } }],
      tests: [{ name: 'smoke', template: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'curl' }] } } } }],
    });
    expect(childObjects(spec)).toEqual([
      // Without a baselineRef of its own a child names the environment's; its own wins.
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'DataSeed', metadata: { name: 'orders' }, spec: { baselineRef: { name: 'shop' }, source: { synthesize: {} } } },
      { apiVersion: 'understudy.dev/v1alpha1', kind: 'ParityCheck', metadata: { name: 'drift' }, spec: { baselineRef: { name: 'other' }, staging: {} } },
    ]);
    const [job] = testJobs(spec);
    expect(job?.metadata).toEqual({ name: 'test-smoke', labels: { 'understudy.dev/test': 'smoke' } });
    expect(job?.spec).toEqual({ template: { spec: { restartPolicy: 'Never', containers: [{ name: 't', image: 'curl' }] } } });
  });
});

describe('objectsToPrune', () => {
  const environment = { name: 'pr-1', namespace: 'previews' };
  const object = (kind: string, name: string, labels: Record<string, string>, apiVersion = 'v1'): KubeObject => ({ apiVersion, kind, metadata: { name, namespace: 'shop-pr-1', labels } });
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
