import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_HEALTH_ADDRESS } from '../../operator/commands/operator';
import { grantSecretRead } from '../setup/operator-identity';
import { createDatabase } from '../setup/postgres';
import { commandWords, type DocBlock, testedBlocks } from '../support/doc-blocks';
import { eventually, kubectl, kubectlAsync } from '../support/kube';
import { type OperatorProcess, describeProcess, spawnOperator } from '../support/operator-process';
import { abandonEnvironments } from './stagingenvironment-fixtures';

jest.setTimeout(240_000);

// docs/getting-started.md as a newcomer follows it: every block marked
// `<!-- test: local -->` runs in order, as written, with the test cluster's
// admin kubeconfig; where the doc says to run the operator, the test starts
// that command itself with the chart's ServiceAccount as its kubeconfig (the
// only substitution), with the rights the doc's `helm install` gives it
// (rbac.secretNamespaces={podinfo}). DATABASE_URL, which the doc asks the
// reader to set, names a fresh database of the test PostgreSQL.

const REPO = resolve(__dirname, '../..');
const DOC = join(REPO, 'docs/getting-started.md');
/** The names the doc uses; a leftover of an interrupted run is removed first. */
const PRODUCTION = 'podinfo';
const PREVIEWS = 'podinfo-dev';
const PREVIEW_TARGET = 'preview-podinfo-dev-pr-1';

const blocks = testedBlocks(readFileSync(DOC, 'utf8'));
let shell: NodeJS.ProcessEnv;
let operator: OperatorProcess | undefined;
const outputs = new Map<number, string>();
let failedAt: number | undefined;

function namespaceExists(name: string): boolean {
  return spawnSync('kubectl', ['get', 'namespace', name], { env: process.env, stdio: 'ignore' }).status === 0;
}

async function removeLeftovers(): Promise<void> {
  if (namespaceExists(PREVIEWS)) await abandonEnvironments(PREVIEWS);
  await kubectlAsync(['delete', 'baseline', PRODUCTION, '--ignore-not-found']);
  await kubectlAsync([
    'delete',
    'namespace',
    PREVIEWS,
    PRODUCTION,
    PREVIEW_TARGET,
    'preview-podinfo-dev-pr-2',
    '--ignore-not-found',
    '--timeout=120s',
  ]);
}

/** `understudy` on the PATH as `npm link` would put it: the compiled CLI of this checkout. */
function cliShim(): string {
  const dir = mkdtempSync(join(tmpdir(), 'understudy-cli-'));
  const shim = join(dir, 'understudy');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'bin/understudy.js')}" "$@"\n`);
  chmodSync(shim, 0o755);
  return dir;
}

