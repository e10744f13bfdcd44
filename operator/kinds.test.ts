import { KINDS } from './api';
import { Kinds } from './kinds';
import { apiVersionOf, groupOf, isKind } from './runtime/gvk';

describe('Kinds', () => {
  it('holds each of our CRDs as generated, and no group/version/kind twice', () => {
    for (const def of KINDS) {
      const kind = Kinds[def.kind as keyof typeof Kinds];
      expect(kind).toMatchObject({ group: def.group, version: def.version, kind: def.kind, plural: def.plural, apiVersion: `${def.group}/${def.version}` });
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
    expect(isKind({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' }, Kinds.HorizontalPodAutoscaler)).toBe(true);
    expect(isKind({ apiVersion: 'apps/v1', kind: 'Job' }, Kinds.Job)).toBe(false);
    expect(isKind({ kind: 'Job' }, Kinds.Job)).toBe(false);
  });
});
