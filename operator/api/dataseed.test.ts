import { crdFor } from './crd';
import { DataSeedKind, DataSeedSpecSchema } from './dataseed';

const target = { urlSecretRef: { name: 'staging-db', key: 'url' } };
const synthesize = { profile: { configMapRef: { name: 'shop-profile', key: 'profile.json' } }, scale: { ratio: '0.1' } };

describe('DataSeed spec', () => {
  it('applies the safe defaults: strict mode, truncate, job runner, leak scan', () => {
    const spec = DataSeedSpecSchema.parse({ source: { synthesize }, target });
    expect(spec).toMatchObject({ mode: 'Strict', reset: 'Truncate', runner: 'Job', leakScan: true, rules: [], schemas: ['public'] });
  });

  it('refuses zero or two sources, naming the field', () => {
    const none = DataSeedSpecSchema.safeParse({ source: {}, target });
    expect(none.success).toBe(false);
    expect(JSON.stringify(none.error?.issues)).toContain('exactly one of synthesize');
    const two = DataSeedSpecSchema.safeParse({ source: { synthesize, sql: { configMapRef: { name: 'a', key: 'b' } } }, target });
    expect(two.success).toBe(false);
    expect(two.error?.issues[0]?.path).toEqual(['source']);
  });

  it('refuses a connection with both a URL secret and a host', () => {
    const r = DataSeedSpecSchema.safeParse({ source: { synthesize }, target: { ...target, host: 'db', database: 'x', user: 'u' } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['target']);
  });

  it('refuses an unknown transformer', () => {
    const r = DataSeedSpecSchema.safeParse({ source: { synthesize }, target, rules: [{ table: 'users', column: 'email', transform: 'rot13' }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['rules', 0, 'transform']);
  });
});

describe('DataSeed CRD', () => {
  const crd = crdFor(DataSeedKind) as { spec: { names: Record<string, unknown>; versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, Record<string, unknown>> } } }> } };
  const text = JSON.stringify(crd);
  it('names the kind and carries the exactly-one-source CEL rule', () => {
    expect(crd.spec.names).toMatchObject({ plural: 'dataseeds', shortNames: ['dseed'], categories: ['understudy'] });
    expect(text).toContain('has(self.synthesize), has(self.anonymize)');
  });
  it('keeps rule parameters free-form and structural', () => {
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec as { properties: { rules: { items: { properties: { params: Record<string, unknown> } } } } };
    expect(spec.properties.rules.items.properties.params).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(spec.properties.rules.items.properties.params).not.toHaveProperty('additionalProperties');
  });
  it('describes every spec field for kubectl explain', () => {
    const missing: string[] = [];
    const walk = (node: Record<string, unknown>, path: string): void => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [k, v] of Object.entries(props ?? {})) {
        if (typeof v.description !== 'string') missing.push(`${path}.${k}`);
        walk(v, `${path}.${k}`);
        if (v.items && typeof v.items === 'object') walk(v.items as Record<string, unknown>, `${path}.${k}[]`);
      }
    };
    walk(crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec!, 'spec');
    walk(crd.spec.versions[0]!.schema.openAPIV3Schema.properties.status!, 'status');
    expect(missing.filter((p) => !p.includes('conditions[]') && !p.includes('matchExpressions'))).toEqual([]);
  });
});
