import { rewriteArguments } from '../../environment/namespace-references';

/** Which staging namespace stands for which production namespace. */
export interface NamespaceMapping {
  staging: string;
  production: string;
}

/**
 * Production's value as a copy into the staging namespace writes it. The
 * copy's own rewrite rules are used, so the copy and the comparison cannot
 * disagree: DNS names (`catalog.shop.svc`, `redis.shop:6379`), namespace flags
 * (`--namespace=shop`) and a value that is the namespace itself
 * (POD_NAMESPACE). A word that merely equals the namespace elsewhere — the
 * database `shop` in `db.shop.svc:5432/shop`, the host `www.shop.example.com` —
 * is left alone, as the copy leaves it.
 */
export function toStaging(value: string, mapping: NamespaceMapping): string {
  if (value === mapping.production) return mapping.staging;
  return rewriteArguments([value], { from: mapping.production, to: mapping.staging })[0] ?? value;
}

/** Equal as written, or equal once production's namespace references point at staging's. */
export function sameAcrossNamespaces(staging: string, production: string, mapping: NamespaceMapping): boolean {
  return staging === production || toStaging(production, mapping) === staging;
}
