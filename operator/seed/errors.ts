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
  | 'Cancelled';

export class SeedError extends Error {
  constructor(readonly reason: SeedFailureReason, message: string, readonly details: string[] = [], readonly targetTouched = false) {
    super(details.length > 0 ? `${message}: ${details.slice(0, 50).join('; ')}` : message);
    this.name = 'SeedError';
  }
}
