import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { kubectl, kubectlAsync } from '../support/kube';

jest.setTimeout(120_000);

// The chart's monitoring objects and values, rendered by helm and judged by
// the real API server (server-side dry run) against the Prometheus
// Operator's own CRDs, which test/tools/fetch-monitoring-crds.sh fetches
// through the Go module proxy (cached) and this test installs.

const ROOT = resolve(__dirname, '../..');
const CHART = join(ROOT, 'charts/understudy');
const NS = 'understudy-system';
const PROMTOOL = process.env.UNDERSTUDY_PROMTOOL_BIN ?? '/usr/bin/promtool';
const MONITORING = [
  'metrics.serviceMonitor.enabled=true',
  'metrics.podMonitor.enabled=true',
  'metrics.podMonitor.bearerTokenSecret.name=prometheus-scrape-token',
  'metrics.prometheusRule.enabled=true',
  'metrics.dashboard.enabled=true',
];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
}

function helm(args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync('helm', args, { encoding: 'utf8', env: process.env });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function template(set: string[] = [], release = 'understudy'): { code: number; stdout: string; stderr: string } {
  return helm([
    'template',
    release,
    CHART,
    '--namespace',
    NS,
    '--kube-version',
    'v1.34.4',
    ...set.flatMap((s) => ['--set', s]),
  ]);
}

function render(set: string[] = []): Manifest[] {
  const out = template(set);
  if (out.code !== 0) throw new Error(out.stderr);
  return parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

const find = (all: Manifest[], kind: string) => all.filter((m) => m.kind === kind);

describe('chart: lint and values', () => {
  it('passes helm lint, with the defaults and with every monitoring object on', () => {
    for (const set of [[], MONITORING]) {
      const lint = helm(['lint', '--strict', CHART, '--kube-version', 'v1.34.4', ...set.flatMap((s) => ['--set', s])]);
      expect(lint.stdout).toContain('0 chart(s) failed');
      expect(lint.code).toBe(0);
    }
  });

  it('refuses an invalid watch namespace, equal metrics and health ports, and a grace period not above the drain', () => {
    expect(template(['watchNamespaces[0]=Team_A']).stderr).toMatch(/watchNamespaces\/0.*does not match pattern/);
    expect(template(['metrics.port=8081']).stderr).toContain(
      'metrics.port and health.port must differ (both are 8081)',
    );
    expect(template(['gracefulShutdownSeconds=40']).code).toBe(0);
    expect(template(['gracefulShutdownSeconds=40', 'terminationGracePeriodSeconds=30']).stderr).toContain(
      'terminationGracePeriodSeconds (30) must be above gracefulShutdownSeconds (40)',
    );
    expect(template(['metrics.podMonitor.enabled=true']).stderr).toContain(
      'metrics.podMonitor.bearerTokenSecret.name is required',
    );
    expect(template(['imagePullSecrets[0].name=Not A Name']).code).not.toBe(0);
    expect(template(['unknownValue=1']).stderr).toContain('additional properties');
  });

  it('derives the grace period from the drain, passes pull secrets to seed Jobs and renders the day-two values', () => {
    const all = render([
      'gracefulShutdownSeconds=25',
      'imagePullSecrets[0].name=regcred',
      'imagePullSecrets[1].name=ghcr',
      'podAnnotations.example\\.com/a=b',
      'podLabels.team=platform',
      'priorityClassName=system-cluster-critical',
      'extraArgs[0]=--max-inline-seeds=4',
      'extraEnv[0].name=NODE_OPTIONS',
      'extraEnv[0].value=--max-old-space-size=300',
      'serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::1:role/understudy',
      'fullnameOverride=us',
    ]);
    const [deployment] = find(all, 'Deployment') as Array<
      Manifest & {
        spec: {
          template: {
            metadata: { annotations: Record<string, string>; labels: Record<string, string> };
            spec: Record<string, unknown> & {
              containers: Array<{ args: string[]; env: Array<{ name: string; value?: string }> }>;
            };
          };
        };
      }
    >;
    const pod = deployment!.spec.template;
    expect(deployment!.metadata.name).toBe('us-operator');
    expect(pod.spec.terminationGracePeriodSeconds).toBe(35);
    expect(pod.spec.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'ghcr' }]);
    expect(pod.spec.priorityClassName).toBe('system-cluster-critical');
    expect(pod.metadata.annotations).toEqual({ 'example.com/a': 'b' });
    expect(pod.metadata.labels.team).toBe('platform');
    const container = pod.spec.containers[0]!;
    expect(container.args).toEqual(
      expect.arrayContaining([
        '--graceful-shutdown-timeout=25',
        '--max-inline-seeds=4',
        '--metrics-bind-address=:8443',
        '--health-probe-bind-address=:8081',
      ]),
    );
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'UNDERSTUDY_IMAGE_PULL_SECRETS', value: 'regcred,ghcr' },
        { name: 'NODE_OPTIONS', value: '--max-old-space-size=300' },
        { name: 'UNDERSTUDY_MANAGED_NAMESPACE_ROLE', value: 'us-managed-namespace' },
      ]),
    );
    expect(find(all, 'ServiceAccount')[0]!.metadata).toMatchObject({
      annotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/understudy' },
    });
    expect(find(all, 'PodDisruptionBudget')[0]!.spec).toMatchObject({ minAvailable: 1 });
    expect(pod.spec.topologySpreadConstraints).toHaveLength(2);
    // One replica: no budget that would block every drain, no spread.
    const single = render(['replicas=1']);
    expect(find(single, 'PodDisruptionBudget')).toEqual([]);
    expect(
      (find(single, 'Deployment')[0]!.spec as { template: { spec: Record<string, unknown> } }).template.spec
        .topologySpreadConstraints,
    ).toBeUndefined();
  });

  it('renders nothing of monitoring by default, and each object when asked', () => {
    const kinds = (all: Manifest[]) =>
      all
        .map((m) => m.kind)
        .filter((k) => ['ServiceMonitor', 'PodMonitor', 'PrometheusRule'].includes(k) || k === 'ConfigMap');
    expect(kinds(render())).toEqual([]);
    expect(kinds(render(MONITORING)).sort()).toEqual(['ConfigMap', 'PodMonitor', 'PrometheusRule', 'ServiceMonitor']);
    const [serviceMonitor] = find(render(MONITORING), 'ServiceMonitor');
    expect(serviceMonitor!.spec).toMatchObject({
      endpoints: [
        {
          port: 'metrics',
          scheme: 'https',
          bearerTokenFile: '/var/run/secrets/kubernetes.io/serviceaccount/token',
          tlsConfig: { insecureSkipVerify: true },
        },
      ],
    });
  });
});

