import { crdFor } from './crd';
import {
  InvalidParitySpecError,
  ParityCheckKind,
  parseParityCheckSpec,
  parseResolvedParityCheck,
  resolveParityCheck,
} from './paritycheck';

describe('ParityCheck spec', () => {
  it('fills defaults for a minimal spec', () => {
    const spec = parseParityCheckSpec({ baselineRef: { name: 'shop' } });
    expect(spec.failOn).toBe('warning');
    expect(spec.ignore).toEqual([]);
    expect(spec.staging).toEqual({});
    expect(spec.tolerances.behaviour).toBe('0.2');
    expect(spec.interval).toBeUndefined();
  });

  it('requires a Baseline, and names the bad field in its error', () => {
    expect(() => parseParityCheckSpec({})).toThrow(InvalidParitySpecError);
    expect(() => parseParityCheckSpec({})).toThrow(/spec\.baselineRef/);
    expect(() => parseParityCheckSpec({ baselineRef: { name: 'Not A Name' } })).toThrow(/spec\.baselineRef\.name/);
    expect(() =>
      parseParityCheckSpec({
        baselineRef: { name: 'shop' },
        categories: { behaviour: { queries: [{ name: 'p95', query: 'up' }] } },
      }),
    ).toThrow(/spec\.categories\.behaviour\.queries\.0\.query: must contain \{\{namespace\}\}/);
  });

  it('names production only through the Baseline: no namespace, kubeconfig, connection Secret or Prometheus URL of its own', () => {
    const spec = parseParityCheckSpec({
      baselineRef: { name: 'shop' },
      // A spec written for the old API: these fields are not part of the schema and are dropped, never used.
      staging: { namespace: 'team-b', kubeconfigSecretRef: { name: 'k', key: 'k' }, environmentRef: { name: 'pr-1' } },
      production: { namespace: 'team-b', kubeconfigSecretRef: { name: 'k', key: 'k' } },
      categories: {
        schema: { staging: { connectionSecretRef: { name: 'db', key: 'url' } }, production: { database: 'orders' } },
        behaviour: {
          prometheus: { url: 'http://evil:9090' },
          queries: [{ name: 'p95', query: 'x{namespace="{{namespace}}"}' }],
        },
      },
    });
    expect(spec.staging).toEqual({ environmentRef: { name: 'pr-1' } });
    expect(spec).not.toHaveProperty('production');
    expect(spec.categories.schema?.production).toEqual({ database: 'orders' });
    expect(spec.categories.schema?.staging.connectionSecretRef).toEqual({
      name: 'db',
      key: 'url',
      from: 'ParityCheck',
    });
    expect(spec.categories.behaviour?.prometheus).toEqual({ timeout: '10s' });
    expect(() =>
      parseParityCheckSpec({
        baselineRef: { name: 'shop' },
        categories: {
          schema: {
            staging: { connectionSecretRef: { name: 'db', key: 'url' } },
            production: { connectionSecretRef: { name: 'p', key: 'url' } },
          },
        },
      }),
    ).toThrow(/spec\.categories\.schema\.production\.database/);
  });

  it('resolves the namespaces one run compares, dropping the Baseline reference', () => {
    const resolved = resolveParityCheck(
      parseParityCheckSpec({ baselineRef: { name: 'shop' }, staging: { environmentRef: { name: 'pr-1' } } }),
      { staging: 'preview-team-a-pr-1', production: 'shop' },
    );
    expect(resolved.staging).toEqual({ namespace: 'preview-team-a-pr-1', environmentRef: { name: 'pr-1' } });
    expect(resolved.production).toEqual({ namespace: 'shop' });
    expect(resolved).not.toHaveProperty('baselineRef');
    expect(
      parseResolvedParityCheck({ staging: { namespace: 'a' }, production: { namespace: 'b' } }).production.namespace,
    ).toBe('b');
    expect(() =>
      parseResolvedParityCheck({ staging: { namespace: 'Bad_NS' }, production: { namespace: 'b' } }),
    ).toThrow(/spec\.staging\.namespace/);
  });

  it('renders a CRD with descriptions, printer columns and CEL rules', () => {
    const crd = crdFor(ParityCheckKind) as any; // any: walking a plain rendered JSON document
    const version = crd.spec.versions[0];
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect(crd.metadata.name).toBe('paritychecks.understudy.dev');
    expect(crd.spec.names.shortNames).toEqual(['pcheck', 'parity']);
    expect(spec.required).toContain('baselineRef');
    expect(spec.properties.baselineRef.description).toMatch(/Baseline/);
    expect(Object.keys(spec.properties)).not.toContain('production');
    expect(Object.keys(spec.properties.staging.properties)).toEqual(['environmentRef']);
    expect(spec.properties.categories['x-kubernetes-validations'][0].rule).toContain('has(self.data)');
    expect(Object.keys(spec.properties.categories.properties.behaviour.properties.prometheus.properties)).toEqual([
      'timeout',
    ]);
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual([
      'Baseline',
      'Ready',
      'Verdict',
      'Score',
      'Findings',
      'Last Checked',
      'Reason',
      'Environment',
      'Age',
    ]);
    expect(JSON.stringify(crd)).not.toContain('additionalProperties":false');
    expect(JSON.stringify(crd)).not.toContain('kubeconfigSecretRef');
  });

  it('renders a structural CRD: no field with two patterns (an allOf the API server refuses)', () => {
    expect(JSON.stringify(crdFor(ParityCheckKind))).not.toContain('"allOf"');
  });
});
