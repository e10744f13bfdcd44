import { eventOf } from './reconciler';
import { driftDueInMs, isUpToDate, resultStatus, retryAfterMs, runningStatus, stalledStatus } from './status';

const now = new Date('2030-01-01T00:00:00Z');
const c = { generation: 3, now, stack: 'understudy-postgres-database/previews.pr-1.abc' };
const cond = (
  s: { conditions?: Array<{ type: string; status: string; reason: string; message: string }> },
  type: string,
) => s.conditions?.find((x) => x.type === type);

describe('status.infrastructure', () => {
  it('records a successful up with output names only, and is then up to date for that digest', () => {
    const s = resultStatus(
      undefined,
      c,
      {
        ok: true,
        action: 'up',
        durationMs: 4_210,
        outputs: { url: { value: 'postgresql://secret', secret: true }, database: { value: 'pv_x', secret: false } },
        changes: { create: 1 },
        recovered: [],
      },
      { digest: 'd1', outputSecret: 'infrastructure' },
    );
    expect(s).toMatchObject({
      lastOperation: 'up',
      lastResult: 'Succeeded',
      lastDurationSeconds: 4.2,
      outputs: ['database', 'url'],
      outputSecret: 'infrastructure',
      observedConfig: 'd1',
    });
    expect(JSON.stringify(s)).not.toContain('postgresql://secret');
    expect(cond(s, 'Ready')).toMatchObject({ status: 'True', reason: 'Succeeded' });
    expect(isUpToDate(s, 'd1')).toBe(true);
    expect(isUpToDate(s, 'd2')).toBe(false);
  });

  it("stalls with the engine's message on failure and retries that digest only after a pause", () => {
    const s = resultStatus(
      undefined,
      c,
      {
        ok: false,
        action: 'up',
        durationMs: 1_000,
        message: 'error: template database "nope" does not exist',
        recovered: [],
      },
      { digest: 'd1' },
    );
    expect(cond(s, 'Stalled')).toMatchObject({ status: 'True', reason: 'UpdateFailed' });
    expect(cond(s, 'Stalled')?.message).toContain('template database "nope" does not exist');
    expect(cond(s, 'Ready')?.status).toBe('False');
    expect(isUpToDate(s, 'd1')).toBe(false);
    expect(retryAfterMs(s, 'd1', now, 60_000)).toBe(60_000);
    expect(retryAfterMs(s, 'd2', now, 60_000)).toBeUndefined();
    // A run clears Stalled and says what it does.
    const running = runningStatus(s, c, 'up', 'creating database');
    expect(cond(running, 'Stalled')).toBeUndefined();
    expect(cond(running, 'Reconciling')?.message).toContain('creating database');
  });

  it('turns a refresh preview into Drifted without touching the last result', () => {
    const up = resultStatus(
      undefined,
      c,
      { ok: true, action: 'up', durationMs: 1, outputs: {}, changes: {}, recovered: [] },
      { digest: 'd1' },
    );
    const drifted = resultStatus(
      up,
      c,
      {
        ok: true,
        action: 'drift',
        durationMs: 1,
        outputs: {},
        changes: { delete: 1, same: 1 },
        drifted: true,
        recovered: [],
      },
      {},
    );
    expect(cond(drifted, 'Drifted')).toMatchObject({ status: 'True', reason: 'RefreshWouldChange' });
    expect(drifted.driftCheckedAt).toBe('2030-01-01T00:00:00Z');
    expect(isUpToDate(drifted, 'd1')).toBe(true);
    expect(driftDueInMs(drifted, 3_600_000, now)).toBe(3_600_000);
    const failed = resultStatus(
      up,
      c,
      { ok: false, action: 'drift', durationMs: 1, message: 'boom', recovered: [] },
      {},
    );
    expect(cond(failed, 'Drifted')?.status).toBe('Unknown');
    expect(cond(failed, 'Stalled')).toBeUndefined();
  });

  it('names the field in a stall', () => {
    const s = stalledStatus(
      undefined,
      { generation: 1, now },
      'ExceedsBaseline',
      'spec.infrastructure.config.server: the Baseline does not expose this key',
    );
    expect(cond(s, 'Stalled')).toMatchObject({
      reason: 'ExceedsBaseline',
      message: 'spec.infrastructure.config.server: the Baseline does not expose this key',
    });
  });
});

describe('eventOf', () => {
  it("says what finished, in the engine's words on failure", () => {
    expect(
      eventOf({
        ok: false,
        action: 'up',
        durationMs: 1,
        message: 'template database "x" does not exist',
        recovered: [],
      }),
    ).toEqual(['Warning', 'InfrastructureFailed', 'up failed: template database "x" does not exist']);
    expect(
      eventOf({ ok: true, action: 'drift', durationMs: 1, outputs: {}, changes: {}, drifted: true, recovered: [] })[1],
    ).toBe('InfrastructureDrifted');
    expect(
      eventOf({
        ok: true,
        action: 'up',
        durationMs: 4_200,
        outputs: {},
        changes: {},
        recovered: ['recovered: removed 1 stale lock(s)'],
      }),
    ).toEqual(['Normal', 'InfrastructureUp', 'up succeeded in 4.2 s (recovered: removed 1 stale lock(s))']);
  });
});
