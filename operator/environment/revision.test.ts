import fc from 'fast-check';
import type { KubeObject } from './objects';
import { baselineRevision } from './revision';

const deployment = (replicas: number, image = 'web:1'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', resourceVersion: String(replicas), generation: replicas },
  spec: { replicas, template: { spec: { containers: [{ name: 'web', image }] } } },
  status: { readyReplicas: replicas },
});
const hpa: KubeObject = {
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 5 },
};
const config = (value: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'shop' },
  data: { a: value, b: 'x' },
});
const secret = (password: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'shop' },
  data: { password: Buffer.from(password).toString('base64') },
});

describe('baselineRevision', () => {
  it('is stable under order, key order and server-set fields', () => {
    const objects = [deployment(3), config('1'), secret('p')];
    const reordered = [
      secret('p'),
      { ...config('1'), data: { b: 'x', a: '1' } },
      { ...deployment(3), metadata: { ...deployment(3).metadata, uid: 'u', managedFields: [] } },
    ];
    expect(baselineRevision(reordered)).toBe(baselineRevision(objects));
    expect(baselineRevision(objects)).toMatch(/^sha256:[0-9a-f]{64}$/);
    fc.assert(
      fc.property(fc.shuffledSubarray(objects, { minLength: 3, maxLength: 3 }), (shuffled) =>
        expect(baselineRevision(shuffled)).toBe(baselineRevision(objects)),
      ),
    );
  });

  it('changes when something copied changes', () => {
    expect(baselineRevision([deployment(3, 'web:2')])).not.toBe(baselineRevision([deployment(3)]));
    expect(baselineRevision([config('2')])).not.toBe(baselineRevision([config('1')]));
    expect(baselineRevision([deployment(3)])).not.toBe(baselineRevision([deployment(4)]));
  });

  it('ignores replica counts an HPA is changing', () => {
    expect(baselineRevision([deployment(4), hpa])).toBe(baselineRevision([deployment(9), hpa]));
  });

  it('counts Secret values only when they are copied', () => {
    expect(baselineRevision([secret('a')])).toBe(baselineRevision([secret('b')]));
    expect(baselineRevision([secret('a')], new Set(['s']))).not.toBe(baselineRevision([secret('b')], new Set(['s'])));
    expect(baselineRevision([secret('a')], new Set(['s']))).not.toContain(Buffer.from('a').toString('base64'));
  });
});
