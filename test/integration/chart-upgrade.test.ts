import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { kubectl, uniqueName } from '../support/kube';

jest.setTimeout(180_000);

// `helm upgrade` applies a CRD change: the chart's CRDs are templates, not
// files in crds/ (which Helm installs once and never upgrades). The chart is
// installed for real (deployment off) from a copy whose CRDs live in a group
// of their own, so the suite's CRDs are untouched; a second copy changes a
// CRD (a new printer column), the release is upgraded, and the CRD is read
// back from the API server. Uninstalling keeps the CRDs (crds.keep).

const CHART = resolve(__dirname, '../../charts/understudy');
const PLURAL = 'stagingenvironments';

function helm(args: string[]): { code: number; out: string } {
  const result = spawnSync('helm', args, { encoding: 'utf8', env: process.env });
  return { code: result.status ?? -1, out: `${result.stdout}${result.stderr}` };
}

/** A copy of the chart whose CRDs are in `group`; `edit` changes the StagingEnvironment CRD's template text. */
function chartCopy(dir: string, group: string, version: string, edit: (crd: string) => string = (c) => c): string {
  const chart = join(dir, `understudy-${version}`);
  cpSync(CHART, chart, { recursive: true });
  writeFileSync(
    join(chart, 'Chart.yaml'),
    readFileSync(join(chart, 'Chart.yaml'), 'utf8').replace(/^version: .*$/m, `version: ${version}`),
  );
  const crds = join(chart, 'templates/crds');
  for (const file of readdirSync(crds)) {
    const text = readFileSync(join(crds, file), 'utf8').replaceAll('understudy.dev', group);
    writeFileSync(join(crds, file), file.startsWith(PLURAL) ? edit(text) : text);
  }
  return chart;
}

interface Crd {
  metadata: { annotations?: Record<string, string>; labels?: Record<string, string> };
  spec: { versions: Array<{ additionalPrinterColumns?: Array<{ name: string; jsonPath: string }> }> };
}

describe('chart: helm upgrade applies CRD changes', () => {
  const id = uniqueName('up');
  const group = `${id}.upgrade.test`;
  const crdName = `${PLURAL}.${group}`;
  const dir = mkdtempSync(join(tmpdir(), 'understudy-upgrade-'));

  afterAll(() => {
    helm(['uninstall', id, '--namespace', id, '--wait']);
    const plurals = readdirSync(join(CHART, 'templates/crds')).map((file) => file.split('.')[0]!);
    kubectl(['delete', 'crd', '--ignore-not-found', ...plurals.map((plural) => `${plural}.${group}`)]);
    kubectl(['delete', 'namespace', id, '--ignore-not-found', '--wait=false']);
    rmSync(dir, { recursive: true, force: true });
  });

  const readCrd = (): Crd => JSON.parse(kubectl(['get', 'crd', crdName, '-o', 'json'])) as Crd;
  const columns = (): string[] => (readCrd().spec.versions[0]!.additionalPrinterColumns ?? []).map((c) => c.name);

  it('installs v1, upgrades to a v2 whose CRD has a new column, reads it back, and keeps the CRDs on uninstall', () => {
    const v1 = chartCopy(dir, group, '0.1.0');
    const v2 = chartCopy(dir, group, '0.2.0', (crd) =>
      crd.replace(
        '      additionalPrinterColumns:\n',
        '      additionalPrinterColumns:\n        - name: Upgraded\n          type: string\n          jsonPath: .metadata.uid\n          description: Added by the upgrade test.\n',
      ),
    );
    const common = ['--namespace', id, '--set', 'deployment.enabled=false', '--wait', '--timeout', '60s'];

    const install = helm(['install', id, v1, '--create-namespace', ...common]);
    expect(install.out).toContain('STATUS: deployed');
    expect(install.out).toContain('CRDs are part of this release and `helm upgrade` updates them.');
    expect(columns()).not.toContain('Upgraded');
    const installed = readCrd();
    expect(installed.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    expect(installed.metadata.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'Helm',
      'helm.sh/chart': 'understudy-0.1.0',
    });

    const upgrade = helm(['upgrade', id, v2, ...common]);
    expect(upgrade.out).toContain('has been upgraded');
    expect(columns()).toContain('Upgraded');
    expect(readCrd().metadata.labels?.['helm.sh/chart']).toBe('understudy-0.2.0');

    const uninstall = helm(['uninstall', id, '--namespace', id, '--wait']);
    expect(uninstall.code).toBe(0);
    expect(uninstall.out).toContain(`These resources were kept due to the resource policy:`);
    expect(columns()).toContain('Upgraded');
  });
});
