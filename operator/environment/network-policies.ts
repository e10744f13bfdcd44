import { clone, isRecord, type KubeObject } from './objects';
import { ISOLATION_POLICY_NAME } from './isolation';

// NetworkPolicies add up: a pod admits, and may reach, whatever any policy
// selecting it allows. A baseline policy copied as it is ("ingress from
// every namespace labelled team=shop", "egress to 0.0.0.0/0", a rule with no
// `from` or `to` at all) would reopen an environment that
// spec.isolation.networkPolicy closes, in either direction: an egress rule
// is an allowance too, so a copied "egress to the payments namespace" would
// let the preview's pods (running the tenant's image) reach production. So
// while isolation is on, the peers of copied policies are confined both
// ways: an ingress peer stays only when it cannot reach outside the
// environment (a plain podSelector, or a namespaceSelector pinned by name to
// the target namespace or one of allowIngressFromNamespaces); an egress peer
// only when it stays inside the environment (the Baseline's own egress
// destinations and DNS are already in the isolation policy, with the admin's
// ports). An open rule admits or reaches the environment's own pods only; a
// rule left with no peer is dropped, which never cuts the environment off
// from itself because the isolation policy allows every pod of the
// namespace both ways.

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface Confinement {
  targetNamespace: string;
  allowedNamespaces: readonly string[];
}

export interface ConfinedPolicies {
  objects: KubeObject[];
  /** One line per copied policy that lost a rule or a peer. */
  warnings: string[];
}

export function confineNetworkPolicies(objects: readonly KubeObject[], confinement: Confinement): ConfinedPolicies {
  const warnings: string[] = [];
  const confined = objects.map((object) => {
    if (object.kind !== 'NetworkPolicy' || object.metadata.name === ISOLATION_POLICY_NAME || !isRecord(object.spec))
      return object;
    const copy = clone(object);
    const spec = copy.spec as Record<string, unknown>;
    const ingress = confineRules(spec, 'ingress', 'from', [
      confinement.targetNamespace,
      ...confinement.allowedNamespaces,
    ]);
    const egress = confineRules(spec, 'egress', 'to', [confinement.targetNamespace]);
    for (const [dropped, direction] of [
      [ingress, 'ingress'],
      [egress, 'egress'],
    ] as const)
      if (dropped > 0)
        warnings.push(
          `NetworkPolicy ${object.metadata.name}: ${dropped} ${direction} peer(s) reaching outside the environment were removed because spec.isolation.networkPolicy is on`,
        );
    return copy;
  });
  return { objects: confined, warnings };
}

/** Confines `spec[direction]` in place to peers inside `allowed`; returns how many peers it removed. */
function confineRules(
  spec: Record<string, unknown>,
  direction: 'ingress' | 'egress',
  peersKey: 'from' | 'to',
  allowed: readonly string[],
): number {
  const original = spec[direction];
  if (!Array.isArray(original)) return 0;
  const inside = new Set(allowed);
  let dropped = 0;
  const rules: unknown[] = [];
  for (const rule of original) {
    const ruleRecord = isRecord(rule) ? rule : {};
    const peers = Array.isArray(ruleRecord[peersKey]) ? (ruleRecord[peersKey] as unknown[]) : [];
    if (peers.length === 0) {
      // No peers allows every source (or destination); inside the environment it means its own pods.
      rules.push({ ...ruleRecord, [peersKey]: [{ podSelector: {} }] });
      dropped++;
      continue;
    }
    const kept = peers.filter((peer) => staysInside(peer, inside));
    dropped += peers.length - kept.length;
    if (kept.length > 0) rules.push({ ...ruleRecord, [peersKey]: kept });
  }
  spec[direction] = rules;
  return dropped;
}

function staysInside(peer: unknown, allowed: ReadonlySet<string>): boolean {
  if (!isRecord(peer) || peer.ipBlock !== undefined) return false;
  if (peer.namespaceSelector === undefined) return isRecord(peer.podSelector);
  const names = pinnedNamespaces(peer.namespaceSelector);
  return names !== undefined && names.length > 0 && names.every((name) => allowed.has(name));
}

/** The namespaces a selector can match when it pins kubernetes.io/metadata.name; undefined when it does not. */
function pinnedNamespaces(selector: unknown): string[] | undefined {
  if (!isRecord(selector)) return undefined;
  const byLabel = isRecord(selector.matchLabels) ? selector.matchLabels[NAMESPACE_NAME_LABEL] : undefined;
  if (typeof byLabel === 'string') return [byLabel];
  const expressions: unknown[] = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  const pinned = expressions.find(
    (e) => isRecord(e) && e.key === NAMESPACE_NAME_LABEL && e.operator === 'In' && Array.isArray(e.values),
  );
  return isRecord(pinned) && Array.isArray(pinned.values) ? pinned.values.map(String) : undefined;
}
