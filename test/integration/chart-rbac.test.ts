import { parseAllDocuments } from 'yaml';
import {
  MANAGED_NAMESPACE_CLUSTERROLE,
  OPERATOR_NAMESPACE,
  OPERATOR_USERNAME,
  grantSecretRead,
  renderChart,
} from '../setup/operator-identity';
import { createNamespace, deleteNamespace, eventually, kubectl, kubectlAsync, uniqueName } from '../support/kube';

// The chart's least privilege as the API server enforces it: the global setup
// installed exactly the chart's RBAC and ValidatingAdmissionPolicy, and these
// tests act as the operator's ServiceAccount by impersonation.
jest.setTimeout(120_000);

const AS_OPERATOR = `--as=${OPERATOR_USERNAME}`;
const MANAGED = { 'app.kubernetes.io/managed-by': 'understudy' };
const POLICY = 'understudy-operator-writes';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

function manifests(rendered: string): Manifest[] {
  return parseAllDocuments(rendered)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

const READ = ['get', 'list', 'watch', '*'];
function readsSecrets(rule: Rule): boolean {
  const group = (rule.apiGroups ?? []).some((g) => g === '' || g === '*');
  const resource = (rule.resources ?? []).some((r) => r === 'secrets' || r === '*');
  return group && resource && rule.verbs.some((v) => READ.includes(v));
}

/** Problems of one rule: a wildcard anywhere, escalate, bind or impersonate without names. */
function ruleProblems(rule: Rule): string[] {
  const problems: string[] = [];
  for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames'] as const) {
    if ((rule[field] ?? []).some((v) => v.includes('*'))) problems.push(`wildcard in ${field}`);
  }
  if (rule.verbs.includes('escalate')) problems.push('escalate');
  for (const verb of ['bind', 'impersonate']) {
    if (rule.verbs.includes(verb) && (rule.resourceNames ?? []).length === 0)
      problems.push(`${verb} without resourceNames`);
  }
  return problems.map((p) => `${p}: ${JSON.stringify(rule)}`);
}

/**
 * What the operator may do in `namespace`: the SelfSubjectRulesReview behind
 * `kubectl auth can-i --list` (this kubectl has no -o json for it), and the
 * table that command prints.
 */
async function operatorRules(namespace: string): Promise<{ rules: Rule[]; table: string }> {
  const review = await kubectlAsync(
    // --validate=false: kubectl's client-side check would list CRDs, which the operator may not.
    ['create', '--validate=false', '-o', 'json', '-f', '-', AS_OPERATOR],
    `apiVersion: authorization.k8s.io/v1\nkind: SelfSubjectRulesReview\nspec: {namespace: ${namespace}}\n`,
  );
  expect(review.stderr).toBe('');
  const table = await kubectlAsync(['auth', 'can-i', '--list', '-n', namespace, AS_OPERATOR]);
  expect(table.code).toBe(0);
  return {
    rules: (JSON.parse(review.stdout) as { status: { resourceRules: Rule[] } }).status.resourceRules,
    table: table.stdout,
  };
}

/** Rows of the can-i table about Secrets that allow reading them. */
function secretReadRows(table: string): string[] {
  return table.split('\n').filter((line) => /^secrets\s/.test(line) && /\b(get|list|watch)\b/.test(line));
}

async function asOperator(args: string[], input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return kubectlAsync([...args, AS_OPERATOR], input);
}

async function canOperator(args: string[]): Promise<boolean> {
  return (await asOperator(['auth', 'can-i', ...args])).code === 0;
}

