import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const CHART = resolve(__dirname, '../../charts/understudy');
/** The namespace the chart is rendered into; the rules select the operator's series by it. */
export const CHART_NAMESPACE = 'understudy-system';

/** The rule groups of the chart's PrometheusRule (its spec: a Prometheus rule file), rendered with `set`. */
export function renderRuleGroups(set: string[] = []): { groups: unknown[] } {
  const args = [
    'template',
    'understudy',
    CHART,
    '--namespace',
    CHART_NAMESPACE,
    '--kube-version',
    'v1.34.4',
    '--set',
    'metrics.prometheusRule.enabled=true',
    '--show-only',
    'templates/prometheusrule.yaml',
  ];
  for (const value of set) args.push('--set', value);
  const docs = parseAllDocuments(execFileSync('helm', args).toString()).map(
    (d) => d.toJS() as { kind?: string; spec?: { groups: unknown[] } } | null,
  );
  const rule = docs.find((d) => d?.kind === 'PrometheusRule');
  if (!rule?.spec) throw new Error('the chart rendered no PrometheusRule');
  return rule.spec;
}
