import { jobFailure, type JobObject, jobState, parseTerminationMessage, type PodObject } from './job-outcome';

const job = (
  conditions: Array<{ type: string; status: string; reason?: string; message?: string }>,
  completionTime?: string,
): JobObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'shop-seed-1' },
  status: { conditions, completionTime },
});
const pod = (message: string | undefined): PodObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  status: { containerStatuses: [{ name: 'seed', state: { terminated: { exitCode: 1, message } } }] },
});

describe('seed Job outcome', () => {
  it('is finished only on Complete or Failed', () => {
    expect(jobState(job([]))).toEqual({ kind: 'active' });
    expect(jobState(job([{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }]))).toEqual({
      kind: 'active',
    });
    expect(
      jobState(
        job(
          [
            { type: 'SuccessCriteriaMet', status: 'True' },
            { type: 'Complete', status: 'True' },
          ],
          '2030-01-01T00:00:00Z',
        ),
      ),
    ).toEqual({ kind: 'complete', completedAt: '2030-01-01T00:00:00Z' });
    expect(
      jobState(
        job([
          {
            type: 'Failed',
            status: 'True',
            reason: 'DeadlineExceeded',
            message: 'Job was active longer than specified deadline',
          },
        ]),
      ),
    ).toEqual({ kind: 'failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
  });

  it("reads the seed command's own failure from the last JSON line of the termination message", () => {
    const tail =
      '{"event":"progress","rows":10}\n{"event":"failed","reason":"ReferenceNotFound","message":"spec.target.urlSecretRef: Secret ns/db not found","retryable":true}\n';
    expect(parseTerminationMessage(tail)).toEqual({
      reason: 'ReferenceNotFound',
      message: 'spec.target.urlSecretRef: Secret ns/db not found',
    });
    // Cut at the front by the 2 KiB limit: the reason survives when it is still there.
    expect(parseTerminationMessage('ason":"x","reason":"UncoveredColumns","message":"strict mode: ...')?.reason).toBe(
      'UncoveredColumns',
    );
    expect(parseTerminationMessage('panic: out of memory')).toBeUndefined();
  });

  it("reports the seed's reason when the pod said it, else the Job controller's", () => {
    const failed = {
      kind: 'failed' as const,
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    };
    expect(
      jobFailure('shop-seed-1', failed, [
        pod('{"event":"failed","reason":"FidelityFailed","message":"fidelity thresholds exceeded: x"}'),
      ]),
    ).toEqual({ reason: 'FidelityBelowThreshold', message: 'fidelity thresholds exceeded: x' });
    expect(jobFailure('shop-seed-1', failed, [pod(undefined)])).toEqual({
      reason: 'JobFailed',
      message:
        "the seed Job shop-seed-1 failed (BackoffLimitExceeded): Job has reached the specified backoff limit; see its pod's log",
    });
  });
});
