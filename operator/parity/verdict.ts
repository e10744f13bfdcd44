import type { Category, Finding, ParityCheckStatus, Severity, VERDICTS } from '../api/paritycheck';
import type { CategoryOutcome } from './finding';
import { atLeast } from './severity';

export type Verdict = (typeof VERDICTS)[number];

/** Penalty per unexpected finding; the score is 100 minus their sum, floored at 0. */
export const SCORE_PENALTY: Record<Severity, number> = { critical: 20, warning: 5, info: 1 };

export function score(findings: Pick<Finding, 'expected' | 'severity'>[]): number {
  const penalty = findings.filter((f) => !f.expected).reduce((sum, f) => sum + SCORE_PENALTY[f.severity], 0);
  return Math.max(0, 100 - penalty);
}

export function isDrift(finding: Pick<Finding, 'expected' | 'severity'>, failOn: Severity): boolean {
  return !finding.expected && atLeast(finding.severity, failOn);
}

/**
 * Drift wins over missing data (what was seen is enough to say staging
 * differs); otherwise anything undecided or any category that could not
 * run makes the whole check Inconclusive: never a pass by default.
 */
export function verdictOf(
  findings: Pick<Finding, 'expected' | 'severity'>[],
  outcomes: Pick<CategoryOutcome, 'inconclusive' | 'error'>[],
  failOn: Severity,
): Verdict {
  if (findings.some((f) => isDrift(f, failOn))) return 'Drifted';
  if (outcomes.some((o) => o.error !== undefined || o.inconclusive.length > 0)) return 'Inconclusive';
  return 'InParity';
}

export function categoryVerdict(
  category: Category,
  findings: Finding[],
  outcome: CategoryOutcome,
  failOn: Severity,
): Verdict {
  return verdictOf(
    findings.filter((f) => f.category === category),
    [outcome],
    failOn,
  );
}

export type Summary = NonNullable<ParityCheckStatus['summary']>;

export function summarise(
  findings: Finding[],
  outcomes: CategoryOutcome[],
  failOn: Severity,
  ignored: number,
): Summary {
  const unexpected = findings.filter((f) => !f.expected);
  const verdict = verdictOf(findings, outcomes, failOn);
  return {
    verdict,
    // No score for what could not be decided: a 100 next to Inconclusive reads as a pass.
    ...(verdict === 'Inconclusive' ? {} : { score: score(findings) }),
    critical: unexpected.filter((f) => f.severity === 'critical').length,
    warning: unexpected.filter((f) => f.severity === 'warning').length,
    info: unexpected.filter((f) => f.severity === 'info').length,
    expected: findings.length - unexpected.length,
    ignored,
    inconclusive: outcomes.reduce((n, o) => n + o.inconclusive.length, 0),
    total: findings.length,
  };
}
