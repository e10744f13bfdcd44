import type { StagingEnvironmentObject } from '../../kinds';
import { environmentReady } from './resolve';

const env = (generation: number, readyFor: number, status: 'True' | 'False' = 'True'): StagingEnvironmentObject => ({
  apiVersion: 'understudy.dev/v1alpha1',
  kind: 'StagingEnvironment',
  metadata: { name: 'pr-1', namespace: 'previews', generation },
  status: {
    conditions: [
      { type: 'Ready', status, reason: 'Ready', message: '', lastTransitionTime: '', observedGeneration: readyFor },
    ],
  },
});

describe('environmentReady (when a LoadTest may send)', () => {
  it('is true once Ready is True for the current generation', () => {
    expect(environmentReady(env(3, 3))).toBe(true);
    expect(environmentReady(undefined)).toBe(true);
  });

  it('is false while Ready describes the copy a spec change is replacing, or is False', () => {
    expect(environmentReady(env(4, 3))).toBe(false);
    expect(environmentReady(env(3, 3, 'False'))).toBe(false);
  });
});
