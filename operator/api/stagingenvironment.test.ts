import { parseBaselineSpec, type BaselineSpec } from './baseline';
import { crdFor } from './crd';
import { parseStagingEnvironmentSpec, StagingEnvironmentKind } from './stagingenvironment';
import { resolveCopySpec, type Resolution } from '../environment/copy-spec';

const minimal = { baselineRef: { name: 'shop' } };

function failure(raw: unknown): { field: string; message: string } {
  const result = parseStagingEnvironmentSpec(raw);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
  return { field: result.field, message: result.message };
}

function baselineFailure(raw: Record<string, unknown>): { field: string; message: string } {
  const result = parseBaselineSpec({ allowedNamespaces: { names: ['previews'] }, ...raw });
  if (result.ok) throw new Error(`expected Baseline ${JSON.stringify(raw)} to be refused`);
  return { field: result.field, message: result.message };
}

function baselineOf(raw: Record<string, unknown>): BaselineSpec {
  const result = parseBaselineSpec({
    allowedNamespaces: { names: ['previews'] },
    secrets: { maxPolicy: 'CopyListed' },
    ...raw,
  });
  if (!result.ok) throw new Error(`${result.field}: ${result.message}`);
  return result.spec;
}

/** The environment `previews/<name>` resolved within a Baseline, the way the controller does before planning. */
function resolve(env: Record<string, unknown>, baseline: Record<string, unknown>, name = 'pr-1234'): Resolution {
  const parsed = parseStagingEnvironmentSpec({ ...minimal, ...env });
  if (!parsed.ok) throw new Error(`${parsed.field}: ${parsed.message}`);
  return resolveCopySpec({
    environment: { name, namespace: 'previews' },
    spec: parsed.spec,
    baseline: { name: 'shop', spec: baselineOf(baseline) },
    createdAt: new Date('2030-01-01T00:00:00Z'),
  });
}

