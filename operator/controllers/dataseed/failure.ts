import type { DataSeedStatus } from '../../api/dataseed';
import { SeedError } from '../../seed/errors';
import { SeedReferenceError } from '../../seed/resolve';
import { failureOf, statusOfReport } from '../../seed/status';
import { errorMessage } from '../../runtime/error-message';

// Why a seed failed, as the condition reason and message the status shows.

export interface Failure {
  reason: string;
  message: string;
  /** Report fields, when the seed wrote its rows and then failed verification. */
  report?: DataSeedStatus;
}

const MAX_MESSAGE = 4000;

function number(x: number | undefined): string | undefined {
  return x === undefined ? undefined : String(Number(x.toFixed(4)));
}

/** The worst metrics first, then the first violations: what to look at to decide whether to loosen a threshold. */
export function fidelityMessage(fidelity: DataSeedStatus['fidelity'], violations: readonly string[]): string {
  const worst = [
    ['KS', number(fidelity?.worstKolmogorovSmirnov)],
    ['null-fraction delta', number(fidelity?.worstNullFractionDelta)],
    ['total variation', number(fidelity?.worstTotalVariation)],
    ['row-count deviation', number(fidelity?.worstRowCountDeviation)],
  ]
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `${name} ${v}`);
  const head = `fidelity below the enforced thresholds${worst.length > 0 ? ` (worst: ${worst.join(', ')})` : ''}`;
  const shown = violations.slice(0, 10);
  const more = violations.length > shown.length ? `; and ${violations.length - shown.length} more` : '';
  return shown.length > 0 ? `${head}: ${shown.join('; ')}${more}` : head;
}

/** A failed run (inline): the engine's reason, except fidelity, which gets its own reason and the worst metrics. */
export function failureOfRun(err: unknown, generation: number, now: Date): Failure {
  const base = failureOf(err);
  const report = err instanceof SeedError && err.report ? statusOfReport(err.report, generation, now) : undefined;
  if (err instanceof SeedError && err.reason === 'FidelityFailed') {
    return {
      reason: 'FidelityBelowThreshold',
      message: fidelityMessage(report?.fidelity, err.details).slice(0, MAX_MESSAGE),
      ...(report ? { report } : {}),
    };
  }
  return { reason: base.reason, message: base.message, ...(report ? { report } : {}) };
}

/**
 * A failure to read the DataSeed's Secrets and ConfigMaps. Their content is
 * not part of the spec, so a bad value (not a URL, a short key) is an
 * InvalidReference to retry, not an InvalidSpec that waits for a spec change.
 */
export function failureOfReferences(err: unknown): Failure {
  if (err instanceof SeedReferenceError) return { reason: err.reason, message: err.message.slice(0, MAX_MESSAGE) };
  if (err instanceof SeedError) {
    const reason = err.reason === 'InvalidSpec' ? 'InvalidReference' : err.reason;
    return { reason, message: err.message.slice(0, MAX_MESSAGE) };
  }
  const message = errorMessage(err);
  return {
    reason: 'ReferenceUnreadable',
    message: `cannot read the DataSeed's Secrets and ConfigMaps: ${message}`.slice(0, MAX_MESSAGE),
  };
}