function configMap(namespace: string, name = uniqueName('cm')): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}, namespace: ${namespace}}\ndata: {k: v}\n`;
}

function exists(args: string[]): boolean {
  return kubectl(['get', ...args, '--ignore-not-found', '-o', 'name']).trim() !== '';
}

function expectPolicyRefusal(result: { stderr: string; code: number }, rule: string): void {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(`ValidatingAdmissionPolicy '${POLICY}'`);
  expect(result.stderr).toContain(rule);
}

describe('the chart as rendered', () => {
  const all = manifests(renderChart());
  const roles = all.filter((m) => m.kind === 'ClusterRole' || m.kind === 'Role');

  it('grants no wildcard, no escalate, and bind only by name', () => {
    expect(roles.length).toBeGreaterThanOrEqual(6);
    expect(
      roles.flatMap((r) => (r.rules ?? []).flatMap(ruleProblems).map((p) => `${r.kind} ${r.metadata.name}: ${p}`)),
    ).toEqual([]);
    const operator = roles.find((r) => r.metadata.name === 'understudy-operator');
    const bind = operator?.rules?.filter((r) => r.verbs.includes('bind')) ?? [];
    expect(bind).toEqual([
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        resources: ['clusterroles'],
        verbs: ['bind'],
        resourceNames: [MANAGED_NAMESPACE_CLUSTERROLE],
      },
    ]);
  });

  it('reads Secrets only through RoleBindings, never a ClusterRoleBinding', () => {
    const secretRoles = new Set(roles.filter((r) => (r.rules ?? []).some(readsSecrets)).map((r) => r.metadata.name));
    expect([...secretRoles].sort()).toEqual(['understudy-managed-namespace', 'understudy-secret-reader']);
    const clusterBound = all.filter((m) => m.kind === 'ClusterRoleBinding').map((m) => m.roleRef?.name);
    expect(clusterBound).toEqual(['understudy-operator']);
    const readerBindings = all.filter(
      (m) => m.kind === 'RoleBinding' && m.roleRef?.name === 'understudy-secret-reader',
    );
    expect(readerBindings.map((b) => b.metadata.namespace)).toEqual([OPERATOR_NAMESPACE]);
  });

  it('renders a secret-reader RoleBinding per rbac.secretNamespaces and bind on rbac.bindableClusterRoles', () => {
    const rendered = manifests(
      renderChart(['rbac.secretNamespaces={shop,payments,understudy-system}', 'rbac.bindableClusterRoles={view}']),
    );
    const bindings = rendered.filter((m) => m.kind === 'RoleBinding' && m.roleRef?.name === 'understudy-secret-reader');
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(['payments', 'shop', 'understudy-system']);
    for (const b of bindings)
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'understudy', namespace: OPERATOR_NAMESPACE }]);
    const operator = rendered.find((m) => m.kind === 'ClusterRole' && m.metadata.name === 'understudy-operator');
    expect(operator?.rules?.find((r) => r.verbs.includes('bind'))?.resourceNames).toEqual([
      MANAGED_NAMESPACE_CLUSTERROLE,
      'view',
    ]);
  });

  it('lets the operator review tokens and access for /metrics, and offers a metrics-reader role bound to no one by default', () => {
    const operator = roles.find((r) => r.metadata.name === 'understudy-operator');
    expect(operator?.rules).toEqual(
      expect.arrayContaining([
        { apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'], verbs: ['create'] },
        { apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews'], verbs: ['create'] },
      ]),
    );
    expect(roles.find((r) => r.metadata.name === 'understudy-metrics-reader')?.rules).toEqual([
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    const bound = manifests(
      renderChart([
        'metrics.readerSubjects[0].kind=ServiceAccount',
        'metrics.readerSubjects[0].name=prometheus',
        'metrics.readerSubjects[0].namespace=monitoring',
      ]),
    );
    const binding = bound.find(
      (m) => m.kind === 'ClusterRoleBinding' && m.roleRef?.name === 'understudy-metrics-reader',
    );
    expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'prometheus', namespace: 'monitoring' }]);
  });

  it('refuses removed and malformed values by schema', () => {
    for (const set of [
      'rbac.readSecrets=true',
      'rbac.copyRoles=true',
      'rbac.secretNamespaces={Prod_DB}',
      'watchNamespaces={-team}',
      'rbac.bindableClusterRoles={*}',
    ]) {
      expect(() => renderChart([set])).toThrow(
        /values don't meet the specifications of the schema|additional properties|does not match pattern/i,
      );
    }
  });
});

describe('the operator identity on the API server', () => {
  let teamB: string;
  let managed: string;
  beforeAll(() => {
    teamB = createNamespace('team-b');
    managed = uniqueName('preview-rbac');
  });
  afterAll(() => {
    deleteNamespace(teamB);
    deleteNamespace(managed);
  });

  it('can-i --list: no Secrets outside granted namespaces, no escalate, no wildcard', async () => {
    const everywhere = await kubectlAsync(['auth', 'can-i', 'list', 'secrets', '--all-namespaces', AS_OPERATOR]);
    expect(everywhere.stdout.trim()).toBe('no');
    for (const namespace of [teamB, 'kube-system', 'default']) {
      const { rules, table } = await operatorRules(namespace);
      expect(rules.filter(readsSecrets)).toEqual([]);
      expect(rules.flatMap(ruleProblems)).toEqual([]);
      expect(secretReadRows(table)).toEqual([]);
      expect(table).not.toMatch(/escalate/);
      // The list is the real one: the operator's own reads are in it.
      expect(rules.some((r) => r.resources?.includes('deployments') && r.verbs.includes('watch'))).toBe(true);
      expect(table).toContain('deployments.apps');
    }
    // Its own namespace is granted by the chart, so both parses can see a Secret rule when there is one.
    const home = await operatorRules(OPERATOR_NAMESPACE);
    expect(home.rules.some(readsSecrets)).toBe(true);
    expect(secretReadRows(home.table)).not.toEqual([]);
  });

  it('refuses writes in namespaces the operator does not manage, though RBAC alone would allow them', async () => {
    expect(await canOperator(['create', 'configmaps', '-n', teamB])).toBe(true);
    expectPolicyRefusal(
      await asOperator(['create', '-f', '-'], configMap(teamB, 'planted')),
      'writes-in-managed-namespaces',
    );
    expect(exists(['configmap', 'planted', '-n', teamB])).toBe(false);
    expectPolicyRefusal(
      await asOperator(['create', 'secret', 'generic', 'planted', '-n', teamB, '--from-literal=k=v']),
      'writes-in-managed-namespaces',
    );
    expect(exists(['secret', 'planted', '-n', teamB])).toBe(false);
    expectPolicyRefusal(
      await asOperator(['create', 'role', 'planted', '-n', teamB, '--verb=get', '--resource=configmaps']),
      'writes-in-managed-namespaces',
    );
    expect(exists(['role', 'planted', '-n', teamB])).toBe(false);
    expectPolicyRefusal(
      await asOperator(['create', '--dry-run=server', '-f', '-'], configMap('kube-system')),
      'writes-in-managed-namespaces',
    );
    const existing = uniqueName('existing');
    kubectl(['create', '-f', '-'], configMap(teamB, existing));
    expectPolicyRefusal(
      await asOperator(['delete', 'configmap', existing, '-n', teamB]),
      'writes-in-managed-namespaces',
    );
    expect(exists(['configmap', existing, '-n', teamB])).toBe(true);
  });

  it('neither deletes nor claims a namespace it did not create', async () => {
    expectPolicyRefusal(await asOperator(['delete', 'namespace', teamB, '--wait=false']), 'delete-managed-namespaces');
    expect(kubectl(['get', 'namespace', teamB, '-o', 'jsonpath={.status.phase}'])).toBe('Active');
    expectPolicyRefusal(
      await asOperator(['label', 'namespace', teamB, 'app.kubernetes.io/managed-by=understudy']),
      'update-managed-namespaces',
    );
    expect(kubectl(['get', 'namespace', teamB, '-o', 'jsonpath={.metadata.labels}'])).not.toContain('understudy');
    const unlabelled = uniqueName('squat');
    expectPolicyRefusal(await asOperator(['create', 'namespace', unlabelled]), 'create-managed-namespaces');
    expect(exists(['namespace', unlabelled])).toBe(false);
  });

  it('creates a labelled namespace and writes in it, but keeps it labelled', async () => {
    const created = await asOperator(
      ['create', '-f', '-'],
      `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${managed}\n  labels: ${JSON.stringify(MANAGED)}\n`,
    );
    expect(created.stderr).toBe('');
    const cm = await asOperator(['create', '-f', '-'], configMap(managed, 'written'));
    expect(cm.stderr).toBe('');
    expect(exists(['configmap', 'written', '-n', managed])).toBe(true);
    expectPolicyRefusal(
      await asOperator(['label', 'namespace', managed, 'app.kubernetes.io/managed-by-']),
      'update-managed-namespaces',
    );
    const relabel = await asOperator(['label', 'namespace', managed, 'pod-security.kubernetes.io/enforce=baseline']);
    expect(relabel.stderr).toBe('');
  });

  it('holds no escalate and no bind beyond its own managed-namespace role', async () => {
    const wildcard = await asOperator(
      ['create', '-f', '-'],
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: everything, namespace: ${managed}}\nrules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n`,
    );
    expect(wildcard.code).not.toBe(0);
    expect(wildcard.stderr).toMatch(/forbidden.*(escalat|not currently held)/is);
    expect(exists(['role', 'everything', '-n', managed])).toBe(false);
    // A Role within what the operator holds is accepted: the refusal above is about escalation.
    expect(
      (await asOperator(['create', 'role', 'reader', '-n', managed, '--verb=get', '--resource=configmaps'])).stderr,
    ).toBe('');
    const admin = await asOperator([
      'create',
      'rolebinding',
      'admin',
      '-n',
      managed,
      '--clusterrole=cluster-admin',
      `--user=${uniqueName('someone')}`,
    ]);
    expect(admin.code).not.toBe(0);
    expect(admin.stderr).toMatch(/forbidden/i);
    expect(exists(['rolebinding', 'admin', '-n', managed])).toBe(false);
  });

  it('reads Secrets in a namespace it manages only once it bound the managed-namespace role to itself', async () => {
    const secret = await asOperator([
      'create',
      'secret',
      'generic',
      'generated',
      '-n',
      managed,
      '--from-literal=password=p',
    ]);
    expect(secret.stderr).toBe('');
    expect(await canOperator(['get', 'secrets', '-n', managed])).toBe(false);
    const bound = await asOperator(
      ['create', '-f', '-'],
      `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: understudy-operator, namespace: ${managed}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: ${MANAGED_NAMESPACE_CLUSTERROLE}}
subjects: [{kind: ServiceAccount, name: understudy, namespace: ${OPERATOR_NAMESPACE}}]
`,
    );
    expect(bound.stderr).toBe('');
    const read = await eventually(
      async () => {
        const r = await asOperator(['get', 'secret', 'generated', '-n', managed, '-o', 'jsonpath={.data.password}']);
        return r.code === 0 ? r.stdout : undefined;
      },
      { what: 'the operator to read its Secret' },
    );
    expect(Buffer.from(read, 'base64').toString()).toBe('p');
    // Only there: kube-system's and team-b's Secrets stay out of reach.
    for (const namespace of ['kube-system', teamB]) {
      const denied = await asOperator(['get', 'secrets', '-n', namespace]);
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toMatch(/forbidden/i);
    }
  });

  it('reads Secrets where an admin grants it, still without writing there', async () => {
    const prod = createNamespace('prod-db');
    try {
      kubectl(['create', 'secret', 'generic', 'readonly', '-n', prod, '--from-literal=url=postgresql://ro@db/prod']);
      expect((await asOperator(['get', 'secret', 'readonly', '-n', prod])).code).not.toBe(0);
      await grantSecretRead(prod);
      expect((await asOperator(['get', 'secret', 'readonly', '-n', prod, '-o', 'name'])).stdout.trim()).toBe(
        'secret/readonly',
      );
      expectPolicyRefusal(
        await asOperator(['delete', 'secret', 'readonly', '-n', prod]),
        'writes-in-managed-namespaces',
      );
    } finally {
      deleteNamespace(prod);
    }
  });

  it('still writes what is exempt: events anywhere, its leases and Secrets at home', async () => {
    const event = await asOperator(
      ['create', '-f', '-'],
      `apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: ${uniqueName('ev')}, namespace: ${teamB}}
eventTime: "2030-01-01T00:00:00.000000Z"
reportingController: understudy.dev/operator
reportingInstance: test
action: Reconcile
reason: Test
type: Normal
regarding: {kind: ConfigMap, namespace: ${teamB}, name: anything, apiVersion: v1}
`,
    );
    expect(event.stderr).toBe('');
    const lease = await asOperator(
      ['create', '--dry-run=server', '-f', '-'],
      `apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: probe, namespace: ${OPERATOR_NAMESPACE}}\n`,
    );
    expect(lease.stderr).toBe('');
    const home = await asOperator([
      'create',
      'secret',
      'generic',
      'probe',
      '-n',
      OPERATOR_NAMESPACE,
      '--from-literal=k=v',
      '--dry-run=server',
    ]);
    expect(home.stderr).toBe('');
  });

  it('deletes a namespace it manages', async () => {
    const gone = uniqueName('preview-gone');
    expect(
      (
        await asOperator(
          ['create', '-f', '-'],
          `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${gone}\n  labels: ${JSON.stringify(MANAGED)}\n`,
        )
      ).stderr,
    ).toBe('');
    const deleted = await asOperator(['delete', 'namespace', gone, '--wait=false']);
    expect(deleted.stderr).toBe('');
  });
});
