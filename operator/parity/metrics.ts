import { Gauge, type Registry } from 'prom-client';
import { CATEGORIES, SEVERITIES } from '../api/paritycheck';
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
