import type { IgnoreRule } from '../api/paritycheck';
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
