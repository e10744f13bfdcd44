import type { Finding } from '../api/paritycheck';
import type { ParityCheckResult } from './check';

export const EXIT_IN_PARITY = 0;
export const EXIT_DRIFTED = 1;
export const EXIT_INCONCLUSIVE = 2;

/**
 * Exit codes for CI gates: 0 in parity, 1 unexpected drift at or above
 * failOn, 2 inconclusive or a source that could not be read. Drift wins
 * over inconclusive, as in the verdict.
 */
export function exitCodeOf(result: Pick<ParityCheckResult, 'status'>): number {
  const verdict = result.status.summary?.verdict;
  if (verdict === 'Drifted') return EXIT_DRIFTED;
  if (verdict === 'InParity' && !result.status.conditions?.some((c) => c.type === 'Stalled')) return EXIT_IN_PARITY;
  return EXIT_INCONCLUSIVE;
}

function cell(text: string | undefined, width: number): string {
  const value = (text ?? '—').replace(/\s+/g, ' ');
  return value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width);
}

function rows(findings: Finding[]): string[] {
  const header = `${cell('SEVERITY', 9)} ${cell('CATEGORY', 14)} ${cell('RESOURCE', 32)} ${cell('PATH', 48)} ${cell('STAGING', 24)} PRODUCTION`;
  return [
    header,
    ...findings.flatMap((f) => [
      `${cell(f.severity, 9)} ${cell(f.category, 14)} ${cell(f.resource, 32)} ${cell(f.path || '(object)', 48)} ${cell(f.staging, 24)} ${cell(f.production, 24).trimEnd()}`,
      `          ${f.message}`,
    ]),
  ];
}

/** A readable report: verdict line, unexpected findings, expected ones, then what could not be decided or read. */
export function formatReport(result: Pick<ParityCheckResult, 'status' | 'findings' | 'inconclusive'>): string {
  const s = result.status.summary;
  const lines: string[] = [];
  if (s) {
    lines.push(`Verdict: ${s.verdict}   score ${s.score}/100   critical ${s.critical}   warning ${s.warning}   info ${s.info}   expected ${s.expected}   ignored ${s.ignored}   inconclusive ${s.inconclusive}`);
  }
  const unexpected = result.findings.filter((f) => !f.expected);
  const expected = result.findings.filter((f) => f.expected);
  if (unexpected.length > 0) lines.push('', 'Unexpected differences:', ...rows(unexpected));
  if (expected.length > 0) lines.push('', 'Expected differences (declared by the environment):', ...rows(expected));
  if (result.inconclusive.length > 0) lines.push('', 'Inconclusive:', ...result.inconclusive.map((i) => `  ${i.category} ${i.resource}: ${i.reason}`));
  const problems = (result.status.conditions ?? []).filter((c) => c.type === 'Stalled');
  if (problems.length > 0) lines.push('', 'Could not check:', ...problems.map((c) => `  ${c.message}`));
  if (result.findings.length === 0 && result.inconclusive.length === 0 && problems.length === 0) lines.push('', 'No differences found.');
  return lines.join('\n') + '\n';
}
