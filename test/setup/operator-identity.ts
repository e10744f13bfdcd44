import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const OPERATOR_NAMESPACE = 'understudy-system';

/**
 * Installs the chart's RBAC (no Deployment) and returns a kubeconfig for the
 * operator's ServiceAccount, so integration tests run the operator with the
 * same least-privilege permissions it has in a cluster — not as admin.
 */
export function installOperatorIdentity(server: string, stateDir: string): string {
  const chart = resolve(__dirname, '../../charts/understudy');
  const rendered = execFileSync('helm', ['template', 'understudy', chart, '--namespace', OPERATOR_NAMESPACE, '--set', 'deployment.enabled=false', '--kube-version', 'v1.34.4'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ns = execFileSync('kubectl', ['create', 'namespace', OPERATOR_NAMESPACE, '--dry-run=client', '-o', 'yaml'], { stdio: 'pipe' });
  execFileSync('kubectl', ['apply', '--server-side', '-f', '-'], { input: ns, stdio: ['pipe', 'pipe', 'pipe'] });
  execFileSync('kubectl', ['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: rendered, stdio: ['pipe', 'pipe', 'pipe'] });
  const token = execFileSync('kubectl', ['create', 'token', 'understudy', '-n', OPERATOR_NAMESPACE, '--duration=24h'], { stdio: 'pipe' })
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
