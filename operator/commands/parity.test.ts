import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { behaviourQueries } from '../parity/behaviour/defaults';
import { formatReport, exitCodeOf } from '../parity/report';
import { needsObjects } from '../parity/sources/build';
import { checkEnvironmentTarget, register, runParityCommand, specFromOptions } from './parity';

describe('understudy parity options', () => {
  it('builds a spec from flags', () => {
    const spec = specFromOptions({
      staging: 'shop-pr-1',
      production: 'shop',
      postgresStaging: 'postgresql://a/b',
      postgresProduction: 'postgresql://c/d',
      prometheus: 'http://127.0.0.1:9090',
      query: ['p95=p95{namespace="{{namespace}}"}'],
      failOn: 'critical',
      config: false,
    });
    expect(spec.categories.configuration?.enabled).toBe(false);
    expect(spec.categories.schema?.schemas).toEqual(['public']);
    expect(spec.categories.behaviour?.queries[0]).toMatchObject({ name: 'p95', minSamples: 10 });
    expect(spec.failOn).toBe('critical');
  });

  it('takes ignore rules, tolerances and queries from a ParityCheck manifest, flags overriding', () => {
    const spec = specFromOptions({
      staging: 'shop-pr-9',
      production: 'shop',
      spec: resolve(__dirname, '../../examples/parity/shop-preview-paritycheck.yaml'),
      failOn: 'critical',
    });
    expect(spec.staging).toMatchObject({ namespace: 'shop-pr-9', environmentRef: { name: 'pr-1234' } });
    expect(spec.production).toEqual({ namespace: 'shop' });
    expect(spec).not.toHaveProperty('baselineRef');
    expect(spec.categories.schema?.production).toEqual({ database: 'shop' });
    expect(spec.ignore.length).toBe(2);
    expect(spec.categories.behaviour?.queries.map((q) => q.name)).toEqual(['p95-latency', 'error-rate']);
    expect(spec.failOn).toBe('critical');
    expect(spec.interval).toBe('30m');
  });

  it('runs the default query set when given a Prometheus and no query, per --service or per workload', () => {
    const defaults = specFromOptions({ staging: 'a', production: 'b', prometheus: 'http://p', config: false });
    expect(behaviourQueries(defaults.categories.behaviour!).map((q) => q.name)).toEqual([
      'latency-p50',
      'latency-p95',
      'latency-p99',
      'error-rate',
      'cpu-utilisation',
      'memory-utilisation',
    ]);
    expect(needsObjects(defaults)).toBe(true); // the services are the workloads found on both sides
    const listed = specFromOptions({
      staging: 'a',
      production: 'b',
      prometheus: 'http://p',
      config: false,
      service: ['checkout'],
    });
    expect(behaviourQueries(listed.categories.behaviour!).every((q) => q.services?.join() === 'checkout')).toBe(true);
    expect(needsObjects(listed)).toBe(false);
    const own = specFromOptions({
      staging: 'a',
      production: 'b',
      prometheus: 'http://p',
      query: ['p95=x{namespace="{{namespace}}"}'],
    });
    expect(behaviourQueries(own.categories.behaviour!).map((q) => q.name)).toEqual(['p95']);
    const both = specFromOptions({
      staging: 'a',
      production: 'b',
      prometheus: 'http://p',
      query: ['latency-p95=x{namespace="{{namespace}}"}'],
      defaultQueries: true,
    });
    expect(behaviourQueries(both.categories.behaviour!).map((q) => q.name)).toEqual([
      'latency-p50',
      'latency-p99',
      'error-rate',
      'cpu-utilisation',
      'memory-utilisation',
      'latency-p95',
    ]);
  });

  it('names the flag that is wrong', () => {
    expect(() => specFromOptions({ staging: 'a', production: 'b', postgresStaging: 'postgresql://x' })).toThrow(
      /--postgres-production/,
    );
    expect(() =>
      specFromOptions({ staging: 'a', production: 'b', prometheus: 'http://p', defaultQueries: false }),
    ).toThrow(/--no-default-queries needs at least one --query/);
    expect(() => specFromOptions({ staging: 'a', production: 'b', service: ['checkout'] })).toThrow(
      /--service needs --prometheus/,
    );
    expect(() =>
      specFromOptions({ staging: 'a', production: 'b', prometheus: 'http://p', query: ['nonsense'] }),
    ).toThrow(/name=PromQL/);
    expect(() =>
      specFromOptions({ staging: 'a', production: 'b', query: ['p95=x{namespace="{{namespace}}"}'] }),
    ).toThrow(/--prometheus/);
    expect(() => specFromOptions({ staging: 'A', production: 'b' })).toThrow(/spec\.staging\.namespace/);
  });

  it('registers the command with its flags', () => {
    const program = new Command();
    register(program);
    const command = program.commands.find((c) => c.name() === 'parity')!;
    expect(command.options.map((o) => o.long)).toEqual(
      expect.arrayContaining([
        '--staging',
        '--production',
        '--postgres-staging',
        '--prometheus',
        '--environment',
        '--output',
      ]),
    );
    expect(command.description()).toMatch(/0 in parity, 1 unexpected drift/);
  });
});

