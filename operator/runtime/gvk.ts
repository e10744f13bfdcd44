import type { KubernetesObject } from './client-node';

/**
 * A group, version and kind, typed with the shape its objects have in the
 * cache, so `ctx.cache(Kinds.Job)` hands out jobs without a cast at every
 * use. The type parameter is a promise about the JSON the API server sends,
 * not a check: fields the operator reads are optional, and specs are parsed
 * (zod) before use. operator/kinds.ts is the one table of them.
 */
export interface GroupVersionKind<T extends KubernetesObject = KubernetesObject> extends KindReference<T> {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** The resource name (`deployments`), where the operator lists or names it. */
  readonly plural: string;
}

/**
 * What a cache is looked up by: a kind of the table (typed), or a kind only
 * known at run time (`{ apiVersion, kind }` of a copied kind: untyped).
 */
export interface KindReference<T extends KubernetesObject = KubernetesObject> {
  readonly kind: string;
  /** `group/version`, or `version` for the core group: what objects and REST paths spell. */
  readonly apiVersion: string;
  /** Never set: carries T for the compiler. */
  readonly __object?: T;
}

/** The object type a kind's cache holds. */
export type ObjectOf<K> = K extends GroupVersionKind<infer T> ? T : never;

export function apiVersionOf(gv: { group: string; version: string }): string {
  return gv.group ? `${gv.group}/${gv.version}` : gv.version;
}

/** The group of an apiVersion: `apps` for `apps/v1`, '' for `v1`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function groupVersionKind<T extends KubernetesObject = KubernetesObject>(
  group: string,
  version: string,
  kind: string,
  plural: string,
): GroupVersionKind<T> {
  return Object.freeze({ group, version, kind, apiVersion: apiVersionOf({ group, version }), plural });
}

/** Whether an object (or an owner reference) is of this kind, at any version of its group. */
export function isKind(
  object: { apiVersion?: string; kind?: string },
  kind: Pick<GroupVersionKind, 'group' | 'kind'>,
): boolean {
  return object.kind === kind.kind && object.apiVersion !== undefined && groupOf(object.apiVersion) === kind.group;
}

/** `{ apiVersion, kind }` of a kind, for an object's manifest (spreading the kind itself would add group, version and plural). */
export function typeMeta(kind: Pick<GroupVersionKind, 'apiVersion' | 'kind'>): { apiVersion: string; kind: string } {
  return { apiVersion: kind.apiVersion, kind: kind.kind };
}
