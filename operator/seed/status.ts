import type { DataSeedStatus } from '../api/dataseed';
import { SeedError } from './errors';
import type { SeedReport } from './report';

// How a seed's outcome is written into DataSeed status: small and bounded.

const MAX_TABLES = 100;
const round = (x: number | undefined, digits = 4): number | undefined =>
  x === undefined ? undefined : Number(x.toFixed(digits));

/** The status fields of a finished seed (conditions are the reconciler's). */
export function statusOfReport(report: SeedReport, observedGeneration: number | undefined, now: Date): DataSeedStatus {
  const tables = [...report.tables]
    .sort((a, b) => b.rows - a.rows)
    .slice(0, MAX_TABLES)
    .map((t) => ({ name: t.name, rows: t.rows, seconds: round(t.seconds, 3)! }));
  const status: DataSeedStatus = {
    phase: 'Succeeded',
    observedGeneration,
    tables,
    totals: {
      rows: report.totals.rows,
      seconds: round(report.totals.seconds, 3)!,
      rowsPerSecond: report.totals.rowsPerSecond,
    },
    lastSeededAt: now.toISOString(),
  };
  // The same clock as lastSeededAt (the swap preceded it by milliseconds), so the schedule reads one clock.
  if (report.golden) status.golden = { ...report.golden, refreshedAt: now.toISOString() };
  if (report.piiCoverage) status.piiCoverage = report.piiCoverage;
  if (report.profileDigest) status.profileDigest = report.profileDigest;
  const f = report.fidelity;
  const integrity = report.integrity;
  if (f || integrity) {
    status.fidelity = {
      passed: f ? f.passed : integrity!.foreignKeyOrphans === 0 && integrity!.uniqueViolations === 0,
      worstNullFractionDelta: round(f?.worst.nullFractionDelta),
      worstKolmogorovSmirnov: round(f?.worst.kolmogorovSmirnov),
      worstTotalVariation: round(f?.worst.totalVariation),
      worstRowCountDeviation: round(f?.worst.rowCountDeviation),
      worstFanOutKolmogorovSmirnov: round(f?.worst.fanOutKolmogorovSmirnov),
      foreignKeyOrphans: integrity?.foreignKeyOrphans ?? f?.foreignKeyOrphans ?? 0,
      uniqueViolations: integrity?.uniqueViolations ?? f?.uniqueViolations ?? 0,
      violations: f?.violations.slice(0, 20),
    };
  }
  return status;
}

export interface SeedFailure {
  reason: string;
  message: string;
  /** False when nothing was written: retrying cannot help until the spec or production changes. */
  retryable: boolean;
}

/** A failure as a condition reason and message; user-caused failures are not retried. */
export function failureOf(err: unknown): SeedFailure {
  if (err instanceof SeedError) {
    const retryable = ['ConnectionFailed', 'WriteFailed', 'ReferenceNotFound'].includes(err.reason);
    return { reason: err.reason, message: err.message.slice(0, 4000), retryable };
  }
  return { reason: 'SeedFailed', message: String((err as Error)?.message ?? err).slice(0, 4000), retryable: true };
}
