import type { Finding } from '../api/paritycheck';
import type { ParityCheckResult } from './check';
import { renderTable, type Column } from './table';

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

/** Column widths of the default table; cells wrap at them (never cut). */
export const TABLE_WIDTHS = { severity: 9, category: 14, resource: 32, path: 48, value: 24 } as const;

export interface ReportOptions {
  /** One line per finding, every column as wide as its widest value. */
  wide?: boolean;
}

function rows(findings: Finding[], options: ReportOptions): string[] {
  const w = (width: number) => (options.wide ? {} : { width });
  const columns: Column[] = [
    { header: 'SEVERITY', ...w(TABLE_WIDTHS.severity) },
    { header: 'CATEGORY', ...w(TABLE_WIDTHS.category) },
    { header: 'RESOURCE', ...w(TABLE_WIDTHS.resource) },
    { header: 'PATH', ...w(TABLE_WIDTHS.path) },
    { header: 'STAGING', ...w(TABLE_WIDTHS.value) },
    { header: 'PRODUCTION', ...w(TABLE_WIDTHS.value) },
    ...(options.wide ? [{ header: 'MESSAGE' }] : []),
  ];
  const cells = (f: Finding) => [
    f.severity,
    f.category,
    f.resource,
    f.path || '(object)',
    f.staging ?? '—',
    f.production ?? '—',
    ...(options.wide ? [f.message] : []),
  ];
  if (options.wide) return renderTable(columns, findings.map(cells));
  const [header, ...rest] = renderTable(columns, []);
  return [
    header!,
    ...rest,
    ...findings.flatMap((f) => [...renderTable(columns, [cells(f)]).slice(1), `          ${f.message}`]),
  ];
}

/** A readable report: verdict line, unexpected findings, expected ones, then what could not be decided or read. */
export function formatReport(
  result: Pick<ParityCheckResult, 'status' | 'findings' | 'inconclusive'>,
  options: ReportOptions = {},
): string {
  const s = result.status.summary;
  const lines: string[] = [];
  if (s) {
    lines.push(
      `Verdict: ${s.verdict}   score ${s.score === undefined ? 'none' : `${s.score}/100`}   critical ${s.critical}   warning ${s.warning}   info ${s.info}   expected ${s.expected}   ignored ${s.ignored}   inconclusive ${s.inconclusive}`,
    );
  }
  const unexpected = result.findings.filter((f) => !f.expected);
  const expected = result.findings.filter((f) => f.expected);
  if (unexpected.length > 0) lines.push('', 'Unexpected differences:', ...rows(unexpected, options));
  if (expected.length > 0)
    lines.push('', 'Expected differences (declared by the environment):', ...rows(expected, options));
  if (result.inconclusive.length > 0)
    lines.push('', 'Inconclusive:', ...result.inconclusive.map((i) => `  ${i.category} ${i.resource}: ${i.reason}`));
  const problems = (result.status.conditions ?? []).filter((c) => c.type === 'Stalled');
  if (problems.length > 0) lines.push('', 'Could not check:', ...problems.map((c) => `  ${c.message}`));
  if (result.findings.length === 0 && result.inconclusive.length === 0 && problems.length === 0)
    lines.push(
      '',
      s && s.ignored > 0
        ? `No differences found apart from ${s.ignored} ignored by the spec's ignore rules.`
        : 'No differences found.',
    );
  return lines.join('\n') + '\n';
}
