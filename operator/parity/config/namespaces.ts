/** Which staging namespace stands for which production namespace. */
export interface NamespaceMapping {
  staging: string;
  production: string;
}

const PLACEHOLDER = '{{namespace}}';

function escape(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * Replaces a namespace where it is used as one: a whole value (POD_NAMESPACE)
 * or a DNS label after a dot (`catalog.shop.svc`, `catalog.shop:8080`).
 * Elsewhere a word equal to the namespace is left alone, so a database
 * called `shop` in `db.shop.svc:5432/shop` is not taken for the namespace.
 */
export function canonicalise(value: string, namespace: string): string {
  if (value === namespace) return PLACEHOLDER;
  return value.replace(new RegExp(`(?<=\\.)${escape(namespace)}(?![a-z0-9-])`, 'g'), PLACEHOLDER);
}

/** Equal as written, or equal once each side's namespace is abstracted away. */
export function sameAcrossNamespaces(staging: string, production: string, mapping: NamespaceMapping): boolean {
  if (staging === production) return true;
  return canonicalise(staging, mapping.staging) === canonicalise(production, mapping.production);
}
