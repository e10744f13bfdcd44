import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseBaselineSpec, type BaselineSpec } from '../../operator/api/baseline';
import { allowsNamespace } from '../../operator/controllers/baseline-access';
import { parseStagingEnvironmentSpec } from '../../operator/api/stagingenvironment';
import { resolveCopySpec } from '../../operator/environment/copy-spec';
import { createNamespace, deleteNamespace, kubectlAsync } from '../support/kube';
import { testTool } from '../support/tools';

// Installing Argo CD's CRDs takes a few seconds the first time.
jest.setTimeout(120_000);

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
function resolveExample(
  object: Manifest,
  baselines: ReadonlyMap<string, BaselineSpec>,
): { targetNamespace: string; domain: string | undefined } {
  const parsed = parseStagingEnvironmentSpec(object.spec);
  if (!parsed.ok) throw new Error(`${object.metadata?.name}: ${parsed.field}: ${parsed.message}`);
  const baseline = baselines.get(parsed.spec.baselineRef.name);
  if (!baseline) throw new Error(`names Baseline ${parsed.spec.baselineRef.name}, which examples/ does not ship`);
  if (!allowsNamespace(baseline, 'previews', PREVIEWS_LABELS))
    throw new Error(`Baseline ${parsed.spec.baselineRef.name} does not allow a labelled previews namespace`);
  if (allowsNamespace(baseline, 'previews', {}))
    throw new Error(`Baseline ${parsed.spec.baselineRef.name} allows an unlabelled namespace`);
  const resolved = resolveCopySpec({
    environment: { name: object.metadata?.name ?? '', namespace: 'previews' },
    spec: parsed.spec,
    baseline: { name: parsed.spec.baselineRef.name, spec: baseline },
    createdAt: new Date(),
  });
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

  it("ship a Baseline for every StagingEnvironment, each environment within its Baseline's limits", () => {
    expect([...baselines.keys()].sort()).toEqual(['shop', 'shop-pull-requests']);
    const environments = exampleObjects('StagingEnvironment');
    expect(environments.map(([, o]) => o.metadata?.name).sort()).toEqual(['pr-1234', 'shop-preview']);
    for (const [name, object] of environments) {
      expect([name, resolveExample(object, baselines)]).toEqual([
        name,
        {
          targetNamespace: `shop-previews-${object.metadata?.name}`,
          domain: expect.stringMatching(/^(localtest\.me|preview\.example\.com)$/),
        },
      ]);
    }
  });

  const chart = join(root, 'examples/pr-preview/chart');
  const HEAD_SHA = '4f2a9c1e0b7d3a5f6e8c9d0a1b2c3d4e5f6a7b8c';
  const helmTemplate = (...set: string[]): { ok: true; text: string } | { ok: false; error: string } => {
    try {
      return {
        ok: true,
        text: execFileSync('helm', ['template', 'preview', chart, ...set.flatMap((s) => ['--set', s])], {
          stdio: ['ignore', 'pipe', 'pipe'],
        }).toString(),
      };
    } catch (err) {
      return { ok: false, error: String((err as { stderr?: Buffer }).stderr ?? err) };
    }
  };
  const rendered = (...set: string[]): string => {
    const result = helmTemplate(...set);
    if (!result.ok) throw new Error(result.error);
    return result.text;
  };

  it('the pull-request chart renders a StagingEnvironment and its ParityCheck the API server accepts', async () => {
    const text = rendered(
      'prNumber=1234',
      `headSha=${HEAD_SHA}`,
      'changedServices={checkout}',
      'sharedServices={users}',
    );
    const result = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], text);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('stagingenvironment.understudy.dev/pr-1234 created (server dry run)');
    expect(result.stdout).toContain('paritycheck.understudy.dev/pr-1234 created (server dry run)');
    const [object] = parseAllDocuments(text)
      .map((d) => d.toJS() as Manifest)
      .filter((o) => o?.kind === 'StagingEnvironment');
    expect(object).toBeDefined();
    expect(resolveExample(object!, baselines)).toEqual({
      targetNamespace: 'shop-previews-pr-1234',
      domain: 'preview.example.com',
    });
    // The tag CI pushes (pr-$PR-${HEAD_SHA::8}) and Argo CD's {{.head_short_sha}} name.
    expect((object!.spec as { services: Array<{ name: string; image?: string }> }).services).toContainEqual({
      name: 'checkout',
      image: 'registry.example.com/shop/checkout:pr-1234-4f2a9c1e',
    });
  });

  it.each([
    ['without a pull request number (never pr-0)', [`headSha=${HEAD_SHA}`], /prNumber is required/],
    [
      'with pull request number 0',
      ['prNumber=0', `headSha=${HEAD_SHA}`],
      /prNumber must be a pull request number \(a positive integer\), not "0"/,
    ],
    [
      'with a pull request number that is not one',
      ['prNumber=12a', `headSha=${HEAD_SHA}`],
      /prNumber must be a pull request number/,
    ],
    ['without the head commit', ['prNumber=1234'], /headSha is required/],
  ])('the chart refuses to render %s', (_what, set, message) => {
    const result = helmTemplate(...set);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
  });

  it('the chart orders its sync waves: access, then the StagingEnvironment, then the ParityCheck', async () => {
    const text = rendered(
      'prNumber=7',
      `headSha=${HEAD_SHA}`,
      'viewers[0].kind=Group',
      'viewers[0].name=shop-ci',
      'viewers[0].apiGroup=rbac.authorization.k8s.io',
    );
    const objects = parseAllDocuments(text)
      .map((d) => d.toJS() as Manifest & { metadata: { annotations?: Record<string, string> } })
      .filter(Boolean);
    const wave = (kind: string) =>
      Number(objects.find((o) => o.kind === kind)?.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    expect([wave('RoleBinding'), wave('StagingEnvironment'), wave('ParityCheck')]).toEqual([0, 1, 2]);
    const result = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], text);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(
      'rolebinding.rbac.authorization.k8s.io/understudy-view-pr-7 created (server dry run)',
    );
  });

  describe('the ApplicationSet', () => {
    type ArgoObject = {
      apiVersion: string;
      kind: string;
      metadata: { name: string; namespace?: string };
      spec: Record<string, unknown>;
    };
    const file = join(root, 'examples/pr-preview/argocd-applicationset.yaml');
    const objects = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as ArgoObject);
    const appSet = objects.find((o) => o.kind === 'ApplicationSet')!;
    const template = appSet.spec.template as {
      metadata: Record<string, unknown>;
      spec: {
        project: string;
        syncPolicy: { syncOptions: string[]; managedNamespaceMetadata: { labels: Record<string, string> } };
        destination: { namespace: string; server: string };
        source: { repoURL: string };
      };
    };
    // What Argo CD's Pull Request generator provides to a template (goTemplate).
    const PULL_REQUEST_PARAMS = [
      'number',
      'title',
      'branch',
      'branch_slug',
      'target_branch',
      'target_branch_slug',
      'head_sha',
      'head_short_sha',
      'head_short_sha_7',
      'labels',
      'author',
    ];

    it('ships the AppProject its template names, allowing exactly its source, destination and kinds', () => {
      const project = objects.find((o) => o.kind === 'AppProject');
      expect(project?.metadata.name).toBe(template.spec.project);
      expect(project?.spec.sourceRepos).toEqual([template.spec.source.repoURL]);
      expect(project?.spec.destinations).toEqual([
        { server: template.spec.destination.server, namespace: template.spec.destination.namespace },
      ]);
      const kinds = (project?.spec.namespaceResourceWhitelist as Array<{ kind: string }>).map((k) => k.kind).sort();
      const chartKinds = parseAllDocuments(
        rendered('prNumber=7', `headSha=${HEAD_SHA}`, 'viewers[0].kind=Group', 'viewers[0].name=ci'),
      )
        .map((d) => (d.toJS() as Manifest | null)?.kind)
        .filter(Boolean)
        .sort();
      expect(kinds).toEqual(chartKinds);
    });

    it('creates the namespace with the label its Baseline allows, and fails on a missing key instead of rendering <no value>', () => {
      expect(template.spec.syncPolicy.syncOptions).toContain('CreateNamespace=true');
      const previews = baselines.get('shop-pull-requests')!;
      expect(
        allowsNamespace(
          previews,
          template.spec.destination.namespace,
          template.spec.syncPolicy.managedNamespaceMetadata.labels,
        ),
      ).toBe(true);
      expect(appSet.spec.goTemplate).toBe(true);
      expect(appSet.spec.goTemplateOptions).toEqual(['missingkey=error']);
      const keys = [...JSON.stringify(template).matchAll(/\{\{\s*\.([a-zA-Z_]+)/g)].map((m) => m[1]);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !PULL_REQUEST_PARAMS.includes(k!))).toEqual([]);
    });

    it("is accepted, with the Application it renders, by Argo CD's own CRDs (from the argo-cd Go module)", async () => {
      const crds = testTool('argocd-crds');
      const installed = await kubectlAsync(['apply', '--server-side', '--force-conflicts', '-f', crds]);
      expect(installed.stderr).toBe('');
      await kubectlAsync(['wait', '--for=condition=Established', '--timeout=60s', '-f', crds]);
      // The generator's parameters for one pull request, substituted as goTemplate would.
      const params: Record<string, string> = {
        number: '1234',
        head_sha: HEAD_SHA,
        head_short_sha: HEAD_SHA.slice(0, 8),
      };
      const application = JSON.parse(
        JSON.stringify({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', ...template }).replace(
          /\{\{\s*\.([a-z_]+)\s*\}\}/g,
          (_m, key: string) => params[key] ?? '<missing>',
        ),
      );
      expect(JSON.stringify(application)).not.toContain('<missing>');
      for (const object of [...objects, application]) {
        const copy = { ...object, metadata: { ...object.metadata, namespace: ns } };
        const result = await kubectlAsync(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(copy));
        // Argo CD's own finalizer name (resources-finalizer.argocd.argoproj.io) draws the API server's naming warning.
        const stderr = result.stderr.replace(
          /^Warning: metadata\.finalizers: "resources-finalizer\.argocd\.argoproj\.io": prefer a domain-qualified finalizer name.*\n/m,
          '',
        );
        expect([object.kind, stderr]).toEqual([object.kind, '']);
        expect(result.code).toBe(0);
      }
      expect(application.metadata.name).toBe('shop-pr-1234');
    });
  });
});
