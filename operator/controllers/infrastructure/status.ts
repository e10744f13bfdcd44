import { INFRASTRUCTURE_CONDITIONS as C, type InfrastructureStatus } from '../../api/infrastructure';
import type { StackResult } from '../../infrastructure/request';
import { kubeTime, setCondition, setReconciling, setStalled } from '../../runtime/conditions';

// status.infrastructure of a StagingEnvironment, computed from the previous
// one and what just happened. Pure. Output values never enter it: only their
// names, and the Secret that holds them.

export interface StatusContext {
  generation: number;
  now: Date;
  stack: string;
}

const verb = { up: 'up', destroy: 'destroy', drift: 'refresh preview' } as const;

export function runningStatus(
  prev: InfrastructureStatus | undefined,
  c: StatusContext,
  action: StackResult['action'],
  progress: string | undefined,
): InfrastructureStatus {
  const message = `${verb[action]} of stack ${c.stack} running${progress ? `: ${progress}` : ''}`;
  let conditions = setReconciling(
    prev?.conditions,
    {
      reason: action === 'destroy' ? 'Destroying' : action === 'drift' ? 'CheckingDrift' : 'Updating',
      message,
      observedGeneration: c.generation,
    },
    c.now,
  );
  if (action !== 'drift') {
    conditions = setStalled(conditions, false, c.now);
    conditions = setCondition(
      conditions,
      {
        type: C.ready,
        status: 'False',
        reason: action === 'destroy' ? 'Destroying' : 'Updating',
        message,
        observedGeneration: c.generation,
      },
      c.now,
    );
  }
  return { ...prev, stack: c.stack, ...(progress ? { progress: progress.slice(0, 1024) } : {}), conditions };
}

export function resultStatus(
  prev: InfrastructureStatus | undefined,
  c: StatusContext,
  result: StackResult,
  o: { digest?: string; outputSecret?: string },
): InfrastructureStatus {
  const { progress: _progress, ...rest } = prev ?? {};
  const base: InfrastructureStatus = {
    ...rest,
    stack: c.stack,
    lastOperation: result.action,
    lastResult: result.ok ? 'Succeeded' : 'Failed',
    lastDurationSeconds: Math.round(result.durationMs / 100) / 10,
    lastRunAt: kubeTime(c.now),
  };
  let conditions = setReconciling(prev?.conditions, false, c.now);
  if (result.action === 'drift') {
    // A refresh preview changes nothing: it never touches lastOperation, lastResult or Stalled.
    const changed = result.ok
      ? Object.entries(result.changes)
          .filter(([op, n]) => op !== 'same' && n > 0)
          .map(([op, n]) => `${n} ${op}`)
      : [];
    conditions = setCondition(
      conditions,
      !result.ok
        ? {
            type: C.drifted,
            status: 'Unknown',
            reason: 'DriftCheckFailed',
            message: `the refresh preview of stack ${c.stack} failed: ${result.message}`,
            observedGeneration: c.generation,
          }
        : result.drifted
          ? {
              type: C.drifted,
              status: 'True',
              reason: 'RefreshWouldChange',
              message: `a refresh of stack ${c.stack} would change the state (${changed.join(', ')}): something changed outside Pulumi`,
              observedGeneration: c.generation,
            }
          : {
              type: C.drifted,
              status: 'False',
              reason: 'InSync',
              message: `a refresh of stack ${c.stack} changes nothing`,
              observedGeneration: c.generation,
            },
      c.now,
    );
    return { ...rest, stack: c.stack, driftCheckedAt: kubeTime(c.now), conditions };
  }
  if (!result.ok) {
    const message = `${verb[result.action]} of stack ${c.stack} failed: ${result.message}`;
    conditions = setStalled(
      conditions,
      {
        reason: result.action === 'destroy' ? 'DestroyFailed' : 'UpdateFailed',
        message,
        observedGeneration: c.generation,
      },
      c.now,
    );
    conditions = setCondition(
      conditions,
      { type: C.ready, status: 'False', reason: 'Failed', message, observedGeneration: c.generation },
      c.now,
    );
    return { ...base, ...(o.digest ? { observedConfig: o.digest } : {}), conditions };
  }
  conditions = setStalled(conditions, false, c.now);
  if (result.action === 'destroy') {
    conditions = setCondition(
      conditions,
      {
        type: C.ready,
        status: 'False',
        reason: 'Destroyed',
        message: `stack ${c.stack} destroyed`,
        observedGeneration: c.generation,
      },
      c.now,
    );
    const { outputs: _outputs, ...destroyed } = base;
    return { ...destroyed, conditions };
  }
  const outputs = Object.keys(result.outputs).sort();
  const recovered = result.recovered.length ? `; ${result.recovered.join('; ')}` : '';
  conditions = setCondition(
    conditions,
    {
      type: C.ready,
      status: 'True',
      reason: 'Succeeded',
      message: `stack ${c.stack} is up (${outputs.length} outputs in Secret ${o.outputSecret ?? ''})${recovered}`,
      observedGeneration: c.generation,
    },
    c.now,
  );
  return {
    ...base,
    ...(o.digest ? { observedConfig: o.digest } : {}),
    outputs: outputs.slice(0, 64),
    ...(o.outputSecret ? { outputSecret: o.outputSecret } : {}),
    conditions,
  };
}

export function stalledStatus(
  prev: InfrastructureStatus | undefined,
  c: Omit<StatusContext, 'stack'> & { stack?: string },
  reason: string,
  message: string,
): InfrastructureStatus {
  let conditions = setReconciling(prev?.conditions, false, c.now);
  conditions = setStalled(conditions, { reason, message, observedGeneration: c.generation }, c.now);
  conditions = setCondition(
    conditions,
    { type: C.ready, status: 'False', reason, message, observedGeneration: c.generation },
    c.now,
  );
  return { ...prev, ...(c.stack ? { stack: c.stack } : {}), conditions };
}

/** Whether `up` has brought this digest up and nothing needs running but the drift check. */
export function isUpToDate(status: InfrastructureStatus | undefined, digest: string): boolean {
  return status?.observedConfig === digest && status.lastResult === 'Succeeded' && status.lastOperation !== 'destroy';
}

/** A failed `up` of this digest is retried after a pause, not in a loop: the engine's message stays in Stalled meanwhile. */
export function retryAfterMs(
  status: InfrastructureStatus | undefined,
  digest: string,
  now: Date,
  pauseMs: number,
): number | undefined {
  if (status?.observedConfig !== digest || status.lastResult !== 'Failed' || !status.lastRunAt) return undefined;
  const wait = Date.parse(status.lastRunAt) + pauseMs - now.getTime();
  return wait > 0 ? wait : undefined;
}

export function driftDueInMs(status: InfrastructureStatus | undefined, intervalMs: number, now: Date): number {
  const last = status?.driftCheckedAt ?? status?.lastRunAt;
  if (!last) return 0;
  return Math.max(0, Date.parse(last) + intervalMs - now.getTime());
}
