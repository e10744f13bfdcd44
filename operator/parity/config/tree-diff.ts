import { jsonEqual } from '../json-equal';

export interface LeafDifference {
  path: string;
  staging: unknown;
  production: unknown;
}

export type StringEquality = (staging: string, production: string) => boolean;

/** `a.b` for plain keys, `a[app.kubernetes.io/name]` for keys a dot would split. */
export function childPath(path: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${key}]`;
}

export function namedPath(path: string, name: string): string {
  return `${path}[${name}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function namesOf(list: unknown[]): string[] | undefined {
  const names = list.map((e) => (isObject(e) && typeof e.name === 'string' ? e.name : undefined));
  if (names.some((n) => n === undefined)) return undefined;
  return new Set(names).size === names.length ? (names as string[]) : undefined;
}

/** Deep equality where strings compare with the namespace-aware rule. */
export function sameValue(staging: unknown, production: unknown, equal: StringEquality): boolean {
  if (typeof staging === 'string' && typeof production === 'string') return equal(staging, production);
  if (Array.isArray(staging) && Array.isArray(production)) {
    return staging.length === production.length && staging.every((s, i) => sameValue(s, production[i], equal));
  }
  if (isObject(staging) && isObject(production)) {
    const keys = new Set([...Object.keys(staging), ...Object.keys(production)]);
    return [...keys].every((k) => sameValue(staging[k], production[k], equal));
  }
  return jsonEqual(staging, production);
}

/**
 * The leaves where two values differ. Lists of named objects (containers,
 * env, volumes) are paired by name so reordering is not drift; other lists
 * are compared whole, as one leaf.
 */
export function diffTree(staging: unknown, production: unknown, path: string, equal: StringEquality): LeafDifference[] {
  if (staging === undefined && production === undefined) return [];
  if (isObject(staging) && isObject(production)) {
    const keys = [...new Set([...Object.keys(staging), ...Object.keys(production)])].sort();
    return keys.flatMap((k) => diffTree(staging[k], production[k], childPath(path, k), equal));
  }
  if (Array.isArray(staging) && Array.isArray(production)) {
    const stagingNames = namesOf(staging);
    const productionNames = namesOf(production);
    if (stagingNames && productionNames) {
      const byName = (list: unknown[], names: string[]) => new Map(names.map((n, i) => [n, list[i]]));
      const s = byName(staging, stagingNames);
      const p = byName(production, productionNames);
      const names = [...new Set([...productionNames, ...stagingNames])];
      return names.flatMap((n) => diffTree(s.get(n), p.get(n), namedPath(path, n), equal));
    }
  }
  return sameValue(staging, production, equal) ? [] : [{ path, staging, production }];
}