function runLocal(block: DocBlock): string {
  const result = spawnSync('bash', ['-e', '-c', block.script], {
    cwd: REPO,
    env: shell,
    encoding: 'utf8',
    timeout: 230_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  if (result.status !== 0)
    throw new Error(
      `docs/getting-started.md line ${block.line} exited ${result.status ?? result.signal}:\n${block.script}\n--- output ---\n${output}`,
    );
  return output;
}

async function startOperator(block: DocBlock): Promise<void> {
  const words = commandWords(block.script);
  expect(words.slice(0, 2)).toEqual(['understudy', 'operator']);
  const kubeconfig = process.env.UNDERSTUDY_OPERATOR_KUBECONFIG;
  if (!kubeconfig) throw new Error('UNDERSTUDY_OPERATOR_KUBECONFIG is not set (jest global setup)');
  operator = spawnOperator('getting-started', [...words.slice(2), `--kubeconfig=${kubeconfig}`], {
    POD_NAMESPACE: process.env.UNDERSTUDY_OPERATOR_NAMESPACE,
  });
  const operatorProcess = operator;
  await eventually(
    async () => {
      if (operatorProcess.child.exitCode !== null)
        throw new Error(`the operator exited: ${describeProcess(operatorProcess)}`);
      return fetch(`http://${DEFAULT_HEALTH_ADDRESS}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    },
    {
      timeoutMs: 60_000,
      what: `the operator ready on ${DEFAULT_HEALTH_ADDRESS} (is another process using that port?)`,
    },
  );
}

beforeAll(async () => {
  await removeLeftovers();
  const pgUrl = process.env.UNDERSTUDY_TEST_PG_URL;
  if (!pgUrl) throw new Error('UNDERSTUDY_TEST_PG_URL is not set (jest global setup)');
  shell = {
    ...process.env,
    PATH: `${cliShim()}:${process.env.PATH ?? ''}`,
    DATABASE_URL: await createDatabase(pgUrl, 'getting_started'),
  };
});

afterAll(async () => {
  // A failed run: the operator still runs, so finalizers can complete; then it goes.
  if (namespaceExists(PREVIEWS)) await removeLeftovers();
  operator?.kill();
  await operator?.exited;
});

describe('docs/getting-started.md', () => {
  it('marks the blocks a newcomer runs: the CRDs, the operator, then the rest', () => {
    expect(blocks.map((b) => b.kind)).toEqual(['local', 'operator', ...Array<string>(blocks.length - 2).fill('local')]);
    expect(blocks.length).toBeGreaterThanOrEqual(9);
  });

  it.each(blocks.map((b, i) => [b.line, i] as const))('the block at line %i runs as written', async (_line, index) => {
    if (failedAt !== undefined) throw new Error(`skipped: the block at line ${blocks[failedAt]!.line} failed`);
    const block = blocks[index]!;
    try {
      if (block.kind === 'operator') await startOperator(block);
      else outputs.set(index, runLocal(block));
      // The chart as the doc installs it (rbac.secretNamespaces={podinfo}) lets the operator read production's Secrets.
      if (/^kubectl create namespace podinfo$/m.test(block.script)) await grantSecretRead(PRODUCTION);
    } catch (err) {
      failedAt = index;
      throw err;
    }
  });

  const outputOf = (pattern: RegExp): string => {
    const index = blocks.findIndex((b) => pattern.test(b.script));
    if (index < 0) throw new Error(`no tested block matches ${String(pattern)}`);
    return outputs.get(index) ?? '';
  };

  it('made a preview that became Ready in the namespace the Baseline derives, with the override', () => {
    const waited = outputOf(/understudy dev wait pr-1/);
    expect(waited).toContain(`environment ${PREVIEWS}/pr-1 is Ready in namespace ${PREVIEW_TARGET}`);
    expect(waited).toContain('ghcr.io/stefanprodan/podinfo:6.7.2');
    expect(outputOf(/understudy dev up pr-2/)).toContain(
      `environment ${PREVIEWS}/pr-2 is Ready in namespace preview-podinfo-dev-pr-2`,
    );
  });

  it('seeded the database through the environment and ran the parity check', async () => {
    expect(outputOf(/dataSeeds:/)).toMatch(/greetings\s+.*True/);
    const client = new Client({ connectionString: shell.DATABASE_URL });
    await client.connect();
    try {
      expect((await client.query<{ message: string }>('SELECT message FROM greetings')).rows).toEqual([
        { message: 'hello from the preview' },
      ]);
    } finally {
      await client.end();
    }
    const parity = outputOf(/paritycheck\/pr-1/);
    expect(parity).toContain('paritycheck.understudy.dev/pr-1 condition met');
    expect(parity).toMatch(/^pr-1\s+podinfo\s+True\s+InParity\s+99\s+4\s/m);
    expect(parity).toContain(
      'info expected=true Deployment/podinfo spec.template.spec.containers[podinfo].image: image overridden to ghcr.io/stefanprodan/podinfo:6.7.2',
    );
    expect(parity).toContain(
      'info expected=false ConfigMap/greetings-sql : ConfigMap greetings-sql exists only in staging',
    );
  });

  it('cleaned up: the previews and their namespaces, the Baseline and both namespaces are gone', () => {
    expect(outputOf(/kubectl delete stagingenvironment pr-1/)).toContain(
      'stagingenvironment.understudy.dev "pr-1" deleted',
    );
    for (const ns of [PREVIEW_TARGET, 'preview-podinfo-dev-pr-2', PREVIEWS, PRODUCTION])
      expect(namespaceExists(ns)).toBe(false);
    expect(kubectl(['get', 'baselines', '-o', 'name'])).not.toContain(`baseline.understudy.dev/${PRODUCTION}\n`);
  });
});

// The Helm install cannot run here (the test cluster already holds the chart's
// objects, installed without a release): the doc's command is rendered
// instead, and what the doc names must be what the chart makes.
describe('docs/getting-started.md, the Helm path', () => {
  const doc = readFileSync(DOC, 'utf8');
  const helmBlock = /```sh\n(helm install [\s\S]*?)\n```/.exec(doc)?.[1] ?? '';

  it('renders the chart with the values the doc sets, with the objects it names', () => {
    const sets = [...helmBlock.matchAll(/--set '([^']+)'/g)].map((m) => m[1]!);
    expect(sets).toEqual(['rbac.secretNamespaces={podinfo}']);
    const args = [
      'template',
      'understudy',
      join(REPO, 'charts/understudy'),
      '--namespace',
      'understudy-system',
      '--kube-version',
      'v1.34.4',
      ...sets.flatMap((v) => ['--set', v]),
    ];
    const rendered = parseAllDocuments(execFileSync('helm', args, { encoding: 'utf8' })).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } } | null,
    );
    const has = (kind: string, name: string, namespace?: string): boolean =>
      rendered.some(
        (o) =>
          o?.kind === kind &&
          o.metadata.name === name &&
          (namespace === undefined || o.metadata.namespace === namespace),
      );
    const deployment = /rollout status deployment\/(\S+)/.exec(helmBlock)?.[1] ?? '';
    expect(has('Deployment', deployment, 'understudy-system')).toBe(true);
    expect(has('RoleBinding', 'understudy-secret-reader', 'podinfo')).toBe(true);
    for (const role of ['understudy-metrics-reader', 'understudy-edit', 'understudy-view']) {
      expect(doc).toContain(`\`${role}\``);
      expect(has('ClusterRole', role)).toBe(true);
    }
  });
});