describe('chart: monitoring objects on the API server', () => {
  beforeAll(() => {
    const dir = execFileSync('bash', [join(ROOT, 'test/tools/fetch-monitoring-crds.sh')], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .at(-1)!;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')))
      kubectl(['apply', '--server-side', '--force-conflicts', '-f', join(dir, file)]);
    kubectl([
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd/servicemonitors.monitoring.coreos.com',
      'crd/podmonitors.monitoring.coreos.com',
      'crd/prometheusrules.monitoring.coreos.com',
    ]);
  });

  it('are accepted by a server-side dry run against the Prometheus Operator CRDs, with every other object of the chart', async () => {
    const objects = render(MONITORING);
    expect(objects.map((o) => o.kind)).toEqual(
      expect.arrayContaining([
        'ConfigMap',
        'Deployment',
        'PodDisruptionBudget',
        'PodMonitor',
        'PrometheusRule',
        'Service',
        'ServiceMonitor',
        'CustomResourceDefinition',
        'ValidatingAdmissionPolicy',
      ]),
    );
    const result = await kubectlAsync(
      ['apply', '--server-side', '--force-conflicts', '--dry-run=server', '--field-manager=chart-test', '-f', '-'],
      objects.map((o) => stringify(o)).join('---\n'),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'servicemonitor.monitoring.coreos.com/understudy-operator serverside-applied (server dry run)',
    );
    expect(result.stdout).toContain(
      'prometheusrule.monitoring.coreos.com/understudy serverside-applied (server dry run)',
    );
  });

  it('a field the CRD does not know is refused, so the dry run judges the objects', async () => {
    const [serviceMonitor] = find(render(MONITORING), 'ServiceMonitor');
    const broken = {
      ...serviceMonitor!,
      spec: { ...serviceMonitor!.spec, endpoints: [{ port: 'metrics', scheme: 'gopher' }] },
    };
    const result = await kubectlAsync(['apply', '--server-side', '--dry-run=server', '-f', '-'], stringify(broken));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/scheme/);
  });
});

describe('chart: Grafana dashboard', () => {
  it('is valid JSON in a ConfigMap labelled for the sidecar, and every panel query is valid PromQL', () => {
    const [configMap] = find(render(['metrics.dashboard.enabled=true']), 'ConfigMap');
    expect(configMap!.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    const dashboard = JSON.parse(configMap!.data!['understudy.json']!) as {
      uid: string;
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    expect(dashboard.uid).toBe('understudy-operator');
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    for (const metric of [
      'understudy_environments',
      'understudy_seed_rows_total',
      'understudy_parity_behaviour_value',
      'workqueue_depth',
      'rest_client_requests_total',
      'leader_election_master_status',
    ]) {
      expect(exprs.some((e) => e.includes(metric))).toBe(true);
    }
    // promtool parses every expression of a rule file: each query becomes a recording rule.
    const dir = mkdtempSync(join(tmpdir(), 'understudy-dashboard-'));
    try {
      const rules = (list: string[]) =>
        stringify({
          groups: [{ name: 'dashboard', rules: list.map((expr, i) => ({ record: `dashboard:query_${i}`, expr })) }],
        });
      writeFileSync(join(dir, 'queries.yaml'), rules(exprs));
      const ok = spawnSync(PROMTOOL, ['check', 'rules', 'queries.yaml'], { cwd: dir, encoding: 'utf8' });
      expect(ok.stdout).toContain(`SUCCESS: ${exprs.length} rules found`);
      writeFileSync(join(dir, 'broken.yaml'), rules([...exprs, 'sum by (le (rate(x[5m]))']));
      expect(spawnSync(PROMTOOL, ['check', 'rules', 'broken.yaml'], { cwd: dir, encoding: 'utf8' }).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The file in the chart is the one rendered.
    expect(JSON.parse(readFileSync(join(CHART, 'dashboards/understudy.json'), 'utf8'))).toEqual(dashboard);
  });
});