describe('StagingEnvironment spec', () => {
  it('fills defaults for a minimal spec', () => {
    const result = parseStagingEnvironmentSpec(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.baselineRef).toEqual({ name: 'shop' });
    expect(result.spec.scale).toEqual({ replicas: '1', resources: '1' });
    expect(result.spec.secrets).toEqual({ policy: 'Omit' });
    expect(result.spec.suspend).toBe(false);
    expect(result.spec.services).toBeUndefined();
  });

  it("accepts the design document's example", () => {
    const result = parseStagingEnvironmentSpec({
      baselineRef: { name: 'shop' },
      services: [
        {
          name: 'checkout',
          mode: 'copy',
          image: 'registry.example.com/checkout:pr-1234',
          env: [{ name: 'FEATURE_X', value: 'on' }],
        },
      ],
      scale: { replicas: '0.25', resources: '0.5' },
      secrets: { policy: 'Omit' },
      ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com' },
      isolation: { resourceQuota: { cpu: 4, memory: '8Gi' } },
      ttl: '72h',
      dataSeeds: [
        {
          name: 'shop-db',
          spec: {
            source: { synthesize: { profile: { fromBaseline: { database: 'shop' } } } },
            target: { urlSecretRef: { name: 'shop-db', key: 'url' } },
          },
        },
      ],
      tests: [
        {
          name: 'smoke',
          template: {
            template: {
              spec: {
                containers: [{ name: 'smoke', image: 'registry.example.com/shop/smoke:1' }],
                restartPolicy: 'Never',
              },
            },
          },
        },
      ],
    });
    expect(result.ok ? 'ok' : `${result.field}: ${result.message}`).toBe('ok');
    if (result.ok) expect(result.spec.isolation?.resourceQuota?.cpu).toBe('4');
  });

  it.each([
    [{}, 'spec.baselineRef', /./],
    [{ baselineRef: {} }, 'spec.baselineRef.name', /./],
    [{ baselineRef: { name: 'Shop' } }, 'spec.baselineRef.name', /RFC 1123/],
    [{ ...minimal, scale: { replicas: '0' } }, 'spec.scale.replicas', /greater than 0/],
    [{ ...minimal, scale: { replicas: '0.5', resources: '250' } }, 'spec.scale.resources', /at most 100/],
    [{ ...minimal, scale: { replicas: 'half' } }, 'spec.scale.replicas', /decimal/],
    [{ ...minimal, ttl: '3 days' }, 'spec.ttl', /duration/],
    [{ ...minimal, ttl: '0h' }, 'spec.ttl', /longer than zero/],
    [{ ...minimal, ttl: '1h', expiresAt: '2030-01-01T00:00:00Z' }, 'spec.expiresAt', /exclusive/],
    [{ ...minimal, expiresAt: 'tomorrow' }, 'spec.expiresAt', /RFC 3339/],
    [{ ...minimal, secrets: { policy: 'Omit', names: ['shop-db'] } }, 'spec.secrets.names', /CopyListed/],
    [{ ...minimal, secrets: { policy: 'CopyListed' } }, 'spec.secrets.names', /at least one/],
    [{ ...minimal, secrets: { policy: 'Copy' } }, 'spec.secrets.policy', /./],
    [
      { ...minimal, services: [{ name: 'a' }, { name: 'b', image: 'Not An Image' }] },
      'spec.services[1].image',
      /image reference/,
    ],
    [{ ...minimal, services: [{ name: 'a' }, { name: 'a' }] }, 'spec.services[1].name', /duplicate/],
    [{ ...minimal, services: [{ name: 'a', mode: 'shared', image: 'x:1' }] }, 'spec.services[0]', /copy mode/],
    [
      { ...minimal, ingress: { hostTemplate: '{{svc}}.example.com' } },
      'spec.ingress.hostTemplate',
      /unknown placeholder/,
    ],
    [{ ...minimal, ingress: { hostTemplate: '{{service}}_x.example.com' } }, 'spec.ingress.hostTemplate', /DNS name/],
    [
      { ...minimal, isolation: { resourceQuota: { memory: '8 GB' } } },
      'spec.isolation.resourceQuota.memory',
      /quantity/,
    ],
    [
      { ...minimal, isolation: { limitRange: { max: { cpu: '-1' } } } },
      'spec.isolation.limitRange.max.cpu',
      /negative/,
    ],
  ])('refuses %j at %s', (raw, field, message) => {
    const problem = failure(raw);
    expect(problem.field).toBe(field);
    expect(problem.message).toMatch(message);
  });

  it('lets an environment choose none of what moved to the Baseline: source, target namespace, kinds, TLS, IngressClass, NetworkPolicy', () => {
    const result = parseStagingEnvironmentSpec({
      ...minimal,
      baseline: { namespace: 'kube-system' },
      targetNamespace: 'kube-system',
      kinds: ['Secret'],
      ingress: {
        hostTemplate: '{{environment}}.preview.example.com',
        tlsSecretRef: { namespace: 'cert-manager', name: 'ca' },
        className: 'public',
      },
      isolation: { networkPolicy: false, allowIngressFromNamespaces: ['*'] },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec).not.toHaveProperty('baseline');
    expect(result.spec).not.toHaveProperty('targetNamespace');
    expect(result.spec).not.toHaveProperty('kinds');
    expect(result.spec.ingress).toEqual({ hostTemplate: '{{environment}}.preview.example.com' });
    expect(result.spec.isolation).toEqual({});
  });

  it('renders a CRD with descriptions, printer columns, list maps and CEL rules', () => {
    const crd = crdFor(StagingEnvironmentKind) as any; // any: walking a plain rendered JSON document
    const version = crd.spec.versions[0];
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect(crd.metadata.name).toBe('stagingenvironments.understudy.dev');
    expect(crd.spec.names.shortNames).toEqual(['senv', 'stagingenv']);
    expect(crd.spec.names.categories).toEqual(['understudy']);
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      'Baseline',
      'Phase',
      'Ready',
      'Services',
      'URL',
      'Namespace',
      'Reason',
      'Age',
      'Expires',
    ]);
    expect(spec.required).toEqual(['baselineRef']);
    expect(spec.properties.baselineRef.required).toEqual(['name']);
    expect(spec['x-kubernetes-validations'].map((v: { rule: string }) => v.rule).join(' ')).toContain(
      'oldSelf.baselineRef.name',
    );
    // Structural pruning drops what the schema does not name: a tenant's targetNamespace or TLS Secret never reaches the operator.
    for (const removed of ['baseline', 'targetNamespace', 'kinds']) expect(spec.properties).not.toHaveProperty(removed);
    expect(Object.keys(spec.properties.ingress.properties)).toEqual(['hostTemplate']);
    expect(Object.keys(spec.properties.isolation.properties)).toEqual(['resourceQuota', 'limitRange']);
    expect(spec.properties.services['x-kubernetes-list-map-keys']).toEqual(['name']);
    expect(spec.properties.services.items.properties.mode.default).toBe('copy');
    expect(spec.properties.dataSeeds.items.properties.spec['x-kubernetes-preserve-unknown-fields']).toBe(true);
    expect(spec.properties.isolation.properties.resourceQuota.properties.cpu['x-kubernetes-int-or-string']).toBe(true);
    const text = JSON.stringify(crd);
    expect(text).not.toContain('additionalProperties":false');
    expect(text).not.toContain('"anyOf"');
    assertEveryFieldDescribed(spec, 'spec');
    assertEveryFieldDescribed(version.schema.openAPIV3Schema.properties.status, 'status');
  });
});

