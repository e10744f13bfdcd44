import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { syntheticBaseline } from '../../bench/environment-baseline';
import type { Manager } from '../../operator/runtime/manager';
import { grantSecretRead } from '../setup/operator-identity';
import { createNamespace } from '../support/kube';
import {
  applyBaseline,
  applyObjects,
  deleteBaseline,
  getEnvironment,
  getObject,
  namespaceExists,
  startPreviews,
  stopPreviews,
} from './stagingenvironment-fixtures';

jest.setTimeout(300_000);

// The GitHub Actions example runs as written: every `run:` step of its jobs,
// in order, with bash as GitHub runs it, against the local control plane and
// the operator. Only what GitHub provides is substituted: the `${{ }}`
// expressions (the pull request's number and head commit, the workspace), the
// credentials (the kubeconfig step trades the runner's OIDC token for one;
// here KUBECONFIG is the test cluster's), the runner's docker (a shim that
// records what would be built and pushed), the CLI image (this repository's
// build of the same CLI) and the cluster's settings of the workflow's env
// (the previews namespace, the Baseline and production's namespace).

const root = resolve(__dirname, '../..');
type Step = { name?: string; id?: string; run?: string; uses?: string; env?: Record<string, string> };
type Job = { steps: Step[] };
const workflow = parse(readFileSync(join(root, 'examples/pr-preview/github-actions.yaml'), 'utf8')) as {
  env: Record<string, string>;
  jobs: Record<string, Job>;
};

const id = randomBytes(3).toString('hex');
const PR = String(4000 + (parseInt(id, 16) % 1000));
const HEAD_SHA = randomBytes(20).toString('hex');
let production: string;
let previews: string | undefined;
let manager: Manager | undefined;
const baseline = `wf-${id}`;
let workspace: string;
let dockerLog: string;
let githubEnv: string;

/** The workflow's env with GitHub's expressions and the cluster's settings substituted; fails on any expression it does not know. */
function jobEnvironment(): Record<string, string> {
  const github: Record<string, string> = {
    'github.event.pull_request.number': PR,
    'github.event.pull_request.head.sha': HEAD_SHA,
    'github.workspace': workspace,
  };
  const env = Object.fromEntries(
    Object.entries(workflow.env).map(([key, value]) => [
      key,
      value.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expression: string) => {
        const known = github[expression];
        if (known === undefined) throw new Error(`env.${key}: the test does not provide \${{ ${expression} }}`);
        return known;
      }),
    ]),
  );
  // The image runs this CLI; the test runs the same build directly.
  expect(env.UNDERSTUDY).toMatch(/^docker run .* ghcr\.io\/example\/understudy:\d+\.\d+\.\d+$/);
  return {
    ...env,
    UNDERSTUDY: `node ${join(root, 'bin/understudy.js')}`,
    PREVIEWS_NAMESPACE: previews!,
    BASELINE: baseline,
    PRODUCTION_NAMESPACE: production,
  };
}

