import { isRecord, type KubeObject } from './objects';

// Copied RoleBindings may grant only what the Baseline lets them grant: to
// ServiceAccounts of the preview itself (a binding to a user or group would
// hand a person rights in the preview), and to a Role of the preview or one
// of the ClusterRoles the Baseline lists. Roles themselves are bounded by
// the API server: without `escalate`, the operator cannot create a Role
// granting more than it holds.

export interface RbacRules {
  bindableClusterRoles: readonly string[];
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
