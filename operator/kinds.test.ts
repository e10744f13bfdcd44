import { KINDS } from './api';
import { Kinds } from './kinds';
import { apiVersionOf, groupOf, isKind } from './runtime/gvk';
import { staticCaches } from './runtime/testing/static-caches';

describe('Kinds', () => {
  it('holds each of our CRDs as generated, and no group/version/kind twice', () => {
    for (const def of KINDS) {
      const kind = Kinds[def.kind as keyof typeof Kinds];
      expect(kind).toMatchObject({
        group: def.group,
        version: def.version,
        kind: def.kind,
        plural: def.plural,
        apiVersion: `${def.group}/${def.version}`,
      });
    }
    const spelled = Object.values(Kinds).map((k) => `${k.apiVersion}/${k.kind}`);
    expect(new Set(spelled).size).toBe(spelled.length);
    for (const [name, kind] of Object.entries(Kinds)) expect(kind.kind).toBe(name);
  });

  it('spells core apiVersions without a group, and reads groups back', () => {
    expect(Kinds.Secret.apiVersion).toBe('v1');
    expect(Kinds.Job.apiVersion).toBe('batch/v1');
    expect(apiVersionOf({ group: '', version: 'v1' })).toBe('v1');
    expect(groupOf('networking.k8s.io/v1')).toBe('networking.k8s.io');
    expect(groupOf('v1')).toBe('');
    expect(Object.isFrozen(Kinds.Job)).toBe(true);
  });

  it('matches objects of a kind at any version of its group', () => {
    expect(
      isKind({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' }, Kinds.HorizontalPodAutoscaler),
    ).toBe(true);
    expect(isKind({ apiVersion: 'apps/v1', kind: 'Job' }, Kinds.Job)).toBe(false);
    expect(isKind({ kind: 'Job' }, Kinds.Job)).toBe(false);
  });
});

describe('caches by kind', () => {
  it('are typed for a kind of the table and untyped for a kind known only at run time', () => {
    const caches = staticCaches([
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { namespace: 'ns', name: 'seed' },
        status: { succeeded: 1 },
      } as never,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'ns', name: 'web' } },
    ]);
    // status.succeeded reads without a cast: the cache holds JobObjects.
    expect(caches.cache(Kinds.Job).get('ns', 'seed')?.status?.succeeded).toBe(1);
    expect(
      caches
        .cache({ apiVersion: 'apps/v1', kind: 'Deployment' })
        .list('ns')
        .map((o) => o.metadata?.name),
    ).toEqual(['web']);
    expect(caches.cache(Kinds.Deployment).list('other')).toEqual([]);
  });
});
