import { CATEGORIES, type Category, type IgnoreRule } from '../api/paritycheck';
import type { Difference } from './finding';
import { matchesName, matchesPath } from './pattern';

export interface IgnoreResult {
  differences: Difference[];
  ignored: number;
  /** Indexes into spec.ignore of rules that matched nothing this run. */
  unmatchedRules: number[];
}

function ruleMatches(rule: IgnoreRule, item: Pick<Difference, 'category' | 'resource' | 'path'>): boolean {
  if (rule.category !== undefined && rule.category !== item.category) return false;
  if (rule.resource !== undefined && !matchesName(rule.resource, item.resource)) return false;
  return matchesPath(rule.path, item.path);
}

/**
 * Drops the differences the ignore rules cover and reports the rules that
 * covered nothing, so stale exceptions can be removed. What could not be
 * decided is never ignored: a rule that dropped "no data" would make missing
 * data a pass; each such item names its own remedy instead.
 */
export function applyIgnoreRules(rules: IgnoreRule[], differences: Difference[]): IgnoreResult {
  const used = new Set<number>();
  let ignored = 0;
  const keep = (item: Difference): boolean => {
    const index = rules.findIndex((rule) => ruleMatches(rule, item));
    if (index < 0) return true;
    used.add(index);
    // A later rule that would also match counts as used: it is not dead, only shadowed.
    rules.forEach((rule, i) => i > index && ruleMatches(rule, item) && used.add(i));
    ignored++;
    return false;
  };
  const kept = differences.filter(keep);
  const unmatchedRules = rules.map((_, i) => i).filter((i) => !used.has(i));
  return { differences: kept, ignored, unmatchedRules };
}

// Findings of every shape each category produces: a rule that matches all of a category's matches anything it finds.
const PROBES: Record<Category, { resources: string[]; paths: string[] }> = {
  configuration: {
    resources: [
      'Deployment/checkout',
      'StatefulSet/db',
      'ConfigMap/app',
      'Secret/db',
      'Service/web',
      'HorizontalPodAutoscaler/web',
    ],
    paths: ['', 'spec.replicas', 'spec.template.spec.containers[app].env[LOG_LEVEL]', 'data[config.yaml]'],
  },
  schema: {
    resources: ['Table/public.orders', 'Enum/public.channel', 'Domain/public.price', 'Sequence/public.invoice_no'],
    paths: ['', 'columns[id].type', 'indexes[orders_pkey]', 'labels'],
  },
  data: { resources: ['Table/public.orders', 'Table/billing.invoices'], paths: ['rows', 'columns[id].nullFraction'] },
  behaviour: {
    resources: ['Query/latency-p95/checkout', 'Query/error-rate'],
    paths: ['median', 'series{pod="a"}.median'],
  },
};

const REMEDY: Record<Category, string> = {
  configuration: 'set spec.categories.configuration.enabled: false',
  schema: 'remove spec.categories.schema',
  data: 'remove spec.categories.data',
  behaviour: 'set spec.categories.behaviour.enabled: false',
};

function ignoresAllOf(rule: IgnoreRule, category: Category): boolean {
  if (rule.category !== undefined && rule.category !== category) return false;
  const { resources, paths } = PROBES[category];
  return (
    paths.every((p) => matchesPath(rule.path, p)) &&
    (rule.resource === undefined || resources.every((r) => matchesName(rule.resource!, r)))
  );
}

/**
 * Why the rules cannot be used, or undefined. A rule that matches every
 * finding a category can produce makes that category report no drift
 * whatever staging looks like: a category that is not wanted
 * is turned off, where the status says so, instead of being compared and
 * then ignored.
 */
export function blanketIgnoreRule(rules: IgnoreRule[]): string | undefined {
  for (const [index, rule] of rules.entries()) {
    const all = CATEGORIES.filter((c) => ignoresAllOf(rule, c));
    if (all.length === 0) continue;
    const what = `spec.ignore[${index}] (path ${JSON.stringify(rule.path)}${rule.resource ? `, resource ${JSON.stringify(rule.resource)}` : ''})`;
    if (all.length === CATEGORIES.length)
      return `${what} ignores every finding of every category, so the check could never find drift; narrow it to a category and a resource or path`;
    return `${what} ignores every ${all.join(' and ')} finding, so ${all.length > 1 ? 'those categories' : 'that category'} could never find drift; narrow it to a resource or path, or ${all.map((c) => REMEDY[c]).join(' and ')}`;
  }
  return undefined;
}
