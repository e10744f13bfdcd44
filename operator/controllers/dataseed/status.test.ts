import type { DataSeedStatus } from '../../api/dataseed';
import {
  failedStatus,
  humanDelay,
  invalidSpecStatus,
  pendingStatus,
  runningStatus,
  seededMessage,
  succeededStatus,
} from './status';

const at = (s: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, s));
const types = (status: DataSeedStatus) =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
const report: DataSeedStatus = {
  phase: 'Succeeded',
  observedGeneration: 2,
  tables: [{ name: 'public.users', rows: 500, seconds: 0.2 }],
  totals: { rows: 500, seconds: 1.5, rowsPerSecond: 333 },
  lastSeededAt: at(9).toISOString(),
  fidelity: { passed: true, foreignKeyOrphans: 0, uniqueViolations: 0 },
};

describe('DataSeed status by state', () => {
  it('follows kstatus: Reconciling while queued or running, neither Reconciling nor Stalled once seeded, Stalled on failure', () => {
    const queued = pendingStatus({ previous: undefined, generation: 1, now: at(0) }, 'waiting');
    expect(queued.phase).toBe('Pending');
    expect(types(queued)).toEqual({ Ready: 'False/Queued', Seeded: 'False/Queued', Reconciling: 'True/Queued' });
    const running = runningStatus({ previous: queued, generation: 1, now: at(1) }, 'seeding: 10 rows', {
      rows: 10,
      rowsPerSecond: 9.6,
      seconds: 1.04,
    });
    expect(running).toMatchObject({
      phase: 'Running',
      observedGeneration: 1,
      totals: { rows: 10, rowsPerSecond: 10, seconds: 1 },
    });
    expect(types(running)).toEqual({ Ready: 'False/Seeding', Seeded: 'False/Seeding', Reconciling: 'True/Seeding' });
    const done = succeededStatus({ previous: running, generation: 1, now: at(2) }, report);
    expect(types(done)).toEqual({ Ready: 'True/Seeded', Seeded: 'True/Succeeded' });
    expect(done).toMatchObject({
      phase: 'Succeeded',
      observedGeneration: 1,
      tables: report.tables,
      lastSeededAt: report.lastSeededAt,
    });
    expect(done.conditions?.every((c) => c.observedGeneration === 1)).toBe(true);
    const failed = failedStatus(
      { previous: done, generation: 2, now: at(3) },
      { reason: 'ConnectionFailed', message: 'cannot connect', next: 'retrying in 5s' },
    );
    expect(types(failed)).toEqual({
      Ready: 'False/ConnectionFailed',
      Seeded: 'False/ConnectionFailed',
      Stalled: 'True/ConnectionFailed',
    });
    expect(failed.conditions?.find((c) => c.type === 'Stalled')?.message).toBe('cannot connect (retrying in 5s)');
    expect(failed.conditions?.find((c) => c.type === 'Ready')?.message).toBe('cannot connect');
    expect(failed.nextAttemptAt).toBeUndefined();
  });

  it('publishes when it retries by itself, and nothing when only a change can help', () => {
    const retrying = failedStatus(
      { previous: undefined, generation: 1, now: at(0) },
      { reason: 'ReferenceNotFound', message: 'no Secret', next: 'retrying in 5s', retryAt: at(5) },
    );
    expect(retrying.nextAttemptAt).toBe(at(5).toISOString());
    const final = failedStatus(
      { previous: retrying, generation: 1, now: at(6) },
      { reason: 'LeakDetected', message: 'leak' },
    );
    expect(final.nextAttemptAt).toBeUndefined();
    expect(succeededStatus({ previous: retrying, generation: 1, now: at(7) }, report).nextAttemptAt).toBeUndefined();
  });

  it('changes lastTransitionTime only when a condition changes status', () => {
    const first = runningStatus({ previous: undefined, generation: 1, now: at(0) }, 'a');
    const again = runningStatus({ previous: first, generation: 1, now: at(30) }, 'b');
    expect(again.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(
      at(0).toISOString().replace('.000', ''),
    );
    const done = succeededStatus({ previous: again, generation: 1, now: at(40) }, report);
    expect(done.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime).toBe(
      at(40).toISOString().replace('.000', ''),
    );
  });

  it("keeps only the last success time through a new run, never an older spec's tables", () => {
    const done = succeededStatus({ previous: undefined, generation: 1, now: at(0) }, report);
    const rerun = runningStatus({ previous: done, generation: 2, now: at(5) }, 'seeding');
    expect(rerun.tables).toBeUndefined();
    expect(rerun.totals).toBeUndefined();
    expect(rerun.lastSeededAt).toBe(report.lastSeededAt);
    const failed = failedStatus(
      { previous: done, generation: 2, now: at(6) },
      {
        reason: 'FidelityBelowThreshold',
        message: 'x',
        report: { ...report, phase: 'Succeeded', lastSeededAt: at(6).toISOString() },
      },
    );
    // A failed seed's report is shown, but it is not a success.
    expect(failed).toMatchObject({
      phase: 'Failed',
      tables: report.tables,
      lastSeededAt: report.lastSeededAt,
      observedGeneration: 2,
    });
  });

  it('refuses an invalid spec as Stalled/InvalidSpec naming the field', () => {
    const refused = invalidSpecStatus({ previous: undefined, generation: 3, now: at(0) }, 'spec.batchRows: Too small');
    expect(types(refused)).toEqual({
      Ready: 'False/InvalidSpec',
      Seeded: 'False/InvalidSpec',
      Stalled: 'True/InvalidSpec',
    });
    expect(refused.conditions?.find((c) => c.type === 'Stalled')?.message).toBe('spec.batchRows: Too small');
  });

  it('summarizes a seed and a delay in words', () => {
    expect(seededMessage(report)).toBe('seeded 500 rows into 1 tables in 1.5 s; fidelity passed');
    expect(humanDelay(4_600)).toBe('5s');
    expect(humanDelay(300_000)).toBe('5m');
  });
});

describe('golden status', () => {
  it('keeps the live golden (and so its refresh schedule) while a refresh runs and when it fails', () => {
    const golden = { database: 'golden_shop', refreshedAt: at(9).toISOString() };
    const done = succeededStatus({ previous: undefined, generation: 2, now: at(9) }, { ...report, golden });
    expect(done.golden).toEqual(golden);
    const running = runningStatus({ previous: done, generation: 2, now: at(20) }, 'seeding');
    expect(running.golden).toEqual(golden);
    const failed = failedStatus(
      { previous: running, generation: 2, now: at(30) },
      { reason: 'GoldenBusy', message: 'x' },
    );
    expect(failed.golden).toEqual(golden);
    expect(
      failedStatus({ previous: undefined, generation: 2, now: at(30) }, { reason: 'X', message: 'x' }).golden,
    ).toBeUndefined();
  });
});

describe('a refresh of the live golden', () => {
  it('keeps Ready and Seeded True while it runs (Reconciling says so), not for a new generation or without a golden', () => {
    const golden = { database: 'golden_shop', refreshedAt: at(9).toISOString() };
    const done = succeededStatus({ previous: undefined, generation: 2, now: at(9) }, { ...report, golden });
    const queued = pendingStatus({ previous: done, generation: 2, now: at(10) }, 'waiting');
    expect(types(queued)).toEqual({ Ready: 'True/Seeded', Seeded: 'True/Succeeded', Reconciling: 'True/Queued' });
    const running = runningStatus({ previous: queued, generation: 2, now: at(11) }, 'seeding');
    expect(types(running)).toEqual({ Ready: 'True/Seeded', Seeded: 'True/Succeeded', Reconciling: 'True/Seeding' });
    expect(running.conditions?.find((c) => c.type === 'Ready')?.message).toContain('golden golden_shop is live');
    // A new generation is not ready until its own seed succeeded, golden or not.
    expect(types(runningStatus({ previous: done, generation: 3, now: at(11) }, 'seeding')).Ready).toBe('False/Seeding');
    // Without a golden a re-run is never "still ready".
    const plain = succeededStatus({ previous: undefined, generation: 2, now: at(9) }, report);
    expect(types(runningStatus({ previous: plain, generation: 2, now: at(11) }, 'seeding')).Ready).toBe(
      'False/Seeding',
    );
    // A refresh that fails is Stalled and not Ready; the live golden stays named.
    const failed = failedStatus(
      { previous: running, generation: 2, now: at(12) },
      { reason: 'GoldenBusy', message: 'x' },
    );
    expect(types(failed)).toMatchObject({ Ready: 'False/GoldenBusy', Stalled: 'True/GoldenBusy' });
    expect(failed.golden).toEqual(golden);
  });
});
