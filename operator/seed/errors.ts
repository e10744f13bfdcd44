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
  | 'DeadlineExceeded'
  /** spec.golden: the target role may not create, rename or drop the golden's databases; nothing was written. */
  | 'GoldenNotPermitted'
  /** spec.golden: a database the refresh needs stayed in use by other sessions; the golden is as it was. */
  | 'GoldenBusy';

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
