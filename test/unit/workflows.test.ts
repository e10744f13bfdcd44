import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { testTool } from '../support/tools';

// Every GitHub Actions workflow the repository ships, linted by actionlint
// (built from its Go module by test/tools/build-tools.sh), and the preview
// example held to what makes it safe to copy.

const root = resolve(__dirname, '../..');

function workflows(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/^github-actions.*\.ya?ml$/.test(name)) found.push(path);
    }
  };
  walk(join(root, 'examples'));
  const own = join(root, '.github/workflows');
  if (existsSync(own))
    found.push(
      ...readdirSync(own)
        .filter((f) => /\.ya?ml$/.test(f))
        .map((f) => join(own, f)),
    );
  return found.sort();
}

function actionlint(file: string): { code: number; output: string } {
  try {
    return {
      code: 0,
      output: execFileSync(testTool('actionlint'), ['-no-color', '-oneline', file], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, output: `${e.stdout}${e.stderr}` };
  }
}

describe('GitHub Actions workflows', () => {
  // The first run builds the Go tools (about 20 s); later runs find them cached.
  beforeAll(() => void testTool('lua-health'), 10 * 60_000);

  const files = workflows();

  it('the repository ships the preview example', () => {
    expect(files.map((f) => relative(root, f))).toContain('examples/pr-preview/github-actions.yaml');
  });

  it.each(files.map((f) => [relative(root, f), f]))('%s passes actionlint', (_name, file) => {
    expect(actionlint(file)).toEqual({ code: 0, output: '' });
  });

  it('actionlint does fail a broken workflow (the check can fail)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'actionlint-')), 'broken.yaml');
    writeFileSync(
      file,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ matrix.shard }}\n',
    );
    const result = actionlint(file);
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/property "shard" is not defined/);
  });
});

describe('the preview workflow example', () => {
  type Step = { run?: string; uses?: string; id?: string };
  type Job = { if?: string; permissions?: Record<string, string>; steps: Step[] };
  const text = readFileSync(join(root, 'examples/pr-preview/github-actions.yaml'), 'utf8');
  const workflow = parse(text) as {
    on: Record<string, unknown>;
    concurrency: { group: string; 'cancel-in-progress': boolean };
    env: Record<string, string>;
    jobs: Record<string, Job>;
  };
  const runs = Object.values(workflow.jobs)
    .flatMap((j) => j.steps.map((s) => s.run ?? ''))
    .join('\n');

  it('runs on pull_request, never pull_request_target, and only for branches of the repository (forks get no token)', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(text).not.toMatch(/^\s*pull_request_target/m);
    for (const job of Object.values(workflow.jobs))
      expect(job.if).toContain('github.event.pull_request.head.repo.full_name == github.repository');
  });

  it('cancels the run of an older push, and takes credentials from OIDC', () => {
    expect(workflow.concurrency).toEqual({
      group: 'preview-${{ github.event.pull_request.number }}',
      'cancel-in-progress': true,
    });
    for (const job of Object.values(workflow.jobs)) {
      expect(job.permissions?.['id-token']).toBe('write');
      expect(job.steps.find((s) => s.id === 'kubeconfig')?.run).toContain('ACTIONS_ID_TOKEN_REQUEST_TOKEN');
    }
  });

  it('never runs `npx understudy` (an unrelated public package) but the pinned image', () => {
    expect(runs).not.toMatch(/npx\s+understudy/);
    expect(workflow.env.UNDERSTUDY).toMatch(/^docker run .* ghcr\.io\/[a-z0-9-]+\/understudy:\d+\.\d+\.\d+$/);
  });

  it('tags images from the head commit, 8 characters, as the chart and Argo CD do', () => {
    expect(workflow.env.HEAD_SHA).toBe('${{ github.event.pull_request.head.sha }}');
    expect(runs).toContain('tag="pr-$PR-${HEAD_SHA::8}"');
    expect(runs).not.toContain('GITHUB_SHA');
    expect(readFileSync(join(root, 'examples/pr-preview/chart/templates/_helpers.tpl'), 'utf8')).toContain(
      '(trunc 8 $sha)',
    );
    expect(readFileSync(join(root, 'examples/pr-preview/argocd-applicationset.yaml'), 'utf8')).toContain(
      "headSha: '{{.head_sha}}'",
    );
  });

  it('cleans up on close', () => {
    expect(workflow.jobs.cleanup?.if).toContain("github.event.action == 'closed'");
    expect(workflow.jobs.cleanup?.steps.map((s) => s.run ?? '').join('\n')).toContain('$UNDERSTUDY dev down');
  });
});
