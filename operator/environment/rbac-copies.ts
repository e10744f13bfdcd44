import { isRecord, type KubeObject } from './objects';

// Copied RoleBindings may grant only what the Baseline lets them grant: to
// ServiceAccounts of the preview itself (a binding to a user or group would
// hand a person rights in the preview), and to a Role of the preview or one
// of the ClusterRoles the Baseline lists. Roles themselves are bounded by
// the API server: without `escalate`, the operator cannot create a Role
// granting more than it holds.

export interface RbacRules {
  bindableClusterRoles: readonly string[];
  /** The Baseline's TLS Secret, when the copy has it: no copied Role may read it. */
  tlsSecretName?: string;
}

const READ_VERBS = new Set(['get', 'list', 'watch', '*']);
const includesAny = (value: unknown, wanted: readonly string[]): boolean =>
  Array.isArray(value) && value.some((item) => wanted.includes(String(item)));

/**
 * Whether a Role's rule lets its ServiceAccounts read Secret `name`: core (or
 * every) group, secrets (or every resource), a read verb, and no
 * resourceNames or ones naming it. A copied workload runs the tenant's image
 * under these ServiceAccounts, so such a Role would read the shared TLS key.
 */
function readsSecret(rule: Record<string, unknown>, name: string): boolean {
  if (!includesAny(rule.apiGroups, ['', '*']) || !includesAny(rule.resources, ['secrets', '*'])) return false;
  if (!Array.isArray(rule.verbs) || !rule.verbs.some((verb) => READ_VERBS.has(String(verb)))) return false;
  const names = Array.isArray(rule.resourceNames) ? rule.resourceNames.map(String) : [];
  return names.length === 0 || names.includes(name);
}

/** The Role as it may be copied, or a reason it may not: it would read the Baseline's TLS Secret. */
export function confineRole(role: KubeObject, rules: RbacRules): { object: KubeObject } | { refused: string } {
  const tls = rules.tlsSecretName;
  const roleRules = Array.isArray(role.rules) ? role.rules.filter(isRecord) : [];
  if (tls && roleRules.some((rule) => readsSecret(rule, tls)))
    return {
      refused: `Role ${role.metadata.name} may read Secret ${tls}, which in the preview is the Baseline's TLS Secret (its private key); list the Secrets it reads in resourceNames`,
    };
  return { object: role };
}

/** The binding as it may be copied into `targetNamespace`, or a reason it may not. */
export function confineRoleBinding(
  binding: KubeObject,
  targetNamespace: string,
  rules: RbacRules,
): { object: KubeObject } | { refused: string } {
  const roleRef = isRecord(binding.roleRef) ? binding.roleRef : {};
  const name = `RoleBinding ${binding.metadata.name}`;
  if (roleRef.kind === 'ClusterRole' && !rules.bindableClusterRoles.includes(String(roleRef.name))) {
    return {
      refused: `${name} refers to ClusterRole ${String(roleRef.name)}, which the Baseline's rbac.bindableClusterRoles does not list`,
    };
  }
  if (roleRef.kind !== 'ClusterRole' && roleRef.kind !== 'Role')
    return { refused: `${name} refers to a ${String(roleRef.kind)}, not a Role or ClusterRole` };
  const subjects = Array.isArray(binding.subjects) ? binding.subjects.filter(isRecord) : [];
  const outside = subjects.filter((s) => s.kind !== 'ServiceAccount');
  if (outside.length > 0)
    return {
      refused: `${name} binds ${outside.map((s) => `${String(s.kind)} ${String(s.name)}`).join(', ')}; copies may bind only ServiceAccounts of the preview`,
    };
  // Every ServiceAccount subject becomes the preview's own, whatever namespace it named.
  return {
    object: {
      ...binding,
      subjects: subjects.map((s) => ({ kind: 'ServiceAccount', name: s.name, namespace: targetNamespace })),
    },
  };
}