/** bash as the runner starts it; asynchronous, because the operator under test runs in this process. */
function bash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 240_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** Runs one job's `run:` steps in order, as the runner does (bash -eo pipefail, GITHUB_ENV read after each step). */
async function runJob(name: string): Promise<Array<{ step: string; code: number | null; output: string }>> {
  const job = workflow.jobs[name]!;
  const shims = join(workspace, '.shims');
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    ...jobEnvironment(),
    PATH: `${shims}:${process.env.PATH}`,
    GITHUB_ENV: githubEnv,
    GITHUB_WORKSPACE: workspace,
    KUBECONFIG: process.env.KUBECONFIG!,
  };
  const results: Array<{ step: string; code: number | null; output: string }> = [];
  for (const step of job.steps) {
    if (step.run === undefined) continue; // `uses:` steps (checkout) are GitHub's.
    if (step.id === 'kubeconfig') continue; // GitHub's OIDC token: the test's KUBECONFIG stands for the credentials it yields.
    expect([step.name, step.run]).not.toEqual([step.name, expect.stringMatching(/\$\{\{/)]);
    const result = await bash(step.run, workspace, { ...env, ...(step.env ?? {}) });
    results.push({ step: step.name ?? step.run.slice(0, 40), ...result });
    if (result.code !== 0) break;
    for (const line of readFileSync(githubEnv, 'utf8').split('\n')) {
      const at = line.indexOf('=');
      if (at > 0) env[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return results;
}

beforeAll(async () => {
  workspace = mkdtempSync(join(tmpdir(), 'workflow-'));
  cpSync(join(root, 'examples/pr-preview/chart'), join(workspace, 'deploy/preview-chart'), { recursive: true });
  cpSync(join(root, 'examples/pr-preview/preview-parity.yaml'), join(workspace, 'deploy/preview-parity.yaml'));
  mkdirSync(join(workspace, 'services/checkout'), { recursive: true });
  mkdirSync(join(workspace, '.shims'));
  dockerLog = join(workspace, 'docker.log');
  githubEnv = join(workspace, 'github-env');
  writeFileSync(githubEnv, '');
  writeFileSync(join(workspace, '.shims/docker'), `#!/usr/bin/env bash\necho "$*" >> ${dockerLog}\n`);
  chmodSync(join(workspace, '.shims/docker'), 0o755);

  // Production: one service named as the workflow's changed service.
  production = createNamespace('wf-shop');
  applyObjects(
    JSON.parse(
      JSON.stringify(syntheticBaseline(production, 1))
        .replaceAll('svc-00', 'checkout')
        .replaceAll('SVC_00', 'CHECKOUT'),
    ) as never,
  );
  // The chart's secrets policy is Generate: the admin lets the operator read production's Secrets (rbac.secretNamespaces).
  await grantSecretRead(production);
  ({ previews, manager } = await startPreviews());
  applyBaseline(baseline, [previews], {
    source: { namespace: production },
    secrets: { maxPolicy: 'Generate' },
    ingress: { domain: 'preview.example.com' },
    limits: { maxReplicas: '100', maxResources: '100', maxTtl: '8760h', quota: { cpu: '8', memory: '16Gi' } },
  });
});

afterAll(async () => {
  await stopPreviews(previews, manager, production);
  deleteBaseline(baseline);
});

describe('the GitHub Actions preview example, run as written', () => {
  it('preview: pushes the image, applies the preview, waits until Ready and passes the parity gate', async () => {
    const results = await runJob('preview');
    expect(results.map((r) => [r.step, r.code, r.code === 0 ? '' : r.output])).toEqual(
      results.map((r) => [r.step, 0, '']),
    );
    expect(results.map((r) => r.step)).toEqual([
      'Build and push the changed service',
      'Apply the preview (this job is its only writer)',
      'Wait until it is Ready (copied, seeded) and its tests passed',
      'Fail the pull request on critical drift from production',
    ]);

    // One tag everywhere: what was pushed is what the environment runs.
    const tag = `registry.example.com/shop/checkout:pr-${PR}-${HEAD_SHA.slice(0, 8)}`;
    expect(readFileSync(dockerLog, 'utf8')).toBe(`build -t ${tag} services/checkout\npush ${tag}\n`);
    const env = await getEnvironment(`pr-${PR}`, previews!);
    expect((env?.spec as { services: Array<{ name: string; image?: string }> }).services).toEqual([
      { name: 'checkout', mode: 'copy', image: tag },
    ]);
    const copy = await getObject('apps/v1', 'Deployment', `${previews}-pr-${PR}`, 'checkout');
    expect(
      (copy?.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]
        ?.image,
    ).toBe(tag);
    expect(env?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(results[2]!.output).toContain(`environment ${previews}/pr-${PR} is Ready in namespace ${previews}-pr-${PR}`);
    expect(results[3]!.output).toMatch(/understudy parity: exit code 0, verdict InParity/);
  });

  it('cleanup: deletes the preview when the pull request closes, and its namespace with it', async () => {
    const results = await runJob('cleanup');
    expect(results.map((r) => [r.step, r.code, r.code === 0 ? '' : r.output])).toEqual([
      ['Delete the preview and wait until its namespace is gone', 0, ''],
    ]);
    expect(await getEnvironment(`pr-${PR}`, previews!)).toBeUndefined();
    expect(await namespaceExists(`${previews}-pr-${PR}`)).toBe(false);
  });
});
