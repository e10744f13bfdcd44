import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { parse as parseYaml, stringify } from 'yaml';
import { runParityCommand } from '../../operator/commands/parity';
import { formatReport } from '../../operator/parity/report';
import { shopService } from '../../operator/parity/testing/shop-fixture';
import { KubeClient } from '../../operator/runtime/kube-client';
import { createDatabase } from '../setup/postgres';
import { startPrometheus, type PrometheusServer } from '../setup/prometheus';
import { adminKubeConfig, createNamespace, deleteNamespace } from '../support/kube';

jest.setTimeout(180_000);

// `understudy parity` end to end: the spec from a ParityCheck manifest,
// the staging connection URL from a Secret and production's from a flag (the
// CLI runs with the user's own credentials and reads no Baseline), the
// StagingEnvironment read from the API, against a real control plane,
// PostgreSQL and Prometheus.
describe('understudy parity against real sources', () => {
  const client = new KubeClient(adminKubeConfig(), { fieldManager: 'parity-cli-test' });
  const run = randomBytes(3).toString('hex');
  const namespaces: string[] = [];
  let production: string;
  let staging: string;
  let checks: string;
  let productionDb: string;
  let prometheus: PrometheusServer;
  const image = 'registry.example.com/shop/checkout:pr-7';

  async function database(name: string, rows: number): Promise<string> {
    const url = await createDatabase(process.env.UNDERSTUDY_TEST_PG_URL!, `${name}_${run}`);
    const pg = new Client({ connectionString: url });
    await pg.connect();
    await pg.query(
      'create table orders (id bigint primary key, status text not null); create index orders_status_idx on orders (status)',
    );
    await pg.query(`insert into orders select g, 'paid' from generate_series(1, ${rows}) g`);
    await pg.query('analyze');
    await pg.end();
    return url;
  }

  beforeAll(async () => {
    [production, staging, checks] = [
      createNamespace('pcli-prod'),
      createNamespace('pcli-pr'),
      createNamespace('pcli-checks'),
    ];
    namespaces.push(production, staging, checks);
    const apply = (objects: unknown[]) => Promise.all(objects.map((o) => client.apply(o as never)));
    await apply(['catalog', 'checkout'].flatMap((name) => shopService(name, { namespace: production })));
    await apply(
      ['catalog', 'checkout'].flatMap((name) =>
        shopService(name, {
          namespace: staging,
          ...(name === 'checkout' ? { image } : {}),
          ...(name === 'catalog'
            ? { env: { LOG_LEVEL: 'trace', CATALOG_URL: `http://catalog.${staging}.svc:8080` } }
            : {}),
        }),
      ),
    );
    let stagingDb: string;
    [productionDb, stagingDb] = await Promise.all([database('pcli_prod', 1000), database('pcli_pr', 1000)]);
    await apply([
      {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db-pr', namespace: checks },
        stringData: { url: stagingDb },
      },
      {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'StagingEnvironment',
        metadata: { name: 'pr-7', namespace: checks },
        // No operator runs here: only its declared overrides are read.
        spec: {
          baselineRef: { name: 'pcli-unused' },
          secrets: { policy: 'Generate' },
          services: [{ name: 'checkout', image }],
        },
      },
      {
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'StagingEnvironment',
        metadata: { name: 'pr-8', namespace: checks },
        spec: {
          baselineRef: { name: 'pcli-unused' },
          secrets: { policy: 'Generate' },
          services: [{ name: 'checkout', image: 'registry.example.com/shop/checkout:pr-8' }],
        },
      },
    ]);
    // As the operator would report them: pr-7 made the staging namespace, pr-8 another one.
    const ref = (name: string) => ({
      apiVersion: 'understudy.dev/v1alpha1',
      kind: 'StagingEnvironment',
      namespace: checks,
      name,
    });
    await client.patchStatus(ref('pr-7'), { status: { namespace: staging } });
    await client.patchStatus(ref('pr-8'), { status: { namespace: `${staging}-8` } });
    prometheus = await startPrometheus({
      series: [production, staging].map((namespace) => ({
        name: 'p95',
        labels: { namespace, service: 'checkout' },
        value: (_t: number, i: number) => 0.1 + 0.002 * (i % 3),
      })),
    });
  });

  afterAll(async () => {
    await prometheus?.stop();
    namespaces.forEach(deleteNamespace);
  });

  function manifest(dbSecret = 'db-pr'): string {
    const dir = mkdtempSync(join(tmpdir(), 'parity-cli-'));
    const file = join(dir, 'check.yaml');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'understudy.dev/v1alpha1',
        kind: 'ParityCheck',
        metadata: { name: 'pr-7', namespace: checks },
        spec: {
          baselineRef: { name: 'shop' },
          staging: { environmentRef: { name: 'pr-7' } },
          categories: {
            configuration: { kinds: ['Deployment', 'Service', 'ConfigMap', 'Secret'] },
            schema: {
              staging: { connectionSecretRef: { name: dbSecret, key: 'url' } },
              production: { database: 'shop' },
            },
            data: {},
            behaviour: {
              queries: [
                {
                  name: 'p95',
                  query: 'max(p95{namespace="{{namespace}}",service="{{service}}"})',
                  services: ['checkout'],
                },
              ],
            },
          },
        },
      }),
    );
    return file;
  }

  const kubeconfig = () => process.env.KUBECONFIG!;
  const flags = () => ({
    staging,
    production,
    kubeconfig: kubeconfig(),
    postgresProduction: productionDb,
    prometheus: prometheus.url,
  });

  it('fails the gate on the undeclared env change and reports the declared image override as expected', async () => {
    const { result, exitCode } = await runParityCommand({ ...flags(), spec: manifest() });
    expect(exitCode).toBe(1);
    const unexpected = result.findings
      .filter((f) => !f.expected && f.severity !== 'info')
      .map((f) => [f.resource, f.path]);
    expect(unexpected).toEqual([['Deployment/catalog', 'spec.template.spec.containers[app].env[LOG_LEVEL]']]);
    expect(result.findings).toContainEqual(
      expect.objectContaining({
        resource: 'Deployment/checkout',
        path: 'spec.template.spec.containers[app].image',
        expected: true,
        message: expect.stringContaining(`${checks}/pr-7`),
      }),
    );
    expect(result.inconclusive).toEqual([]);
    const table = formatReport(result);
    expect(table).toMatch(/^Verdict: Drifted/);
    expect(table).toMatch(/Expected differences[\s\S]*checkout:pr-7/);
  });

  it('passes the gate when the only unexpected differences are below --fail-on', async () => {
    const { exitCode, result } = await runParityCommand({ ...flags(), spec: manifest(), failOn: 'critical' });
    expect(result.status.summary?.critical).toBe(0);
    expect(exitCode).toBe(0);
  });

  it('exits 2 and names the field when a Secret the spec refers to is missing', async () => {
    // With --fail-on critical nothing else fails the gate, so the missing source decides the exit code.
    const { exitCode, result } = await runParityCommand({
      ...flags(),
      spec: manifest('db-missing'),
      failOn: 'critical',
    });
    expect(exitCode).toBe(2);
    expect(result.status.conditions?.find((c) => c.type === 'Stalled')?.message).toContain(
      `spec.categories.schema.staging.connectionSecretRef: Secret ${checks}/db-missing not found`,
    );
  });

  it('exits 2 on a production namespace that does not exist, never "No differences found"', async () => {
    const typo = `${production}-prdo`;
    await expect(runParityCommand({ staging, production: typo, kubeconfig: kubeconfig() })).rejects.toThrow(
      `--production ${typo}: namespace does not exist`,
    );
    await expect(runParityCommand({ staging: `${staging}-x`, production, kubeconfig: kubeconfig() })).rejects.toThrow(
      /--staging .*: namespace does not exist/,
    );
    // As a CI job runs it: the exit code and the output.
    const argv = [
      'node',
      'understudy',
      'parity',
      '--staging',
      staging,
      '--production',
      typo,
      '--kubeconfig',
      kubeconfig(),
    ];
    const program = `require(${JSON.stringify(resolve(__dirname, '../../operator/cli.ts'))}).main(${JSON.stringify(argv)})`;
    const cli = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      execFile(resolve(__dirname, '../../node_modules/.bin/tsx'), ['-e', program], (error, stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(cli).toMatchObject({ code: 2, stderr: expect.stringContaining('namespace does not exist') });
    expect(cli.stdout).not.toContain('No differences found');
  });

  it("exits 2 when --environment did not make --staging: its overrides would excuse another namespace's drift", async () => {
    await expect(runParityCommand({ ...flags(), spec: manifest(), environment: `${checks}/pr-8` })).rejects.toThrow(
      `--environment ${checks}/pr-8: the StagingEnvironment's target namespace is ${staging}-8, not --staging ${staging}`,
    );
    const argv = [
      'node',
      'understudy',
      'parity',
      '--staging',
      staging,
      '--production',
      production,
      '--kubeconfig',
      kubeconfig(),
      '--environment',
      `${checks}/pr-8`,
      '--no-config',
    ];
    const program = `require(${JSON.stringify(resolve(__dirname, '../../operator/cli.ts'))}).main(${JSON.stringify(argv)})`;
    const cli = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(resolve(__dirname, '../../node_modules/.bin/tsx'), ['-e', program], (error, _stdout, stderr) =>
        done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stderr }),
      );
    });
    expect(cli).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(`target namespace is ${staging}-8, not --staging ${staging}`),
    });
    // The environment that made staging is accepted.
    expect((await runParityCommand({ ...flags(), spec: manifest(), environment: `${checks}/pr-7` })).exitCode).toBe(1);
  });

  it('wraps a long path in the table and shows it whole with --output wide', async () => {
    const { result } = await runParityCommand({ ...flags(), spec: manifest() });
    const path = 'spec.template.spec.containers[app].env[LOG_LEVEL]';
    expect(formatReport(result)).not.toContain('…');
    expect(
      formatReport(result, { wide: true })
        .split('\n')
        .some((l) => l.includes('Deployment/catalog') && l.includes(path)),
    ).toBe(true);
  });

  /** The installed command (bin/understudy.js over dist/, as `npm run build` leaves it). */
  const installed = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        'node',
        [resolve(__dirname, '../../bin/understudy.js'), ...args],
        { env: process.env },
        (error, stdout, stderr) =>
          done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  it('exits 2 on a usage error, naming the bad value, so a typo never reads as drift (1) in the CI gate', async () => {
    const typo = await installed(['parity', '--staging', staging, '--production', production, '--fail-on', 'critcal']);
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toMatch(
      /option '--fail-on <severity>' argument 'critcal' is invalid\. Allowed choices are info, warning, critical\./,
    );
    expect(await installed(['parity', '--staging', staging])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("required option '--production <namespace>' not specified"),
    });
    expect(
      await installed(['parity', '--staging', staging, '--production', production, '--context', 'nope']),
    ).toMatchObject({ code: 2, stderr: expect.stringContaining('--context nope: no such context in the kubeconfig') });
  });

  it('prints the same result as YAML with -o yaml, and exits 1 on the drift it found', async () => {
    const run = await installed([
      'parity',
      '--staging',
      staging,
      '--production',
      production,
      '--spec',
      manifest(),
      '--postgres-production',
      productionDb,
      '--prometheus',
      prometheus.url,
      '-o',
      'yaml',
    ]);
    expect(run.code).toBe(1);
    const parsed = parseYaml(run.stdout) as { status: { summary: { verdict: string } }; findings: unknown[] };
    expect(parsed.status.summary.verdict).toBe('Drifted');
    expect(parsed.findings.length).toBeGreaterThan(0);
  });

  it('exits 2, never 0, when nothing is compared, production is compared with itself, or everything is ignored', async () => {
    const specFile = (spec: unknown) => {
      const file = join(mkdtempSync(join(tmpdir(), 'parity-cli-')), 'check.yaml');
      writeFileSync(file, stringify({ apiVersion: 'understudy.dev/v1alpha1', kind: 'ParityCheck', spec }));
      return file;
    };
    const parity = (...args: string[]) => installed(['parity', '--kubeconfig', kubeconfig(), ...args]);

    const itself = await parity('--staging', production, '--production', production);
    expect(itself).toMatchObject({ code: 2, stderr: expect.stringContaining('are both namespace') });

    const typo = specFile({ categories: { configuration: { selector: { matchLabels: { app: 'chekout' } } } } });
    const nothing = await parity('--staging', staging, '--production', production, '--spec', typo);
    expect(nothing.code).toBe(2);
    expect(nothing.stdout).toMatch(/^Verdict: Inconclusive/);
    expect(nothing.stdout).toContain('nothing was compared');
    expect(nothing.stdout).not.toContain('No differences found');

    const everything = specFile({ ignore: [{ path: '**', reason: 'noise' }] });
    const ignored = await parity('--staging', staging, '--production', production, '--spec', everything);
    expect(ignored.code).toBe(2);
    expect(ignored.stdout).toContain('spec.ignore[0]');

    const sameDb = await parity(
      '--staging',
      staging,
      '--production',
      production,
      '--no-config',
      '--postgres-staging',
      productionDb,
      '--postgres-production',
      productionDb,
    );
    expect(sameDb.code).toBe(2);
    expect(sameDb.stdout).toContain('the staging and production databases are the same database');
  });
});