describe('report', () => {
  const status = (verdict: 'InParity' | 'Drifted' | 'Inconclusive', stalled = false) => ({
    summary: {
      verdict,
      score: 90,
      critical: 0,
      warning: 2,
      info: 0,
      expected: 1,
      ignored: 0,
      inconclusive: 0,
      total: 3,
    },
    conditions: stalled
      ? [
          {
            type: 'Stalled',
            status: 'True' as const,
            reason: 'SourceUnavailable',
            message: 'schema: cannot connect',
            lastTransitionTime: '',
          },
        ]
      : [],
  });
  it('maps verdicts to exit codes', () => {
    expect(exitCodeOf({ status: status('InParity') })).toBe(0);
    expect(exitCodeOf({ status: status('Drifted') })).toBe(1);
    expect(exitCodeOf({ status: status('Inconclusive') })).toBe(2);
    expect(exitCodeOf({ status: status('InParity', true) })).toBe(2);
  });
  it('prints findings, expected differences and problems', () => {
    const text = formatReport({
      status: status('Drifted', true),
      findings: [
        {
          id: '1',
          category: 'configuration',
          resource: 'Deployment/checkout',
          path: 'spec.replicas',
          staging: '1',
          production: '4',
          expected: false,
          severity: 'warning',
          message: 'ratio off',
          firstSeen: '',
        },
        {
          id: '2',
          category: 'configuration',
          resource: 'Deployment/cart',
          path: 'image',
          staging: 'a',
          production: 'b',
          expected: true,
          severity: 'info',
          message: 'overridden',
          firstSeen: '',
        },
      ],
      inconclusive: [{ category: 'behaviour', resource: 'Query/p95', path: 'median', reason: 'no data in staging' }],
    });
    expect(text).toMatch(/^Verdict: Drifted/);
    expect(text).toMatch(/Unexpected differences:[\s\S]*Deployment\/checkout[\s\S]*ratio off/);
    expect(text).toMatch(/Expected differences[\s\S]*Deployment\/cart/);
    expect(text).toMatch(/Inconclusive:\n {2}behaviour Query\/p95: no data in staging/);
    expect(text).toMatch(/Could not check:\n {2}schema: cannot connect/);
  });

  it('does not say "No differences found" of a parity reached by ignoring differences', () => {
    const quiet = {
      ...status('InParity'),
      summary: { ...status('InParity').summary, warning: 0, expected: 0, total: 0 },
    };
    expect(formatReport({ status: quiet, findings: [], inconclusive: [] })).toContain('No differences found.');
    const ignored = { ...quiet, summary: { ...quiet.summary, ignored: 3 } };
    const text = formatReport({ status: ignored, findings: [], inconclusive: [] });
    expect(text).not.toContain('No differences found.');
    expect(text).toContain('apart from 3 ignored');
  });

  const long = {
    id: '3',
    category: 'configuration' as const,
    resource: 'Deployment/checkout-payments-gateway-v2',
    path: 'spec.template.spec.containers[payments-gateway].env[PAYMENTS_PROVIDER_ENDPOINT_URL]',
    staging: 'registry.example.com/shop/payments-gateway:pr-1234-abcdef',
    production: 'registry.example.com/shop/payments-gateway:v2.31.7',
    expected: false,
    severity: 'warning' as const,
    message: 'image differs',
    firstSeen: '',
  };
  const strip = (t: string) => t.replace(/\s+/g, '');

  it('wraps long paths and values instead of cutting them', () => {
    const text = formatReport({ status: status('Drifted'), findings: [long], inconclusive: [] });
    expect(text).not.toContain('…');
    const table = text
      .split('Unexpected differences:\n')[1]!
      .split('\n')
      .filter((l) => l !== '' && l.trim() !== long.message && !l.startsWith('SEVERITY'));
    // Each column's pieces, read top to bottom, give the whole value back.
    const column = (from: number, width: number) => strip(table.map((l) => l.slice(from, from + width)).join(''));
    expect(column(58, 48)).toBe(strip(long.path));
    expect(column(107, 24)).toBe(strip(long.staging));
    expect(column(132, 200)).toBe(strip(long.production));
    expect(Math.max(...table.map((l) => l.length))).toBeLessThanOrEqual(132 + 24);
  });

  it('shows every value on one line with --output wide', () => {
    const text = formatReport({ status: status('Drifted'), findings: [long], inconclusive: [] }, { wide: true });
    const line = text.split('\n').find((l) => l.startsWith('warning'))!;
    for (const value of [long.resource, long.path, long.staging, long.production, long.message])
      expect(line).toContain(value);
  });
});

