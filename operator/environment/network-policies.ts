import { clone, isRecord, type KubeObject } from './objects';
import { ISOLATION_POLICY_NAME } from './isolation';

// NetworkPolicies add up: a pod admits whatever any policy selecting it
// admits. A baseline policy copied as it is ("ingress from every namespace
// labelled team=shop", "from 10.0.0.0/8", a rule with no `from` at all)
// would reopen an environment that spec.isolation.networkPolicy closes. So
// while isolation is on, the ingress peers of copied policies are confined:
// a peer stays only when it cannot reach outside the environment (a plain
// podSelector, or a namespaceSelector pinned by name to the target namespace
// or one of allowIngressFromNamespaces). An open rule admits the
// environment's own pods only; a rule left with no peer is dropped, which
// never cuts the environment off from itself because the isolation policy
// admits every pod of the namespace. Egress rules only restrict the
// environment's own pods and stay as they are.

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
    const result = confinePolicy(object, confinement);
    if (result.dropped > 0)
      warnings.push(
        `NetworkPolicy ${object.metadata.name}: ${result.dropped} ingress peer(s) reaching outside the environment were removed because spec.isolation.networkPolicy is on`,
      );
    return result.object;
  });
  return { objects: confined, warnings };
}

function confinePolicy(policy: KubeObject, confinement: Confinement): { object: KubeObject; dropped: number } {
  const copy = clone(policy);
  const spec = copy.spec as Record<string, unknown>;
  if (!Array.isArray(spec.ingress)) return { object: copy, dropped: 0 };
  let dropped = 0;
  const rules: unknown[] = [];
  for (const rule of spec.ingress) {
    const ruleRecord = isRecord(rule) ? rule : {};
    const peers = Array.isArray(ruleRecord.from) ? ruleRecord.from : [];
    if (peers.length === 0) {
      // No `from` admits every source; inside the environment it means its own pods.
      rules.push({ ...ruleRecord, from: [{ podSelector: {} }] });
      dropped++;
      continue;
    }
    const kept = peers.filter((peer) => staysInside(peer, confinement));
    dropped += peers.length - kept.length;
    if (kept.length > 0) rules.push({ ...ruleRecord, from: kept });
  }
  spec.ingress = rules;
  return { object: copy, dropped };
}

function staysInside(peer: unknown, confinement: Confinement): boolean {
  if (!isRecord(peer) || peer.ipBlock !== undefined) return false;
  if (peer.namespaceSelector === undefined) return isRecord(peer.podSelector);
  const names = pinnedNamespaces(peer.namespaceSelector);
  const allowed = new Set([confinement.targetNamespace, ...confinement.allowedNamespaces]);
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
