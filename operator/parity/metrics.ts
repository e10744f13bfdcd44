import { Gauge, type Registry } from 'prom-client';
import { CATEGORIES, SEVERITIES, VERDICTS } from '../api/paritycheck';
import type { ParityCheckResult } from './check';

export const PARITY_FINDINGS_METRIC = 'understudy_parity_findings';

/**
 * `understudy_parity_findings{namespace,name,category,severity}`: unexpected
 * findings of each check's last run. Registered once per registry.
 */
export function parityFindingsGauge(registry: Registry): Gauge<'namespace' | 'name' | 'category' | 'severity'> {
  const existing = registry.getSingleMetric(PARITY_FINDINGS_METRIC);
  if (existing) return existing as Gauge<'namespace' | 'name' | 'category' | 'severity'>;
  return new Gauge({
    name: PARITY_FINDINGS_METRIC,
    help: 'Unexpected differences between staging and production found by the last run of each ParityCheck, by category and severity.',
    labelNames: ['namespace', 'name', 'category', 'severity'],
    registers: [registry],
  });
}

/** Sets every category×severity series of one check, zeros included, so resolved drift goes back to 0. */
export function recordParityFindings(
  gauge: Gauge<'namespace' | 'name' | 'category' | 'severity'>,
  check: { namespace: string; name: string },
  metrics: ParityCheckResult['metrics'],
): void {
  for (const sample of metrics) gauge.set({ ...check, ...sample.labels }, sample.value);
}

/** Drops a deleted check's series. */
export function forgetParityFindings(
  gauge: Gauge<'namespace' | 'name' | 'category' | 'severity'>,
  check: { namespace: string; name: string },
): void {
  for (const category of CATEGORIES) for (const severity of SEVERITIES) gauge.remove({ ...check, category, severity });
}

export const PARITY_VERDICT_METRIC = 'understudy_parity_verdict';
export type VerdictGauge = Gauge<'namespace' | 'name' | 'verdict'>;

/**
 * `understudy_parity_verdict{namespace,name,verdict}`: 1 for the verdict of each check's last run, 0 for the others
 * (kube-state-metrics' way with phases). The findings gauge alone reads all zeros for a check that compared nothing,
 * which an alert cannot tell from parity.
 */
export function parityVerdictGauge(registry: Registry): VerdictGauge {
  const existing = registry.getSingleMetric(PARITY_VERDICT_METRIC);
  if (existing) return existing as VerdictGauge;
  return new Gauge({
    name: PARITY_VERDICT_METRIC,
    help: "The verdict of the last run of each ParityCheck: 1 for the check's verdict, 0 for the others.",
    labelNames: ['namespace', 'name', 'verdict'],
    registers: [registry],
  });
}

export function recordParityVerdict(
  gauge: VerdictGauge,
  check: { namespace: string; name: string },
  verdict: (typeof VERDICTS)[number],
): void {
  for (const v of VERDICTS) gauge.set({ ...check, verdict: v }, v === verdict ? 1 : 0);
}

export function forgetParityVerdict(gauge: VerdictGauge, check: { namespace: string; name: string }): void {
  for (const verdict of VERDICTS) gauge.remove({ ...check, verdict });
}