describe('--environment against --staging', () => {
  const key = { namespace: 'team-a', name: 'pr-7', field: '--environment' };
  it('accepts the environment that made the staging namespace', () => {
    expect(() =>
      checkEnvironmentTarget({ status: { namespace: 'shop-team-a-pr-7' } }, key, 'shop-team-a-pr-7'),
    ).not.toThrow();
  });
  it('refuses another environment, naming both namespaces', () => {
    expect(() =>
      checkEnvironmentTarget({ status: { namespace: 'shop-team-a-pr-8' } }, key, 'shop-team-a-pr-7'),
    ).toThrow(/--environment team-a\/pr-7: .*target namespace is shop-team-a-pr-8, not --staging shop-team-a-pr-7/);
  });
  it('refuses an environment without a target namespace yet', () => {
    expect(() => checkEnvironmentTarget({ spec: {} }, key, 'shop-team-a-pr-7')).toThrow(/status\.namespace is empty/);
  });
});

describe('production compared with itself', () => {
  // Two contexts on one server, one on another; nothing listens: the refusal comes before any request.
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'parity-self-')), 'config');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
  - { name: a, cluster: { server: 'https://127.0.0.1:1' } }
  - { name: b, cluster: { server: 'https://127.0.0.2:1' } }
users: [{ name: u, user: { token: t } }]
contexts:
  - { name: a, context: { cluster: a, user: u } }
  - { name: a-again, context: { cluster: a, user: u } }
  - { name: b, context: { cluster: b, user: u } }
current-context: a
`,
  );

  it.each([[{}], [{ productionContext: 'a-again' }]])(
    'refuses one namespace of one cluster on both sides (%j) before reading anything',
    async (production) => {
      await expect(
        runParityCommand({ staging: 'shop', production: 'shop', kubeconfig, ...production }),
      ).rejects.toThrow(/--staging and --production are both namespace shop of one cluster/);
    },
  );

  it('lets one namespace name in two clusters through to the comparison', async () => {
    await expect(
      runParityCommand({ staging: 'shop', production: 'shop', kubeconfig, productionContext: 'b' }),
    ).rejects.toThrow(/^(?!.*both namespace)/);
  });
});
