import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParityCheckSpecInput } from '../../operator/api/paritycheck';
import type { KubeObject } from '../../operator/parity/config/normalize';
import type { KubernetesObject } from '../../operator/runtime/client-node';
import { OPERATOR_NAMESPACE } from '../setup/operator-identity';
import { adminKubeConfig, kubectl, kubectlAsync } from '../support/kube';
import { admin, type ParityCheckObject } from './paritycheck-controller.fixture';

// The attacker of the tenancy tests: `alice`, who may create and read
// ParityChecks in her team's namespace and nothing else, reached through
// impersonation (kubectl --as=alice), as a CI job of team-a would be.

export const ALICE = 'alice';

/** What an admin grants a team: ParityChecks in its own namespace, nothing more. */
export function grantAlice(namespace: string): void {
  const rbac = [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'parity-author', namespace },
      rules: [
        {
          apiGroups: ['understudy.dev'],
          resources: ['paritychecks'],
          verbs: ['get', 'list', 'watch', 'create', 'delete'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'parity-author', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'parity-author' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: ALICE }],
    },
  ];
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: rbac }));
}

/** `kubectl auth can-i` as alice. */
export function aliceCan(args: string[]): boolean {
  try {
    kubectl(['auth', 'can-i', ...args, `--as=${ALICE}`]);
    return true;
  } catch {
    return false;
  }
}

/** Alice creates a ParityCheck; `validate=false` lets her send fields the schema does not have, as an old client would. */
export async function aliceCreates(
  namespace: string,
  name: string,
  spec: ParityCheckSpecInput | Record<string, unknown>,
  validate = true,
): Promise<void> {
  const object = { apiVersion: 'understudy.dev/v1alpha1', kind: 'ParityCheck', metadata: { name, namespace }, spec };
  const result = await kubectlAsync(
    ['create', `--as=${ALICE}`, `--validate=${validate ? 'strict' : 'false'}`, '-f', '-'],
    JSON.stringify(object),
  );
  if (result.code !== 0) throw new Error(`alice could not create ${namespace}/${name}: ${result.stderr}`);
}

/** The ParityCheck exactly as alice can read it: everything she could learn from it. */
export async function aliceReads(
  namespace: string,
  name: string,
): Promise<{ object: ParityCheckObject; text: string }> {
  const result = await kubectlAsync(['get', `--as=${ALICE}`, '-n', namespace, 'paritycheck', name, '-o', 'json']);
  if (result.code !== 0) throw new Error(`alice could not read ${namespace}/${name}: ${result.stderr}`);
  return { object: JSON.parse(result.stdout) as ParityCheckObject, text: result.stdout };
}

/** Adds an env value to the first container of a workload of a manifest list. */
export function addEnv(deployment: string, name: string, value: string) {
  return (objects: KubeObject[]) => {
    const object = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment);
    // any: reaching into a free-form manifest
    (object?.spec as any).template.spec.containers[0].env.push({ name, value });
  };
}

export async function configMap(namespace: string, name: string, data: Record<string, string>): Promise<void> {
  await admin.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data } as KubernetesObject);
}

/** A file exec would create: its existence means a command ran inside the operator. */
export function markerPath(run: string): string {
  return join(tmpdir(), `understudy-parity-exec-${run}`);
}

export const ran = (marker: string) => existsSync(marker);

/** A kubeconfig whose user runs a command: the attack of a kubeconfig handed to client-node whole. */
export function execKubeconfig(marker: string): string {
  const server = adminKubeConfig().getCurrentCluster()!.server;
  const credential = JSON.stringify({
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    status: { token: 'from-exec' },
  });
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }],
    users: [
      {
        name: 'u',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: 'sh',
            args: [
              '-c',
              `touch ${marker}; cat /var/run/secrets/kubernetes.io/serviceaccount/token >&2; echo '${credential}'`,
            ],
          },
        },
      },
    ],
    contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'x',
  });
}

/**
 * A safe kubeconfig for the test cluster (server, inline CA, inline token) of
 * a ServiceAccount that may read what a parity check lists in `namespace`,
 * and get namespaces: production "in another cluster".
 */
export function remoteReaderKubeconfig(namespace: string): string {
  const rules = [
    { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'pods'], verbs: ['list'] },
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['list'] },
    { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: ['list'] },
  ];
  const sa = { kind: 'ServiceAccount', name: 'remote-reader', namespace };
  const manifests = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa.name, namespace } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'remote-reader', namespace }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'remote-reader', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'remote-reader' },
      subjects: [sa],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: `${namespace}-namespace-reader` },
      rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['get'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${namespace}-namespace-reader` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${namespace}-namespace-reader` },
      subjects: [sa],
    },
  ];
  kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }));
  const token = kubectl(['create', 'token', sa.name, '-n', namespace, '--duration=1h']).trim();
  const server = adminKubeConfig().getCurrentCluster()!.server;
  const ca = readFileSync(join(process.env.UNDERSTUDY_CLUSTER_DIR!, 'pki', 'ca.crt')).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'production', cluster: { server, 'certificate-authority-data': ca } }],
    users: [{ name: 'reader', user: { token } }],
    contexts: [{ name: 'production', context: { cluster: 'production', user: 'reader' } }],
    'current-context': 'production',
  });
}

export function removeRemoteReader(namespace: string): void {
  kubectl(['delete', 'clusterrole,clusterrolebinding', `${namespace}-namespace-reader`, '--ignore-not-found']);
}

/** A Secret in the operator's own namespace, where an admin puts kubeconfigs of other clusters. */
export async function operatorSecret(name: string, data: Record<string, string>): Promise<void> {
  await admin.apply(
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name, namespace: OPERATOR_NAMESPACE },
      stringData: data,
    } as KubernetesObject,
    { force: true },
  );
}

export async function deleteOperatorSecrets(names: string[]): Promise<void> {
  await Promise.all(
    names.map((name) =>
      admin.delete({ apiVersion: 'v1', kind: 'Secret', namespace: OPERATOR_NAMESPACE, name }).catch(() => undefined),
    ),
  );
}
