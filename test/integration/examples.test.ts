import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createNamespace, deleteNamespace, kubectlAsync } from '../support/kube';

const root = resolve(__dirname, '../..');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'templates' ? [] : yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Every Understudy resource shipped in examples/, as its own YAML text. */
function exampleResources(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const file of yamlFiles(join(root, 'examples'))) {
    parseAllDocuments(readFileSync(file, 'utf8')).forEach((doc, i) => {
      const value = doc.toJS() as { apiVersion?: string; kind?: string } | null;
      if (!value?.apiVersion?.startsWith('understudy.dev/')) return;
      // Examples name the namespace they are meant for; the test applies them into its own.
      doc.deleteIn(['metadata', 'namespace']);
      out.push([`${relative(root, file)}#${i} (${value.kind})`, doc.toString()]);
    });
  }
  return out;
}

describe('examples', () => {
  let ns: string;
  beforeAll(() => {
    ns = createNamespace('examples');
  });
  afterAll(() => deleteNamespace(ns));

  const resources = exampleResources();
  it('ship Understudy resources', () => {
    expect(resources.length).toBeGreaterThan(0);
  });

  it.each(resources)('%s is accepted by the API server', async (_name, text) => {
    const result = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], text);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('the pull-request chart renders a StagingEnvironment the API server accepts', async () => {
    const rendered = execFileSync('helm', ['template', 'preview', join(root, 'examples/pr-preview/chart'), '--set', 'prNumber=1234', '--set', 'images.checkout=registry.example.com/shop/checkout:pr-1234', '--set', 'sharedServices={users}']).toString();
    const result = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], rendered);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('stagingenvironment.understudy.dev/pr-1234 created (server dry run)');
  });
});
