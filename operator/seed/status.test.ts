import { SeedError } from './errors';
import type { SeedReport } from './run';
import { failureOf, statusOfReport } from './status';

describe('DataSeed status from a report', () => {
  const report: SeedReport = {
    source: 'synthesize',
    tables: Array.from({ length: 130 }, (_, i) => ({ name: `public.t${i}`, rows: i, seconds: 0.123456 })),
    totals: { rows: 8385, seconds: 2.5, rowsPerSecond: 3354 },
    piiCoverage: { covered: 10, total: 10, personal: 2 },
    profileDigest: 'abc',
    integrity: { foreignKeyOrphans: 0, uniqueViolations: 0, details: [] },
  };

  it('keeps at most 100 tables, the largest first, and rounds durations', () => {
    const status = statusOfReport(report, 3, new Date('2026-01-01T00:00:00Z'));
    expect(status.tables).toHaveLength(100);
    expect(status.tables![0]).toEqual({ name: 'public.t129', rows: 129, seconds: 0.123 });
    expect(status).toMatchObject({
      phase: 'Succeeded',
      observedGeneration: 3,
      lastSeededAt: '2026-01-01T00:00:00.000Z',
      profileDigest: 'abc',
    });
    expect(status.fidelity).toMatchObject({ passed: true, foreignKeyOrphans: 0 });
  });

  it('turns errors into condition reasons, retrying only what a retry can fix', () => {
    expect(failureOf(new SeedError('UncoveredColumns', 'strict mode', ['public.users.ssn']))).toEqual({
      reason: 'UncoveredColumns',
      message: 'strict mode: public.users.ssn',
      retryable: false,
    });
    expect(failureOf(new SeedError('ConnectionFailed', 'no route'))).toMatchObject({ retryable: true });
    expect(failureOf(new Error('boom'))).toEqual({ reason: 'SeedFailed', message: 'boom', retryable: true });
  });
});
