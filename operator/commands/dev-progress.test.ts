import type { Condition } from '../api/common';
import { assessEnvironment, type EnvironmentView, NO_OPERATOR_HINT_MS, readySummary } from './dev-progress';

const at = '2026-12-06T12:00:00Z';
const condition = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  observedGeneration = 2,
): Condition => ({ type, status, reason, message, observedGeneration, lastTransitionTime: at });

function env(
  conditions: Condition[],
  extra: Partial<NonNullable<EnvironmentView['status']>> = {},
  observedGeneration = 2,
): EnvironmentView {
  return {
    metadata: { name: 'pr-7', namespace: 'previews', generation: 2 },
    status: { phase: 'Provisioning', conditions, observedGeneration, ...extra },
  };
}

describe('assessEnvironment', () => {
  it('waits for the operator to observe the current generation, even when an older status says Ready', () => {
    const old = env([condition('Ready', 'True', 'Ready', '3/3 services ready', 1)], { phase: 'Ready' }, 1);
    expect(assessEnvironment(old)).toEqual({
      outcome: 'waiting',
      line: 'waiting for the operator to observe generation 2',
    });
  });

  it('asks whether the operator runs when nothing has written a status for a while', () => {
    const fresh: EnvironmentView = { metadata: { name: 'pr-7', namespace: 'previews', generation: 1 } };
    expect(assessEnvironment(fresh, { elapsedMs: 1000 }).line).toBe('waiting for the operator to observe generation 1');
    expect(assessEnvironment(fresh, { elapsedMs: NO_OPERATOR_HINT_MS }).line).toMatch(
      /is the operator running and watching namespace previews\?/,
    );
  });

  it('shows what Ready waits for while provisioning', () => {
    const waiting = env([
      condition('Ready', 'False', 'WaitingForServices', '1/3 services ready; waiting for cart, checkout'),
    ]);
    expect(assessEnvironment(waiting)).toEqual({
      outcome: 'waiting',
      line: 'Provisioning: 1/3 services ready; waiting for cart, checkout',
    });
  });

  it('stops on Stalled with its reason and message', () => {
    const stalled = env(
      [
        condition('Ready', 'False', 'BaselineNotFound', 'x'),
        condition('Stalled', 'True', 'BaselineNotFound', 'spec.baselineRef.name: Baseline nope does not exist'),
      ],
      { phase: 'Failed' },
    );
    expect(assessEnvironment(stalled)).toEqual({
      outcome: 'stalled',
      line: 'Stalled (BaselineNotFound): spec.baselineRef.name: Baseline nope does not exist',
    });
  });

  it('is done at Ready for the current generation', () => {
    expect(
      assessEnvironment(
        env([condition('Ready', 'True', 'Ready', '3/3 services ready in namespace shop-pr-7')], { phase: 'Ready' }),
      ),
    ).toEqual({
      outcome: 'ready',
      line: 'Ready: 3/3 services ready in namespace shop-pr-7',
    });
  });

  it('with waitForTests, waits for TestsPassed and fails on a failed test', () => {
    const ready = condition('Ready', 'True', 'Ready', '3/3 services ready');
    const options = { waitForTests: true };
    expect(
      assessEnvironment(
        env([ready, condition('TestsPassed', 'Unknown', 'Running', '0/1 tests passed, 1 running')], { phase: 'Ready' }),
        options,
      ),
    ).toEqual({
      outcome: 'waiting',
      line: 'Ready, tests: 0/1 tests passed, 1 running',
    });
    expect(
      assessEnvironment(
        env([ready, condition('TestsPassed', 'False', 'Failed', '1/1 tests failed: smoke')], { phase: 'Ready' }),
        options,
      ).outcome,
    ).toBe('testsFailed');
    expect(
      assessEnvironment(
        env([ready, condition('TestsPassed', 'True', 'Succeeded', '1/1 tests passed')], { phase: 'Ready' }),
        options,
      ),
    ).toEqual({
      outcome: 'ready',
      line: 'Ready: 3/3 services ready; 1/1 tests passed',
    });
    // A TestsPassed of the previous generation says nothing about this one's tests.
    expect(
      assessEnvironment(
        env([ready, condition('TestsPassed', 'True', 'Succeeded', '1/1 tests passed', 1)], { phase: 'Ready' }),
        options,
      ).outcome,
    ).toBe('waiting');
  });
});

describe('readySummary', () => {
  it('lists services in aligned columns, URLs, timings and expiry', () => {
    const lines = readySummary(
      env([], {
        phase: 'Ready',
        namespace: 'shop-pr-7',
        readyServices: '2/2',
        services: [
          {
            name: 'checkout',
            kind: 'Deployment',
            mode: 'copy',
            image: 'checkout:pr-7',
            replicas: 12,
            readyReplicas: 10,
            ready: false,
          },
          {
            name: 'cart',
            kind: 'Deployment',
            mode: 'copy',
            image: 'cart:1.0',
            replicas: 1,
            readyReplicas: 1,
            ready: true,
          },
          { name: 'payments', kind: 'Service', mode: 'shared', ready: true },
        ],
        urls: ['https://checkout.pr-7.preview.example.com'],
        timings: { provisionedSeconds: 0.4, readySeconds: 1.2 },
        expiresAt: '2026-12-09T12:00:00Z',
      }),
    );
    expect(lines).toEqual([
      'environment previews/pr-7 is Ready in namespace shop-pr-7',
      'services ready: 2/2',
      '  checkout  10/12   checkout:pr-7',
      '  cart      1/1     cart:1.0',
      "  payments  shared  the baseline's instance",
      'url: https://checkout.pr-7.preview.example.com',
      'timings: provisioned 0.4s, ready 1.2s',
      'expires: 2026-12-09T12:00:00Z',
    ]);
  });
});
