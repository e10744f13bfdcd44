import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

// The release workflow cannot run here (no registry, no GitHub): actionlint
// checks it in workflows.test.ts; this holds it to the release's promises and
// runs its own shell steps (version check, release notes) on a scratch copy.

const root = resolve(__dirname, '../..');
type Step = {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
};
type Job = {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
  env?: Record<string, string>;
};
const workflow = parse(readFileSync(join(root, '.github/workflows/release.yaml'), 'utf8')) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const step = (job: string, match: (s: Step) => boolean): Step => {
  const found = workflow.jobs[job]?.steps.find(match);
  if (!found) throw new Error(`no such step in job ${job}`);
  return found;
};

describe('the release workflow', () => {
  it('runs on v* tags, grants nothing by default, and each job only what it needs', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] } });
    expect(workflow.permissions).toEqual({});
    const writes = Object.fromEntries(
      Object.entries(workflow.jobs).map(([name, job]) => [
        name,
        Object.entries(job.permissions ?? {})
          .filter(([, v]) => v === 'write')
          .map(([k]) => k)
          .sort(),
      ]),
    );
    expect(writes).toEqual({
      version: [],
      test: [],
      image: ['attestations', 'id-token', 'packages'],
      chart: ['packages'],
      npm: ['id-token'],
      'github-release': ['contents'],
    });
  });

  it('pins every action by a full commit SHA, and never keeps the checkout token', () => {
    for (const s of steps.filter((s) => s.uses)) expect(s.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    for (const s of steps.filter((s) => s.uses?.startsWith('actions/checkout@')))
      expect(s.with?.['persist-credentials']).toBe(false);
  });

  it('publishes nothing before the tests passed on the tagged commit', () => {
    expect(step('test', (s) => s.run === 'bash .ci/run')).toBeDefined();
    const needs = (job: string): string[] => [workflow.jobs[job]?.needs ?? []].flat();
    const after = (job: string, other: string): boolean =>
      needs(job).includes(other) || needs(job).some((n) => after(n, other));
    for (const job of ['image', 'chart', 'npm', 'github-release']) expect(after(job, 'test')).toBe(true);
    expect(after('chart', 'image')).toBe(true); // the chart never names an image that is not pushed
  });

  it('builds the image for amd64 and arm64 with provenance, an SBOM and the OCI labels the Dockerfile declares', () => {
    const build = step('image', (s) => s.uses?.startsWith('docker/build-push-action@') ?? false).with ?? {};
    expect(build).toMatchObject({
      platforms: 'linux/amd64,linux/arm64',
      push: true,
      provenance: 'mode=max',
      sbom: true,
    });
    const args = String(build['build-args'])
      .trim()
      .split('\n')
      .map((l) => l.trim().split('=')[0]);
    const declared = readFileSync(join(root, 'Dockerfile'), 'utf8')
      .match(/^ARG (VERSION|REVISION|CREATED|SOURCE)\b/gm)
      ?.map((l) => l.slice(4));
    expect(args.sort()).toEqual(declared?.sort());
  });

  it('pushes the chart as an OCI artifact, and publishes the CLI with provenance only under a scoped, public name', () => {
    expect(step('chart', (s) => s.run?.includes('helm push') ?? false).run).toMatch(
      /helm push "dist-chart\/understudy-\$VERSION\.tgz" "\$CHARTS"/,
    );
    expect(step('npm', (s) => s.run?.startsWith('npm publish') ?? false).run).toBe(
      'npm publish --provenance --access public',
    );
    const guard = step('npm', (s) => s.name === 'Check the package can be published').run ?? '';
    const check = (pkg: object): { code: number | null; out: string } => {
      const dir = mkdtempSync(join(tmpdir(), 'release-npm-'));
      writeFileSync(join(dir, 'package.json'), JSON.stringify(pkg));
      const r = spawnSync('bash', ['-e', '-c', guard], {
        cwd: dir,
        encoding: 'utf8',
        env: { ...process.env, GITHUB_REPOSITORY: 'example/understudy' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const repository = { type: 'git', url: 'git+https://github.com/example/understudy.git' };
    // Today's package.json names understudy-dev/understudy: it publishes from there, and a fork's run refuses it.
    const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as object;
    expect(check(ours)).toMatchObject({
      code: 1,
      out: expect.stringContaining('must name example/understudy') as string,
    });
    const fromUpstream = spawnSync('bash', ['-e', '-c', guard], {
      cwd: (() => {
        const dir = mkdtempSync(join(tmpdir(), 'release-npm-'));
        writeFileSync(join(dir, 'package.json'), JSON.stringify(ours));
        return dir;
      })(),
      encoding: 'utf8',
      env: { ...process.env, GITHUB_REPOSITORY: 'understudy-dev/understudy' },
    });
    expect(fromUpstream.status).toBe(0);
    expect(check({ name: 'understudy', repository })).toMatchObject({
      code: 1,
      out: expect.stringContaining('is not scoped') as string,
    });
    expect(check({ name: '@understudy-dev/cli', private: true, repository })).toMatchObject({
      code: 1,
      out: expect.stringContaining('private: true') as string,
    });
    expect(
      check({
        name: '@understudy-dev/cli',
        repository: { ...repository, url: 'git+https://github.com/other/fork.git' },
      }),
    ).toMatchObject({ code: 1 });
    expect(check({ name: '@understudy-dev/cli', repository })).toEqual({ code: 0, out: '' });
  });

  describe('its shell steps, run on a scratch repository', () => {
    let dir: string;
    const write = (version: { pkg: string; chart: string; app: string }): void => {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@understudy-dev/cli', version: version.pkg }));
      mkdirSync(join(dir, 'charts/understudy'), { recursive: true });
      writeFileSync(
        join(dir, 'charts/understudy/Chart.yaml'),
        `apiVersion: v2\nname: understudy\nversion: ${version.chart}\nappVersion: "${version.app}"\n`,
      );
    };
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'release-'));
      writeFileSync(
        join(dir, 'CHANGELOG.md'),
        '# Changelog\n\n## [Unreleased]\n\n## [1.2.0-rc.1] - 2026-12-07\n\n### Added\n- previews\n\n## [1.1.0] - 2026-11-01\n\n### Added\n- older\n',
      );
      execFileSync('git', ['init', '-q', dir]);
      execFileSync('git', [
        '-C',
        dir,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.com',
        'commit',
        '-q',
        '--allow-empty',
        '-m',
        'x',
      ]);
    });
    const run = (
      job: string,
      match: (s: Step) => boolean,
      env: Record<string, string>,
    ): { code: number | null; out: string } => {
      // stdin not a socket: bash would read ~/.bashrc as for a remote shell.
      const r = spawnSync('bash', ['-e', '-c', step(job, match).run ?? ''], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env.PATH, ...env },
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const versionEnv = (): Record<string, string> => ({
      GITHUB_REF_NAME: 'v1.2.0-rc.1',
      GITHUB_REPOSITORY_OWNER: 'Understudy-Dev',
      GITHUB_OUTPUT: join(dir, 'output'),
    });

    it('the version step agrees with package.json, Chart.yaml and the changelog, and lower-cases the registry path', () => {
      write({ pkg: '1.2.0-rc.1', chart: '1.2.0-rc.1', app: '1.2.0-rc.1' });
      expect(run('version', (s) => s.id === 'version', versionEnv())).toEqual({ code: 0, out: '' });
      expect(readFileSync(join(dir, 'output'), 'utf8')).toMatch(
        /^version=1\.2\.0-rc\.1\nimage=ghcr\.io\/understudy-dev\/understudy\ncharts=oci:\/\/ghcr\.io\/understudy-dev\/charts\ncreated=\d{4}-\d\d-\d\dT/,
      );
    });

    it('the version step refuses a chart that says another version, and a tag that is not a version', () => {
      write({ pkg: '1.2.0-rc.1', chart: '1.2.0-rc.1', app: '1.1.0' });
      expect(run('version', (s) => s.id === 'version', versionEnv())).toEqual({
        code: 1,
        out: '::error::Chart.yaml appVersion is 1.1.0, the tag says 1.2.0-rc.1\n',
      });
      expect(run('version', (s) => s.id === 'version', { ...versionEnv(), GITHUB_REF_NAME: 'vnext' }).out).toContain(
        'is not vMAJOR.MINOR.PATCH',
      );
    });

    it('the GitHub release gets the changelog section of its version, the assets, and --prerelease for a pre-release', () => {
      const bin = mkdtempSync(join(tmpdir(), 'fake-gh-'));
      writeFileSync(join(bin, 'gh'), `#!/bin/sh\nprintf '%s\\n' "$@" > "${join(dir, 'gh-args')}"\n`);
      chmodSync(join(bin, 'gh'), 0o755);
      mkdirSync(join(dir, 'assets'));
      writeFileSync(join(dir, 'assets/understudy-1.2.0-rc.1-linux-amd64.spdx.json'), '{}');
      const result = run('github-release', (s) => s.run?.includes('gh release create') ?? false, {
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        VERSION: '1.2.0-rc.1',
        GITHUB_REF_NAME: 'v1.2.0-rc.1',
        GITHUB_REPOSITORY: 'understudy-dev/understudy',
        IMAGE: 'ghcr.io/understudy-dev/understudy',
        DIGEST: 'sha256:abc',
        CHARTS: 'oci://ghcr.io/understudy-dev/charts',
      });
      expect(result).toEqual({ code: 0, out: '' });
      const notes = readFileSync(join(dir, 'notes.md'), 'utf8');
      expect(notes).toContain('- previews');
      expect(notes).not.toContain('older');
      expect(notes).toContain('Image: `ghcr.io/understudy-dev/understudy:1.2.0-rc.1` (`sha256:abc`)');
      expect(notes).toContain(
        'helm install understudy oci://ghcr.io/understudy-dev/charts/understudy --version 1.2.0-rc.1',
      );
      const args = readFileSync(join(dir, 'gh-args'), 'utf8').trim().split('\n');
      expect(args.slice(0, 3)).toEqual(['release', 'create', 'v1.2.0-rc.1']);
      expect(args).toContain('--prerelease');
      expect(args).toContain('--verify-tag');
      expect(args.at(-1)).toBe('assets/understudy-1.2.0-rc.1-linux-amd64.spdx.json');
    });

    it('every run step is valid bash', () => {
      for (const s of steps.filter((s) => s.run))
        expect(spawnSync('bash', ['-n', '-c', s.run ?? ''], { stdio: 'ignore' }).status).toBe(0);
    });
  });
});
