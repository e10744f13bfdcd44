import { LABELS, MANAGED_BY } from '../../api/common';
import type { KubernetesObject } from '../../runtime/client-node';
import type { KubeClient } from '../../runtime/kube-client';
import { isConflict } from '../../runtime/kube-errors';
import type { ReconcileContext } from '../../runtime/reconciler';
import { cacheOf } from './watches';

// The operator reads no Secret cluster-wide. In each namespace it creates it
// binds itself a ClusterRole that reads Secrets there (the chart's
// `<release>-managed-namespace`, which it may bind and nothing else), so it
// can see the Secrets it wrote: the API server, not the operator's code,
// keeps it out of every other namespace's Secrets.

export const ACCESS_BINDING_NAME = 'understudy-operator';
export const DEFAULT_MANAGED_NAMESPACE_ROLE = 'understudy-managed-namespace';
const ROLE_BINDING = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding' } as const;

export interface Subject {
  kind: 'ServiceAccount' | 'User';
  name: string;
  namespace?: string;
}

/** Who the operator is, from the API server's own answer (SelfSubjectReview), so no flag can get it wrong. */
export async function whoAmI(client: KubeClient): Promise<Subject> {
  const review = await client.review<KubernetesObject & { status?: { userInfo?: { username?: string } } }>({
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'SelfSubjectReview',
  });
  const username = review.status?.userInfo?.username ?? '';
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (sa) return { kind: 'ServiceAccount', namespace: sa[1]!, name: sa[2]! };
  return { kind: 'User', name: username };
}

export function accessBinding(namespace: string, subject: Subject, roleName: string): KubernetesObject {
  return {
    apiVersion: ROLE_BINDING.apiVersion,
    kind: ROLE_BINDING.kind,
    metadata: { name: ACCESS_BINDING_NAME, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: [
      subject.kind === 'ServiceAccount'
        ? { kind: 'ServiceAccount', name: subject.name, namespace: subject.namespace }
        : { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: subject.name },
    ],
  } as KubernetesObject;
}

/** Makes sure the operator's access binding exists in a namespace it manages; true when it was created just now. */
export async function ensureAccess(
  ctx: ReconcileContext,
  namespace: string,
  subject: () => Promise<Subject>,
  roleName: string,
): Promise<boolean> {
  if (cacheOf(ctx, ROLE_BINDING).get(namespace, ACCESS_BINDING_NAME)) return false;
  try {
    await ctx.client.create(accessBinding(namespace, await subject(), roleName));
    return true;
  } catch (error) {
    if (isConflict(error)) return false;
    throw error;
  }
}
