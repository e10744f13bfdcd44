import { createHash } from 'node:crypto';
import type { Category, Finding, Severity } from '../api/paritycheck';

/** A finding before it is given an id and a first-seen time. */
export interface Difference {
  category: Category;
  resource: string;
  path: string;
  staging?: unknown;
  production?: unknown;
  expected: boolean;
  severity: Severity;
  message: string;
}

/** A comparison that could not decide: never counted as a pass. */
export interface Inconclusive {
  category: Category;
  resource: string;
  path: string;
  reason: string;
}

/** What a category produced: its differences, what it could not decide, and whether it ran at all. */
export interface CategoryOutcome {
  category: Category;
  differences: Difference[];
  inconclusive: Inconclusive[];
  /**
   * How many of production's items (objects, tables and types, query
   * evaluations) the category compared. Zero means there was nothing to compare
   * with, which is never parity, whatever the differences say. Every category
   * the engine runs sets it (check.ts requires it); absent only in outcomes
   * built elsewhere, for example to test a health check.
   */
  compared?: number;
  /** Set when the category could not run (unreachable source, bad input); its message is for humans. */
  error?: string;
}

export const MAX_VALUE_TEXT = 1024;

/** Stable across runs and across the order in which things were compared. */
export function findingId(category: Category, resource: string, path: string): string {
  return createHash('sha256').update(`${category}\u0000${resource}\u0000${path}`).digest('hex').slice(0, 16);
}

/** Renders a value for status and tables: strings as they are, the rest as JSON, bounded. */
export function renderValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  if (text === undefined) return undefined;
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text;
}

export function toFinding(difference: Difference, firstSeen: string): Finding {
  const finding: Finding = {
    id: findingId(difference.category, difference.resource, difference.path),
    category: difference.category,
    resource: difference.resource,
    path: difference.path,
    expected: difference.expected,
    severity: difference.severity,
    message: difference.message,
    firstSeen,
  };
  const staging = renderValue(difference.staging);
  const production = renderValue(difference.production);
  if (staging !== undefined) finding.staging = staging;
  if (production !== undefined) finding.production = production;
  return finding;
}
