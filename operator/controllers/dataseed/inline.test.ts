import { progressMessage } from './inline';
import { reportWrittenByPod } from './job-runner';

describe('what the status says about a seed in progress', () => {
  it('tells a queued seed from a planning one and from one writing rows', () => {
    expect(progressMessage({ phase: 'queued', progress: undefined }, 2)).toBe(
      'waiting for a free slot: at most 2 inline seeds run at once in this operator',
    );
    expect(progressMessage({ phase: 'queued', progress: undefined }, 4, 1)).toBe(
      'waiting for a free slot: at most 4 inline seeds run at once in this operator, 1 from one namespace',
    );
    expect(progressMessage({ phase: 'running', progress: undefined }, 2)).toBe(
      'seeding: planning (introspecting the target, checking rules)',
    );
    expect(
      progressMessage(
        {
          phase: 'running',
          progress: {
            table: 'public.orders',
            tableRows: 5,
            rows: 12345.4,
            expectedRows: 170000,
            rowsPerSecond: 45000.7,
            done: false,
          },
        },
        2,
      ),
    ).toBe('seeding: 12,345 rows written of about 170,000, 45,001 rows/s, now public.orders');
  });
});

describe('the status of a completed seed Job', () => {
  it('keeps what the pod wrote for this generation, and passes nothing older off as this seed', () => {
    const written = {
      phase: 'Succeeded' as const,
      observedGeneration: 3,
      totals: { rows: 10, seconds: 1, rowsPerSecond: 10 },
      lastSeededAt: '2030-01-01T00:00:00Z',
      conditions: [],
    };
    expect(reportWrittenByPod(written, 3, '2030-01-01T00:00:05Z')).toEqual({
      phase: 'Succeeded',
      observedGeneration: 3,
      totals: written.totals,
      lastSeededAt: written.lastSeededAt,
    });
    expect(reportWrittenByPod({ ...written, observedGeneration: 2 }, 3, '2030-01-01T00:00:05Z')).toEqual({
      phase: 'Succeeded',
      observedGeneration: 3,
      lastSeededAt: '2030-01-01T00:00:05Z',
    });
  });
});
