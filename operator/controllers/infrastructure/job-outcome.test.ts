import fc from 'fast-check';
import type { StackResult } from '../../infrastructure/request';
import type { JobObject } from '../../kinds';
import { ANNOTATIONS } from './job-manifest';
import { jobRunState, MAX_PROGRESS } from './job-outcome';
import { interruptionBackoffMs, isStale } from './job-runs';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function job(conditions: Array<{ type: string; reason?: string; message?: string }> = []): JobObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'understudy-infra-x-up-1' },
    status: { conditions: conditions.map((c) => ({ status: 'True', ...c })) },
  };
}

const base = { action: 'up' as const, startedAtMs: 1_000, nowMs: 6_000 };
const succeeded: StackResult = {
  ok: true,
  action: 'up',
  durationMs: 4_200,
  outputs: { password: { value: 's3cret', secret: true } },
  changes: { create: 2 },
  recovered: [],
};

describe('jobRunState', () => {
  it('is running, with the pod’s last progress line, while the Job is active', () => {
    expect(jobRunState({ ...base, job: job(), resultData: {} })).toEqual({ kind: 'running', progress: undefined });
    expect(jobRunState({ ...base, job: job(), resultData: { progress: b64('creating database') } })).toEqual({
      kind: 'running',
      progress: 'creating database',
    });
  });

  it('bounds the progress line', () => {
    const state = jobRunState({ ...base, job: job(), resultData: { progress: b64('x'.repeat(10_000)) } });
    expect(state.kind === 'running' && state.progress?.length).toBe(MAX_PROGRESS);
  });

  it('takes the result the pod wrote, whatever the Job says', () => {
    for (const conditions of [[], [{ type: 'Complete' }], [{ type: 'Failed', reason: 'BackoffLimitExceeded' }]])
      expect(
        jobRunState({ ...base, job: job(conditions), resultData: { result: b64(JSON.stringify(succeeded)) } }),
      ).toEqual({
        kind: 'finished',
        result: succeeded,
      });
  });

  it('makes a failed Job without a result an interrupted run (the next run recovers the stack)', () => {
    const state = jobRunState({
      ...base,
      job: job([
        { type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
      ]),
      resultData: {},
    });
    expect(state).toEqual({
      kind: 'finished',
      result: {
        ok: false,
        action: 'up',
        durationMs: 5_000,
        interrupted: true,
        recovered: [],
        message:
          'the Job understudy-infra-x-up-1 failed before reporting a result (BackoffLimitExceeded: Job has reached the specified backoff limit); the next run recovers the stack',
      },
    });
  });

  it('makes a Job past its deadline, or one that completed without a result, a failure of the operation', () => {
    const late = jobRunState({ ...base, job: job([{ type: 'Failed', reason: 'DeadlineExceeded' }]), resultData: {} });
    expect(late.kind === 'finished' && late.result).toMatchObject({ ok: false });
    expect(late.kind === 'finished' && !late.result.ok && late.result.interrupted).toBeFalsy();
    const silent = jobRunState({ ...base, job: job([{ type: 'Complete' }]), resultData: {} });
    expect(silent.kind === 'finished' && !silent.result.ok && silent.result.message).toContain(
      'completed without writing a result',
    );
    expect(silent.kind === 'finished' && !silent.result.ok && silent.result.interrupted).toBeFalsy();
  });

  it('makes a Job left suspended (the operator stopped while starting it) an interrupted run', () => {
    const suspended = { ...job(), spec: { suspend: true } };
    const state = jobRunState({ ...base, job: suspended, resultData: {} });
    expect(state.kind === 'finished' && !state.result.ok && state.result).toMatchObject({
      interrupted: true,
      message: expect.stringContaining('left suspended') as string,
    });
  });

  it('treats an unreadable result or a vanished result Secret as an interruption, never as success', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const state = jobRunState({ ...base, job: job(), resultData: { result: b64(text) } });
        expect(state.kind).toBe('finished');
        if (state.kind === 'finished' && state.result.ok) expect(StackResultLike(text)).toBe(true);
      }),
    );
    const gone = jobRunState({ ...base, job: job(), resultData: undefined });
    expect(gone.kind === 'finished' && !gone.result.ok && gone.result.interrupted).toBe(true);
  });
});

function StackResultLike(text: string): boolean {
  try {
    return (JSON.parse(text) as { ok?: unknown }).ok === true;
  } catch {
    return false;
  }
}

describe('isStale', () => {
  const withAnnotations = (a: Record<string, string>): JobObject => ({ metadata: { name: 'j', annotations: a } });
  const up = withAnnotations({ [ANNOTATIONS.uid]: 'u1', [ANNOTATIONS.action]: 'up', [ANNOTATIONS.digest]: 'd1' });

  it('keeps the run of this environment at this configuration', () => {
    expect(isStale(up, { uid: 'u1', digest: 'd1' })).toBe(false);
    expect(isStale(up, { uid: 'u1' })).toBe(false);
    expect(isStale(up, undefined)).toBe(false);
  });

  it('drops the run of an earlier environment of the same name, and an up of a configuration that changed', () => {
    expect(isStale(up, { uid: 'u2', digest: 'd1' })).toBe(true);
    expect(isStale(up, { uid: 'u1', digest: 'd2' })).toBe(true);
  });

  it('never drops a destroy for a changed configuration', () => {
    const destroy = withAnnotations({
      [ANNOTATIONS.uid]: 'u1',
      [ANNOTATIONS.action]: 'destroy',
      [ANNOTATIONS.digest]: 'd1',
    });
    expect(isStale(destroy, { uid: 'u1', digest: 'd2' })).toBe(false);
  });
});

describe('interruptionBackoffMs', () => {
  it('runs again at once after one interruption, then backs off doubling, bounded', () => {
    expect([1, 2, 3, 4, 10, 100].map(interruptionBackoffMs)).toEqual([0, 10_000, 20_000, 40_000, 300_000, 300_000]);
  });
});
