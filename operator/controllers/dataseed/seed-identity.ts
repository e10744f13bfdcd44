import { API_VERSION, LABELS, MANAGED_BY } from '../../api/common';
import type { KubernetesObject } from '../../runtime/client-node';
import type { ReferencedNames } from './references';

// The identity a seed Job's pod runs as (`runner: Job`): one ServiceAccount,
// Role and RoleBinding per DataSeed, owned by it, granting exactly what
// `understudy seed --resource ns/name --write-status` does — read this
// DataSeed and the Secrets and ConfigMaps it names, write its status —
// and nothing else, by name. The operator can grant it because it holds
// those permissions itself (RBAC refuses to grant more than one holds).

export const DATASEED_LABEL = 'understudy.dev/dataseed';

export interface SeedIdentityOptions {
  namespace: string;
  name: string;
  uid: string;
  references: ReferencedNames;
}

const MAX_NAME = 253;

/** `<dataseed>-seed`, the name of all three objects. */
export function seedIdentityName(name: string): string {
  return `${name.slice(0, MAX_NAME - 5)}-seed`;
}

function metadata(opts: SeedIdentityOptions) {
  return {
    name: seedIdentityName(opts.name),
    namespace: opts.namespace,
    labels: { [LABELS.managedBy]: MANAGED_BY, [DATASEED_LABEL]: opts.name.slice(0, 63) },
    ownerReferences: [{ apiVersion: API_VERSION, kind: 'DataSeed', name: opts.name, uid: opts.uid, controller: true, blockOwnerDeletion: true }],
  };
}

export function seedIdentity(opts: SeedIdentityOptions): KubernetesObject[] {
  const rules: Array<{ apiGroups: string[]; resources: string[]; resourceNames: string[]; verbs: string[] }> = [
    { apiGroups: ['understudy.dev'], resources: ['dataseeds'], resourceNames: [opts.name], verbs: ['get'] },
    { apiGroups: ['understudy.dev'], resources: ['dataseeds/status'], resourceNames: [opts.name], verbs: ['get', 'patch'] },
  ];
  if (opts.references.secrets.length > 0) rules.push({ apiGroups: [''], resources: ['secrets'], resourceNames: opts.references.secrets, verbs: ['get'] });
  if (opts.references.configMaps.length > 0) rules.push({ apiGroups: [''], resources: ['configmaps'], resourceNames: opts.references.configMaps, verbs: ['get'] });
  const name = seedIdentityName(opts.name);
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(opts) },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: metadata(opts), rules } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: metadata(opts),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace: opts.namespace }],
    } as KubernetesObject,
  ];
}
