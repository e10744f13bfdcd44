import type { KubeObject } from './objects';
import { rolloutFailure } from './rollout';

const deployment = (status: Record<string, unknown>, generation = 2): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'checkout', generation },
  spec: { replicas: 1 },
  status: { observedGeneration: generation, ...status },
});

describe('rolloutFailure', () => {
  it('is nothing while a rollout progresses, however unavailable the pods', () => {
    expect(
      rolloutFailure(
        deployment({
          replicas: 2,
          updatedReplicas: 1,
          availableReplicas: 0,
          conditions: [
            { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' },
            { type: 'Available', status: 'False' },
          ],
        }),
      ),
    ).toBeUndefined();
    expect(rolloutFailure(undefined)).toBeUndefined();
  });

  it('names a progress deadline exceeded and pods refused', () => {
    expect(
      rolloutFailure(
        deployment({
          conditions: [
            {
              type: 'Progressing',
              status: 'False',
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "checkout-7d" has timed out progressing.',
            },
          ],
        }),
      ),
    ).toBe('Deployment checkout: ReplicaSet "checkout-7d" has timed out progressing.');
    expect(
      rolloutFailure(
        deployment({
          conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'exceeded quota' }],
        }),
      ),
    ).toBe('Deployment checkout: exceeded quota');
  });

  it('ignores a failure reported for an older generation: the new spec is still rolling out', () => {
    const stale = deployment(
      {
        observedGeneration: 1,
        conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }],
      },
      2,
    );
    expect(rolloutFailure(stale)).toBeUndefined();
  });
});
