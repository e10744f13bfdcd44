// Rewrites references to the baseline namespace inside strings: the DNS
// names `svc.ns`, `svc.ns.svc` and `svc.ns.svc.cluster.local` (and pod names
// under a headless Service, `pod-0.svc.ns.svc...`), and the namespace name
// when it is the whole value of a key that says "namespace". Only whole DNS labels are matched, so baseline
// `shop` never touches `shopping-cart`, `shop-pr-1` or `www.shop.example.com`.
// DNS names are matched without regard to case, as resolvers do: a copy
// keeping `Orders.SHOP.svc.cluster.local` would still reach production.

export interface NamespaceRewrite {
  /** The baseline namespace. */
  from: string;
  /** The target namespace. */
  to: string;
  /**
   * Services of the baseline. The short form `name.ns` is only rewritten when
   * `name` is one of them: `orders@mail.shop` is an e-mail domain, not a
   * Service. Absent means every `label.ns` is taken for a Service.
   */
  serviceNames?: ReadonlySet<string>;
  /** Services whose references keep pointing at the baseline (shared services). */
  keep?: ReadonlySet<string>;
}

const LABEL = '[a-z0-9](?:[-a-z0-9]*[a-z0-9])?';

/** Matches `<label>.<ns>` where `<ns>` is followed by `.svc` (long form) or ends the name (short form). */
function referencePattern(namespace: string): RegExp {
  const ns = namespace.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`(?<![-a-z0-9])(${LABEL})\\.${ns}(?:(?=\\.svc(?![-a-z0-9]))|(?![-a-z0-9]|\\.[a-z0-9]))`, 'gi');
}

const patterns = new Map<string, RegExp>();
function patternFor(namespace: string): RegExp {
  let pattern = patterns.get(namespace);
  if (!pattern) {
    pattern = referencePattern(namespace);
    patterns.set(namespace, pattern);
  }
  return pattern;
}

export function rewriteDnsReferences(text: string, rewrite: NamespaceRewrite): string {
  if (!text.toLowerCase().includes(rewrite.from)) return text;
  const pattern = patternFor(rewrite.from);
  return text.replace(pattern, (match, label: string, offset: number, whole: string) => {
    const service = label.toLowerCase();
    if (rewrite.keep?.has(service)) return match;
    const longForm = whole.slice(offset + match.length, offset + match.length + 4).toLowerCase() === '.svc';
    if (!longForm && rewrite.serviceNames && !rewrite.serviceNames.has(service)) return match;
    return `${label}.${rewrite.to}`;
  });
}

/**
 * Whether a key (env variable, flag, ConfigMap key) says its value is a
 * namespace: `POD_NAMESPACE`, `--namespace`, `-n`, `WATCH_NS`. A bare value
 * equal to the namespace name is only rewritten under such a key, because
 * elsewhere the same word is as likely a database or user name (`POSTGRES_DB=shop`).
 */
export function isNamespaceKey(key: string): boolean {
  const name = key.replace(/^-+/, '');
  return /namespace/i.test(name) || /(^|[_.-])ns($|[_.-])/i.test(name) || key === '-n';
}

/** The namespace as a whole value under a namespace key. */
export function rewriteBareNamespace(value: string, rewrite: NamespaceRewrite): string {
  return value === rewrite.from ? rewrite.to : value;
}

/** Command-line arguments: `--namespace=shop`, `--namespace shop`, `-n shop`, and DNS names anywhere. */
export function rewriteArguments(args: readonly string[], rewrite: NamespaceRewrite): string[] {
  return args.map((arg, i) => {
    const previous = args[i - 1];
    if (previous !== undefined && previous.startsWith('-') && !previous.includes('=') && isNamespaceKey(previous))
      return rewriteBareNamespace(arg, rewrite);
    const flag = /^(-{1,2}[A-Za-z0-9][-A-Za-z0-9_.]*)=(.*)$/s.exec(arg);
    if (flag?.[1] !== undefined && flag[2] !== undefined && isNamespaceKey(flag[1]))
      return `${flag[1]}=${rewriteBareNamespace(flag[2], rewrite)}`;
    return rewriteDnsReferences(arg, rewrite);
  });
}

/** A keyed value (env variable, ConfigMap entry): DNS names anywhere, the bare name under a namespace key. */
export function rewriteKeyedValue(key: string, value: string, rewrite: NamespaceRewrite): string {
  return rewriteDnsReferences(isNamespaceKey(key) ? rewriteBareNamespace(value, rewrite) : value, rewrite);
}

/** Whether a string still refers to the baseline namespace by a DNS name (kept services aside). */
export function referencesNamespace(text: string, rewrite: Omit<NamespaceRewrite, 'to'>): boolean {
  return rewriteDnsReferences(text, { ...rewrite, to: '\u0000' }) !== text;
}
