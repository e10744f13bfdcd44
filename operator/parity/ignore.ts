import type { Category, IgnoreRule } from '../api/paritycheck';
import type { Difference, Inconclusive } from './finding';
import { matchesName, matchesPath } from './pattern';

export interface IgnoreResult {
  differences: Difference[];
  inconclusive: Inconclusive[];
  ignored: number;
  /** Indexes into spec.ignore of rules that matched nothing this run. */
  unmatchedRules: number[];
}

function ruleMatches(rule: IgnoreRule, item: Pick<Difference, 'category' | 'resource' | 'path'>): boolean {
  if (rule.category !== undefined && rule.category !== item.category) return false;
  if (rule.resource !== undefined && !matchesName(rule.resource, item.resource)) return false;
  return matchesPath(rule.path, item.path);
}

/** Drops what the ignore rules cover and reports the rules that covered nothing, so stale exceptions can be removed. */
export function applyIgnoreRules(
  rules: IgnoreRule[],
  differences: Difference[],
  inconclusive: Inconclusive[],
): IgnoreResult {
  const used = new Set<number>();
  let ignored = 0;
  const keep = <T extends Pick<Difference, 'category' | 'resource' | 'path'>>(item: T): boolean => {
    const index = rules.findIndex((rule) => ruleMatches(rule, item));
    if (index < 0) return true;
    used.add(index);
    // A later rule that would also match counts as used: it is not dead, only shadowed.
    rules.forEach((rule, i) => i > index && ruleMatches(rule, item) && used.add(i));
    ignored++;
    return false;
  };
  const keptDifferences = differences.filter(keep);
  const keptInconclusive = inconclusive.filter(keep);
  const unmatchedRules = rules.map((_, i) => i).filter((i) => !used.has(i));
  return { differences: keptDifferences, inconclusive: keptInconclusive, ignored, unmatchedRules };
}

// Paths and resources of every shape the comparers produce: a pattern that matches all of them matches anything.
const PROBE_PATHS = [
  '',
  'rows',
  'spec.replicas',
  'spec.template.spec.containers[app].env[LOG_LEVEL]',
  'data[config.yaml]',
  'columns[id].type',
  'series{pod="a"}.median',
];
const PROBE_RESOURCES = ['Deployment/checkout', 'Table/public.orders', 'Query/p95-latency/checkout', 'Secret/*'];

const REMEDY: Record<Category, string> = {
  configuration: 'set spec.categories.configuration.enabled: false',
  schema: 'remove spec.categories.schema',
  data: 'remove spec.categories.data',
  behaviour: 'set spec.categories.behaviour.enabled: false',
};

/**
 * Why the rules cannot be used, or undefined. A rule that matches every path
 * of every resource ignores everything its category finds, missing data
 * included, so the check (or that category) would report parity whatever
 * staging looks like: a category that is not wanted is turned off, where the
 * status says so, instead of being compared and then ignored.
 */
export function blanketIgnoreRule(rules: IgnoreRule[]): string | undefined {
  for (const [index, rule] of rules.entries()) {
    if (!PROBE_PATHS.every((p) => matchesPath(rule.path, p))) continue;
    if (rule.resource !== undefined && !PROBE_RESOURCES.every((r) => matchesName(rule.resource!, r))) continue;
    const field = `spec.ignore[${index}]`;
    return rule.category === undefined
      ? `${field}: path ${JSON.stringify(rule.path)} with no category or resource ignores every finding of every category, so the check could never find drift; narrow it to a category and resource, or a path`
      : `${field}: path ${JSON.stringify(rule.path)} ignores every ${rule.category} finding, so that category could never find drift; narrow it to a resource or path, or ${REMEDY[rule.category]}`;
  }
  return undefined;
}
