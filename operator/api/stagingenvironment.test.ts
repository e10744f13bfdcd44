import { crdFor } from './crd';
import { parseStagingEnvironmentSpec, StagingEnvironmentKind } from './stagingenvironment';

const minimal = { baseline: { namespace: 'shop' } };

function failure(raw: unknown): { field: string; message: string } {
  const result = parseStagingEnvironmentSpec(raw);
  if (result.ok) throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
  return { field: result.field, message: result.message };
}

describe('StagingEnvironment spec', () => {
  it('fills defaults for a minimal spec', () => {
    const result = parseStagingEnvironmentSpec(minimal);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.spec.scale).toEqual({ replicas: '1', resources: '1' });
    expect(result.spec.secrets).toEqual({ policy: 'Omit' });
    expect(result.spec.suspend).toBe(false);
    expect(result.spec.services).toBeUndefined();
  });

  it('accepts the design document\'s example', () => {
    const result = parseStagingEnvironmentSpec({
      baseline: { namespace: 'shop', selector: { matchLabels: { 'app.kubernetes.io/part-of': 'shop' } } },
      targetNamespace: 'shop-pr-1234',
      services: [{ name: 'checkout', mode: 'copy', image: 'registry.example.com/checkout:pr-1234', env: [{ name: 'FEATURE_X', value: 'on' }] }],
      scale: { replicas: '0.25', resources: '0.5' },
      secrets: { policy: 'Omit' },
      ingress: { hostTemplate: '{{service}}.{{environment}}.preview.example.com', tlsSecretRef: { name: 'preview-wildcard' } },
      isolation: { networkPolicy: true, resourceQuota: { cpu: 4, memory: '8Gi' } },
      ttl: '72h',
      dataSeeds: [{ name: 'shop-db', spec: { source: { synthesize: {} } } }],
      tests: [{ name: 'smoke', template: { template: { spec: { containers: [] } } } }],
    });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.spec.isolation?.resourceQuota?.cpu).toBe('4');
  });

  it.each([
    [{ baseline: {} }, 'spec.baseline', /source/],
    [{ baseline: { namespace: 'Shop' } }, 'spec.baseline.namespace', /namespace name/],
    [{ baseline: { manifests: { configMapRef: { name: 'm' } }, kubeconfigSecretRef: { name: 'k', key: 'config' } } }, 'spec.baseline.kubeconfigSecretRef', /exclusive/],
    [{ baseline: { kubeconfigSecretRef: { name: 'k', key: 'config' }, manifests: undefined } }, 'spec.baseline', /source/],
    [{ ...minimal, targetNamespace: 'shop' }, 'spec.targetNamespace', /differ/],
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
    [{ ...minimal, services: [{ name: 'a' }, { name: 'b', image: 'Not An Image' }] }, 'spec.services[1].image', /image reference/],
    [{ ...minimal, services: [{ name: 'a' }, { name: 'a' }] }, 'spec.services[1].name', /duplicate/],
    [{ ...minimal, services: [{ name: 'a', mode: 'shared', image: 'x:1' }] }, 'spec.services[0]', /copy mode/],
    [{ baseline: { manifests: { configMapRef: { name: 'm' } } }, services: [{ name: 'a', mode: 'shared' }] }, 'spec.services[0].mode', /same cluster/],
    [{ ...minimal, ingress: { hostTemplate: '{{svc}}.example.com' } }, 'spec.ingress.hostTemplate', /unknown placeholder/],
    [{ ...minimal, ingress: { hostTemplate: '{{service}}_x.example.com' } }, 'spec.ingress.hostTemplate', /DNS name/],
    [{ ...minimal, isolation: { resourceQuota: { memory: '8 GB' } } }, 'spec.isolation.resourceQuota.memory', /quantity/],
    [{ ...minimal, isolation: { limitRange: { max: { cpu: '-1' } } } }, 'spec.isolation.limitRange.max.cpu', /negative/],
    [{ ...minimal, kinds: ['deployment'] }, 'spec.kinds[0]', /Kind/],
  ])('refuses %j at %s', (raw, field, message) => {
    const problem = failure(raw);
    expect(problem.field).toBe(field);
    expect(problem.message).toMatch(message);
  });

  it('renders a CRD with descriptions, printer columns, list maps and CEL rules', () => {
    const crd = crdFor(StagingEnvironmentKind) as any; // any: walking a plain rendered JSON document
    const version = crd.spec.versions[0];
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect(crd.metadata.name).toBe('stagingenvironments.understudy.dev');
    expect(crd.spec.names.shortNames).toEqual(['senv', 'stagingenv']);
    expect(crd.spec.names.categories).toEqual(['understudy']);
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual(['Phase', 'Services', 'URL', 'Age', 'Expires']);
    expect(spec.properties.baseline['x-kubernetes-validations']).toHaveLength(3);
    expect(spec['x-kubernetes-validations'].map((v: { rule: string }) => v.rule).join(' ')).toContain('oldSelf.targetNamespace');
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

/** `kubectl explain` prints descriptions: every named property needs one. */
function assertEveryFieldDescribed(schema: any, path: string): void { // any: a rendered JSON schema node
  for (const [name, child] of Object.entries<any>(schema.properties ?? {})) { // any: as above
    const childPath = `${path}.${name}`;
    if (!child.description && !child.items?.description) throw new Error(`${childPath} has no description`);
    assertEveryFieldDescribed(child, childPath);
    if (child.items) assertEveryFieldDescribed(child.items, `${childPath}[]`);
  }
}
