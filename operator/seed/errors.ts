import type { SeedReport } from './report';

/** Why a seed failed, as a condition reason; the message lists what to fix. */
export type SeedFailureReason =
  | 'InvalidSpec'
  | 'UncoveredColumns'
  | 'RuleConflict'
  | 'SchemaMismatch'
  | 'ConnectionFailed'
  | 'WriteFailed'
  | 'LeakDetected'
  | 'IntegrityFailed'
  | 'FidelityFailed'
  | 'ReferenceNotFound'
  | 'Cancelled'
  | 'DeadlineExceeded';

export class SeedError extends Error {
  /** The report of a seed that wrote its rows and then failed verification (leaks, integrity, fidelity), for the status. */
  report?: SeedReport;

  constructor(
    readonly reason: SeedFailureReason,
    message: string,
    readonly details: string[] = [],
    readonly targetTouched = false,
  ) {
    super(details.length > 0 ? `${message}: ${details.slice(0, 50).join('; ')}` : message);
    this.name = 'SeedError';
  }

  withReport(report: SeedReport): this {
    this.report = report;
    return this;
  }
}