// The rules on production's source that a StagingEnvironment used to carry
// now hold on the Baseline, where only an admin can write them.
describe('what moved to the Baseline', () => {
  it.each([
    [{ source: {} }, 'spec.source.namespace', /required/],
    [{ source: { namespace: 'Shop' } }, 'spec.source.namespace', /namespace name/],
    [
      {
        source: {
          namespace: 'shop',
          manifests: { configMapRef: { namespace: 'admin', name: 'm' } },
          cluster: { kubeconfigSecretRef: { name: 'k', key: 'config' } },
        },
      },
      'spec.source.cluster',
      /exclusive/,
    ],
    [
      { source: { cluster: { kubeconfigSecretRef: { name: 'k', key: 'config' } } } },
      'spec.source.namespace',
      /required/,
    ],
    [{ source: { namespace: 'shop', kinds: ['deployment'] } }, 'spec.source.kinds[0]', /./],
    [{ source: { namespace: 'shop', kinds: ['Namespace'] } }, 'spec.source.kinds[0]', /./],
    [
      { source: { namespace: 'shop' }, targetNamespace: { prefix: 'Kube-' } },
      'spec.targetNamespace.prefix',
      /ending in -/,
    ],
    [
      { source: { namespace: 'shop' }, targetNamespace: { prefix: 'kube' } },
      'spec.targetNamespace.prefix',
      /ending in -/,
    ],
  ])('refuses Baseline %j at %s', (raw, field, message) => {
    const problem = baselineFailure(raw);
    expect(problem.field).toBe(field);
    expect(problem.message).toMatch(message);
  });

  it('derives the target namespace as <prefix><environment namespace>-<name>; no field of the environment changes it', () => {
    const resolved = resolve(
      { targetNamespace: 'kube-system' },
      { source: { namespace: 'shop' }, targetNamespace: { prefix: 'preview-' } },
    );
    expect(resolved).toMatchObject({ ok: true, copy: { targetNamespace: 'preview-previews-pr-1234' } });
    const long = resolve(
      {},
      { source: { namespace: 'shop' }, targetNamespace: { prefix: 'preview-' } },
      'x'.repeat(60),
    );
    if (!long.ok) throw new Error(long.message);
    expect(long.copy.targetNamespace.length).toBeLessThanOrEqual(63);
    expect(long.copy.targetNamespace.startsWith('preview-previews-')).toBe(true);
  });

  it.each([
    // The derived name of previews/pr-1 with no prefix is production's own namespace.
    [
      {},
      { source: { namespace: 'previews-pr-1' }, targetNamespace: { prefix: '' } },
      'spec.baselineRef.name',
      /production namespace/,
    ],
    [
      { services: [{ name: 'a', mode: 'shared' }] },
      { source: { namespace: 'shop', manifests: { configMapRef: { namespace: 'admin', name: 'm' } } } },
      'spec.services[0].mode',
      /live in this cluster/,
    ],
    [
      { services: [{ name: 'a', mode: 'shared' }] },
      { source: { namespace: 'shop', cluster: { kubeconfigSecretRef: { name: 'k', key: 'config' } } } },
      'spec.services[0].mode',
      /live in this cluster/,
    ],
    [
      { scale: { replicas: '2' } },
      { source: { namespace: 'shop' }, limits: { maxReplicas: '1' } },
      'spec.scale.replicas',
      /above the Baseline's limit of 1/,
    ],
    [
      { secrets: { policy: 'Generate' } },
      { source: { namespace: 'shop' }, secrets: { maxPolicy: 'Omit' } },
      'spec.secrets.policy',
      /looser/,
    ],
    [
      { secrets: { policy: 'CopyListed', names: ['prod-db'] } },
      { source: { namespace: 'shop' }, secrets: { maxPolicy: 'CopyListed', copyable: ['public'] } },
      'spec.secrets.names',
      /prod-db is not in the Baseline's copyable/,
    ],
    [
      { ttl: '200h' },
      { source: { namespace: 'shop' }, limits: { maxTtl: '168h' } },
      'spec.ttl',
      /longer than the Baseline's limit/,
    ],
    [
      { ingress: { hostTemplate: '{{environment}}.preview.example.com' } },
      { source: { namespace: 'shop' } },
      'spec.ingress',
      /no ingress domain/,
    ],
    [
      { ingress: { hostTemplate: 'shop.example.com' } },
      { source: { namespace: 'shop' }, ingress: { domain: 'example.com' } },
      'spec.ingress.hostTemplate',
      /\{\{environment\}\} or \{\{namespace\}\}/,
    ],
    [
      { ingress: { hostTemplate: '{{environment}}.example.org' } },
      { source: { namespace: 'shop' }, ingress: { domain: 'example.com' } },
      'spec.ingress.hostTemplate',
      /must end in "\.example\.com"/,
    ],
    [
      { isolation: { resourceQuota: { memory: '64Gi' } } },
      { source: { namespace: 'shop' }, limits: { quota: { memory: '8Gi' } } },
      'spec.isolation.resourceQuota.memory',
      /above the Baseline's cap/,
    ],
  ])('refuses %j within Baseline %j at %s', (env, baseline, field, message) => {
    const resolved = resolve(env, baseline, field === 'spec.baselineRef.name' ? 'pr-1' : 'pr-1234');
    expect(resolved.ok).toBe(false);
    if (resolved.ok) return;
    expect(resolved.field).toBe(field);
    expect(resolved.message).toMatch(message);
  });

  it('takes the TLS Secret, IngressClass and NetworkPolicy from the Baseline', () => {
    const resolved = resolve(
      { ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com' } },
      {
        source: { namespace: 'shop' },
        ingress: {
          domain: 'preview.example.com',
          tlsSecretRef: { namespace: 'certs', name: 'wildcard' },
          className: 'nginx',
        },
        isolation: { networkPolicy: true, allowIngressFromNamespaces: ['ingress-nginx'] },
      },
    );
    expect(resolved).toMatchObject({
      ok: true,
      copy: {
        ingress: {
          hostTemplate: '{{service}}.{{environment}}.preview.example.com',
          domain: 'preview.example.com',
          tlsSecretRef: { namespace: 'certs', name: 'wildcard' },
          className: 'nginx',
        },
        isolation: { networkPolicy: true, allowIngressFromNamespaces: ['ingress-nginx'], egress: [] },
      },
    });
  });
});

/** `kubectl explain` prints descriptions: every named property needs one. */
function assertEveryFieldDescribed(schema: any, path: string): void {
  // any: a rendered JSON schema node
  for (const [name, child] of Object.entries<any>(schema.properties ?? {})) {
    // any: as above
    const childPath = `${path}.${name}`;
    if (!child.description && !child.items?.description) throw new Error(`${childPath} has no description`);
    assertEveryFieldDescribed(child, childPath);
    if (child.items) assertEveryFieldDescribed(child.items, `${childPath}[]`);
  }
}
