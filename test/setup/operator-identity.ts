import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const OPERATOR_NAMESPACE = 'understudy-system';
/** The Helm release name the tests install the chart as; ClusterRole names derive from it. */
export const RELEASE = 'understudy';
export const OPERATOR_SERVICE_ACCOUNT = 'understudy';
/** The operator's username as the API server (RBAC, admission policies, impersonation) sees it. */
export const OPERATOR_USERNAME = `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_SERVICE_ACCOUNT}`;
export const SECRET_READER_CLUSTERROLE = `${RELEASE}-secret-reader`;
export const MANAGED_NAMESPACE_CLUSTERROLE = `${RELEASE}-managed-namespace`;

const CHART = resolve(__dirname, '../../charts/understudy');

/** `helm template` of the chart as the tests install it; `set` adds `--set` values. */
export function renderChart(set: string[] = []): string {
  const args = [
    'template',
    RELEASE,
    CHART,
    '--namespace',
    OPERATOR_NAMESPACE,
    '--kube-version',
    'v1.34.4',
    '--set',
    'deployment.enabled=false',
  ];
  for (const value of set) args.push('--set', value);
  return execFileSync('helm', args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/**
 * Installs the chart's RBAC and admission policy (no Deployment) and returns a
 * kubeconfig for the operator's ServiceAccount, so integration tests run the
 * operator with the same least-privilege permissions it has in a cluster — not
 * as admin. Returns once the API server enforces the policy.
 */
export function installOperatorIdentity(server: string, stateDir: string): string {
  const ns = execFileSync('kubectl', ['create', 'namespace', OPERATOR_NAMESPACE, '--dry-run=client', '-o', 'yaml'], {
    stdio: 'pipe',
  });
  execFileSync('kubectl', ['apply', '--server-side', '-f', '-'], { input: ns, stdio: ['pipe', 'pipe', 'pipe'] });
  execFileSync('kubectl', ['apply', '--server-side', '--force-conflicts', '-f', '-'], {
    input: renderChart(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  waitForPolicy();
  const token = execFileSync(
    'kubectl',
    ['create', 'token', OPERATOR_SERVICE_ACCOUNT, '-n', OPERATOR_NAMESPACE, '--duration=24h'],
    { stdio: 'pipe' },
  )
    .toString()
    .trim();
  const ca = readFileSync(join(stateDir, 'pki', 'ca.crt')).toString('base64');
  const kubeconfig = join(stateDir, 'operator.kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
- name: understudy-test
  cluster: {server: "${server}", certificate-authority-data: ${ca}}
users:
- name: understudy-operator
  user: {token: "${token}"}
contexts:
- name: understudy-operator
  context: {cluster: understudy-test, user: understudy-operator, namespace: ${OPERATOR_NAMESPACE}}
current-context: understudy-operator
`,
  );
  return kubeconfig;
}

/**
 * What the chart does for each namespace of `rbac.secretNamespaces`, for tests
 * that play the admin: lets the operator read Secrets in `namespace`. Returns
 * once the authorizer says so.
 */
export async function grantSecretRead(namespace: string): Promise<void> {
  const binding = `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${SECRET_READER_CLUSTERROLE}
  namespace: ${namespace}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${SECRET_READER_CLUSTERROLE}}
subjects:
- {kind: ServiceAccount, name: ${OPERATOR_SERVICE_ACCOUNT}, namespace: ${OPERATOR_NAMESPACE}}
`;
  execFileSync('kubectl', ['apply', '--server-side', '-f', '-'], { input: binding, stdio: ['pipe', 'pipe', 'pipe'] });
  await pollUntil(() => canI(['get', 'secrets', '-n', namespace]), `the operator to read Secrets in ${namespace}`);
}

/** `kubectl auth can-i` as the operator: exits 0 for yes, 1 for no. */
function canI(args: string[]): boolean {
  try {
    execFileSync('kubectl', ['auth', 'can-i', ...args, `--as=${OPERATOR_USERNAME}`], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The API server loads admission policies asynchronously: until it has, the
 * operator could still write anywhere RBAC allows. A server-side dry run of a
 * write the policy forbids (a ConfigMap in `default`) tells when it is loaded.
 */
function waitForPolicy(): void {
  const probe = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: understudy-policy-probe, namespace: default}\n';
  const deadline = Date.now() + 30_000;
  let last = '';
  while (Date.now() < deadline) {
    try {
      execFileSync('kubectl', ['create', '--dry-run=server', `--as=${OPERATOR_USERNAME}`, '-f', '-'], {
        input: probe,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      last = 'the dry-run write was admitted';
    } catch (err) {
      last = String((err as { stderr?: Buffer }).stderr ?? err);
      if (last.includes('writes-in-managed-namespaces')) return;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250);
  }
  throw new Error(`the operator's ValidatingAdmissionPolicy is not enforced after 30s: ${last}`);
}

async function pollUntil(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}
