import { crdFor } from './crd';
import { InvalidParitySpecError, ParityCheckKind, parseParityCheckSpec } from './paritycheck';

describe('ParityCheck spec', () => {
  it('fills defaults for a minimal spec', () => {
    const spec = parseParityCheckSpec({ staging: { namespace: 'shop-pr-1' }, production: { namespace: 'shop' } });
    expect(spec.failOn).toBe('warning');
    expect(spec.ignore).toEqual([]);
    expect(spec.tolerances.behaviour).toBe('0.2');
    expect(spec.interval).toBeUndefined();
  });

  it('names the bad field in its error', () => {
    expect(() => parseParityCheckSpec({ staging: { namespace: 'Bad_NS' }, production: { namespace: 'shop' } })).toThrow(InvalidParitySpecError);
    expect(() => parseParityCheckSpec({ staging: { namespace: 'Bad_NS' }, production: { namespace: 'shop' } })).toThrow(/spec\.staging\.namespace/);
    expect(() =>
      parseParityCheckSpec({
        staging: { namespace: 'a' },
        production: { namespace: 'b' },
        categories: { behaviour: { prometheus: { url: 'http://p:9090' }, queries: [{ name: 'p95', query: 'up' }] } },
      }),
    ).toThrow(/spec\.categories\.behaviour\.queries\.0\.query: must contain \{\{namespace\}\}/);
  });

  it('refuses the same namespace on both sides unless one is in another cluster', () => {
    expect(() => parseParityCheckSpec({ staging: { namespace: 'shop' }, production: { namespace: 'shop' } })).toThrow(/spec\.staging\.namespace: staging and production are both shop/);
    expect(parseParityCheckSpec({ staging: { namespace: 'shop' }, production: { namespace: 'shop', kubeconfigSecretRef: { name: 'prod', key: 'kubeconfig' } } }).production.namespace).toBe('shop');
  });

  it('renders a CRD with descriptions, printer columns and CEL rules', () => {
    const crd = crdFor(ParityCheckKind) as any; // any: walking a plain rendered JSON document
    const version = crd.spec.versions[0];
    const spec = version.schema.openAPIV3Schema.properties.spec;
    expect(crd.metadata.name).toBe('paritychecks.understudy.dev');
    expect(crd.spec.names.shortNames).toEqual(['pcheck', 'parity']);
    expect(spec.properties.staging.properties.namespace.description).toMatch(/namespace/);
    expect(spec['x-kubernetes-validations']).toBeUndefined(); // checked at parse time: see ParityCheckKind
    expect(spec.properties.categories['x-kubernetes-validations'][0].rule).toContain('has(self.data)');
    expect(version.additionalPrinterColumns.map((c: { name: string }) => c.name)).toEqual(['Verdict', 'Score', 'Findings', 'Last Checked', 'Age']);
    expect(JSON.stringify(crd)).not.toContain('additionalProperties":false');
  });
});
