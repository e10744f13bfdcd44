import { CATEGORIES, type Category, type Finding, type Severity, SEVERITIES } from '../api/paritycheck';
import type { ConditionInput } from './conditions';
import type { CategoryOutcome } from './finding';
import { categoryVerdict, isDrift, type Summary } from './verdict';

export const CATEGORY_CONDITION = {
  configuration: 'ConfigDrifted',
  schema: 'SchemaDrifted',
  data: 'DataDrifted',
  behaviour: 'BehaviourDrifted',
} as const satisfies Record<Category, string>;

function firstFew(items: string[], max = 3): string {
  const shown = items.slice(0, max).join('; ');
  return items.length > max ? `${shown}; and ${items.length - max} more` : shown;
}

function categoryCondition(outcome: CategoryOutcome, findings: Finding[], failOn: Severity): ConditionInput {
  const type = CATEGORY_CONDITION[outcome.category];
  if (outcome.error !== undefined)
    return { type, status: 'Unknown', reason: 'SourceUnavailable', message: outcome.error };
  const verdict = categoryVerdict(outcome.category, findings, outcome, failOn);
  const drift = findings.filter((f) => f.category === outcome.category && isDrift(f, failOn));
  if (verdict === 'Drifted')
    return {
      type,
      status: 'True',
      reason: 'DriftFound',
      message: `${drift.length} unexpected finding(s): ${firstFew(drift.map((f) => `${f.resource} ${f.path}: ${f.message}`))}`,
    };
  if (verdict === 'Inconclusive')
    return {
      type,
      status: 'Unknown',
      reason: 'InsufficientData',
      message: firstFew(outcome.inconclusive.map((i) => i.reason)),
    };
  return {
    type,
    status: 'False',
    reason: 'NoDrift',
    message: `no unexpected ${outcome.category} drift at or above ${failOn}`,
  };
}

/** Ready says the check ran, never whether staging is in parity, so `kubectl wait --for=condition=Ready` does not hang on drift. */
export function conditionsFor(
  outcomes: CategoryOutcome[],
  findings: Finding[],
  summary: Summary,
  failOn: Severity,
): ConditionInput[] {
  const errors = outcomes.filter((o) => o.error !== undefined).map((o) => `${o.category}: ${o.error}`);
  const conditions: ConditionInput[] = [];
  if (errors.length > 0) {
    conditions.push({
      type: 'Ready',
      status: 'False',
      reason: 'SourceUnavailable',
      message: `the check could not run completely: ${firstFew(errors)}`,
    });
    conditions.push({ type: 'Stalled', status: 'True', reason: 'SourceUnavailable', message: firstFew(errors, 4) });
  } else {
    conditions.push({
      type: 'Ready',
      status: 'True',
      reason: 'Checked',
      message: `checked ${outcomes.map((o) => o.category).join(', ')}: ${summary.verdict}${summary.score === undefined ? '' : `, score ${summary.score}`}`,
    });
  }
  // Ignored findings are named: a parity reached by ignoring differences should say so.
  const ignored = summary.ignored > 0 ? `; ${summary.ignored} ignored by spec.ignore` : '';
  const counts = `${summary.critical} critical, ${summary.warning} warning, ${summary.info} info unexpected; ${summary.expected} expected${ignored}`;
  if (summary.verdict === 'Drifted')
    conditions.push({ type: 'InParity', status: 'False', reason: 'Drifted', message: counts });
  else if (summary.verdict === 'InParity')
    conditions.push({ type: 'InParity', status: 'True', reason: 'InParity', message: counts });
  else
    conditions.push({
      type: 'InParity',
      status: 'Unknown',
      reason: errors.length > 0 ? 'SourceUnavailable' : 'Inconclusive',
      message: `${summary.inconclusive} comparison(s) without enough data; ${counts}`,
    });
  for (const outcome of [...outcomes].sort((a, b) => CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category)))
    conditions.push(categoryCondition(outcome, findings, failOn));
  return conditions;
}

/** Samples for `understudy_parity_findings{category,severity}`: unexpected findings, zeros included so gauges go back down. */
export function findingMetricSamples(
  findings: Finding[],
): Array<{ labels: { category: Category; severity: Severity }; value: number }> {
  return CATEGORIES.flatMap((category) =>
    SEVERITIES.map((severity) => ({
      labels: { category, severity },
      value: findings.filter((f) => !f.expected && f.category === category && f.severity === severity).length,
    })),
  );
}

export type ParityConditionType = 'Ready' | 'Stalled' | 'InParity' | (typeof CATEGORY_CONDITION)[Category];
