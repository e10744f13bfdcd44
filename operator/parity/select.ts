import { CATEGORIES, MAX_STATUS_FINDINGS, type Finding } from '../api/paritycheck';
import type { Difference } from './finding';
import { findingId, toFinding } from './finding';
import { severityRank } from './severity';

/** Unexpected first, then by severity, then in a fixed order so the status does not churn between runs. */
export function compareFindings(a: Finding, b: Finding): number {
  if (a.expected !== b.expected) return a.expected ? 1 : -1;
  const bySeverity = severityRank(b.severity) - severityRank(a.severity);
  if (bySeverity !== 0) return bySeverity;
  const byCategory = CATEGORIES.indexOf(a.category) - CATEGORIES.indexOf(b.category);
  if (byCategory !== 0) return byCategory;
  if (a.resource !== b.resource) return a.resource < b.resource ? -1 : 1;
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return 0;
}

function rankAmongDuplicates(a: Finding, b: Finding): number {
  const byRank = compareFindings(a, b);
  if (byRank !== 0) return byRank;
  const text = (f: Finding) => JSON.stringify([f.message, f.staging, f.production]);
  return text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0;
}

/**
 * Turns differences into findings with ids, keeping the first-seen time of
 * findings the previous status listed. Findings that were beyond the top 20
 * last time get `now`: status is bounded, so older history is not kept.
 */
export function toFindings(differences: Difference[], previous: Finding[] | undefined, now: Date): Finding[] {
  const seen = new Map((previous ?? []).map((f) => [f.id, f.firstSeen]));
  const byId = new Map<string, Finding>();
  for (const difference of differences) {
    const id = findingId(difference.category, difference.resource, difference.path);
    const candidate = toFinding(difference, seen.get(id) ?? now.toISOString());
    const existing = byId.get(id);
    // Two differences at one place should not happen; if they do, keep the worse one whatever the order.
    if (!existing || rankAmongDuplicates(candidate, existing) < 0) byId.set(id, candidate);
  }
  return [...byId.values()].sort(compareFindings);
}

export function topFindings(findings: Finding[], limit = MAX_STATUS_FINDINGS): Finding[] {
  return [...findings].sort(compareFindings).slice(0, limit);
}
