import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseBaselineSpec, type BaselineSpec } from '../../operator/api/baseline';
import { allowsNamespace } from '../../operator/controllers/baseline-access';
import { parseStagingEnvironmentSpec } from '../../operator/api/stagingenvironment';
import { resolveCopySpec } from '../../operator/environment/copy-spec';
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

type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string }; spec?: unknown };

function exampleObjects(kind: string): Array<[string, Manifest]> {
  return exampleResources()
    .map(([name, text]): [string, Manifest] => [name, parseAllDocuments(text)[0]?.toJS() as Manifest])
    .filter(([, object]) => object.kind === kind);
}

const PREVIEWS_LABELS = { 'understudy.dev/previews': 'true' };

/**
 * The environment resolved within the Baseline it names, as the operator
 * resolves it in namespace previews (labelled as the examples tell admins to):
 * a refusal names the field, so an example drifting from its Baseline fails here.
 */
function resolveExample(object: Manifest, baselines: ReadonlyMap<string, BaselineSpec>): { targetNamespace: string; domain: string | undefined } {
  const parsed = parseStagingEnvironmentSpec(object.spec);
  if (!parsed.ok) throw new Error(`${object.metadata?.name}: ${parsed.field}: ${parsed.message}`);
  const baseline = baselines.get(parsed.spec.baselineRef.name);
  if (!baseline) throw new Error(`names Baseline ${parsed.spec.baselineRef.name}, which examples/ does not ship`);
  if (!allowsNamespace(baseline, 'previews', PREVIEWS_LABELS)) throw new Error(`Baseline ${parsed.spec.baselineRef.name} does not allow a labelled previews namespace`);
  if (allowsNamespace(baseline, 'previews', {})) throw new Error(`Baseline ${parsed.spec.baselineRef.name} allows an unlabelled namespace`);
  const resolved = resolveCopySpec({ environment: { name: object.metadata?.name ?? '', namespace: 'previews' }, spec: parsed.spec, baseline: { name: parsed.spec.baselineRef.name, spec: baseline }, createdAt: new Date() });
  if (!resolved.ok) throw new Error(`${object.metadata?.name}: ${resolved.field}: ${resolved.message}`);
  return { targetNamespace: resolved.copy.targetNamespace, domain: resolved.copy.ingress?.domain };
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

  const baselines = new Map(
    exampleObjects('Baseline').map(([name, object]): [string, BaselineSpec] => {
      const parsed = parseBaselineSpec(object.spec);
      if (!parsed.ok) throw new Error(`${name}: ${parsed.field}: ${parsed.message}`);
      return [object.metadata?.name ?? '', parsed.spec];
    }),
  );

  it('ship a Baseline for every StagingEnvironment, each environment within its Baseline\'s limits', () => {
    expect([...baselines.keys()].sort()).toEqual(['shop', 'shop-pull-requests']);
    const environments = exampleObjects('StagingEnvironment');
    expect(environments.map(([, o]) => o.metadata?.name).sort()).toEqual(['pr-1234', 'shop-preview']);
    for (const [name, object] of environments) {
      expect([name, resolveExample(object, baselines)]).toEqual([name, { targetNamespace: `shop-previews-${object.metadata?.name}`, domain: expect.stringMatching(/^(localtest\.me|preview\.example\.com)$/) }]);
    }
  });

  it('the pull-request chart renders a StagingEnvironment the API server accepts', async () => {
    const rendered = execFileSync('helm', ['template', 'preview', join(root, 'examples/pr-preview/chart'), '--set', 'prNumber=1234', '--set', 'images.checkout=registry.example.com/shop/checkout:pr-1234', '--set', 'sharedServices={users}']).toString();
    const result = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], rendered);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('stagingenvironment.understudy.dev/pr-1234 created (server dry run)');
    const [object] = parseAllDocuments(rendered).map((d) => d.toJS() as Manifest).filter((o) => o?.kind === 'StagingEnvironment');
    expect(object).toBeDefined();
    expect(resolveExample(object!, baselines)).toEqual({ targetNamespace: 'shop-previews-pr-1234', domain: 'preview.example.com' });
  });
});
