import { crdFor } from './crd';
import { DataSeedKind, DataSeedSpecSchema, readsProduction, runnerOf } from './dataseed';

const target = { urlSecretRef: { name: 'staging-db', key: 'url' } };
const synthesize = {
  profile: { configMapRef: { name: 'shop-profile', key: 'profile.json' } },
  scale: { ratio: '0.1' },
};
const anonymize = { from: { database: 'orders' }, key: { secretKeyRef: { name: 'masking-key', key: 'key' } } };
const baselineRef = { name: 'shop' };
const issues = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('DataSeed spec', () => {
  it('applies the safe defaults: strict mode, truncate, leak scan; Job for a ConfigMap profile', () => {
    const spec = DataSeedSpecSchema.parse({ source: { synthesize }, target });
    expect(spec).toMatchObject({ mode: 'Strict', reset: 'Truncate', leakScan: true, rules: [], schemas: ['public'] });
    expect(runnerOf(spec)).toBe('Job');
    expect(readsProduction(spec)).toBe(false);
  });

  it('reads production only through a Baseline database, and then runs inside the operator by default', () => {
    const spec = DataSeedSpecSchema.parse({ baselineRef, source: { anonymize }, target });
    expect(spec.source.anonymize?.from).toEqual({ database: 'orders' });
    expect(readsProduction(spec)).toBe(true);
    expect(runnerOf(spec)).toBe('Inline');
    const fromBaseline = DataSeedSpecSchema.parse({
      baselineRef,
      source: { synthesize: { profile: { fromBaseline: { database: 'orders' } } } },
      target,
    });
    expect(runnerOf(fromBaseline)).toBe('Inline');
  });

  it('refuses a production source without baselineRef, naming the field', () => {
    expect(issues(DataSeedSpecSchema.safeParse({ source: { anonymize }, target }))).toEqual([
      expect.stringMatching(/^baselineRef: baselineRef is required when the source reads production/),
    ]);
    expect(
      issues(
        DataSeedSpecSchema.safeParse({
          source: { synthesize: { profile: { fromBaseline: { database: 'orders' } } } },
          target,
        }),
      )[0],
    ).toMatch(/^baselineRef: /);
  });

  it('refuses runner Job for a source that reads production, naming spec.runner and saying why', () => {
    const r = DataSeedSpecSchema.safeParse({ baselineRef, source: { anonymize }, target, runner: 'Job' });
    expect(issues(r)).toEqual([
      expect.stringMatching(
        /^runner: runner Job cannot run a source that reads production .*credentials never enter this namespace/,
      ),
    ]);
    expect(DataSeedSpecSchema.safeParse({ source: { synthesize }, target, runner: 'Job' }).success).toBe(true);
  });

  it('refuses a production connection given as a URL Secret, a host or the old fromDatabase', () => {
    const url = DataSeedSpecSchema.safeParse({
      baselineRef,
      source: { anonymize: { ...anonymize, from: { database: 'orders', urlSecretRef: { name: 'prod', key: 'url' } } } },
      target,
    });
    expect(issues(url)).toEqual([
      expect.stringMatching(/^source\.anonymize\.from\.urlSecretRef: production connections come only from a Baseline/),
    ]);
    const host = DataSeedSpecSchema.safeParse({
      baselineRef,
      source: { anonymize: { ...anonymize, from: { database: 'orders', host: 'evil.example.com' } } },
      target,
    });
    expect(issues(host)[0]).toMatch(/^source\.anonymize\.from\.host: production connections come only from a Baseline/);
    // The old shape: no database, a Secret of the DataSeed's namespace.
    expect(
      DataSeedSpecSchema.safeParse({
        baselineRef,
        source: { anonymize: { ...anonymize, from: { urlSecretRef: { name: 'prod', key: 'url' } } } },
        target,
      }).success,
    ).toBe(false);
    const old = DataSeedSpecSchema.safeParse({
      source: { synthesize: { profile: { fromDatabase: { urlSecretRef: { name: 'prod', key: 'url' } } } } },
      target,
    });
    expect(issues(old).join('\n')).toContain('source.synthesize.profile.fromDatabase: replaced by fromBaseline');
  });

  it('refuses zero or two sources, naming the field', () => {
    const none = DataSeedSpecSchema.safeParse({ source: {}, target });
    expect(none.success).toBe(false);
    expect(JSON.stringify(none.error?.issues)).toContain('exactly one of synthesize');
    const two = DataSeedSpecSchema.safeParse({
      source: { synthesize, sql: { configMapRef: { name: 'a', key: 'b' } } },
      target,
    });
    expect(two.success).toBe(false);
    expect(two.error?.issues[0]?.path).toEqual(['source']);
  });

  it('refuses a connection with both a URL secret and a host', () => {
    const r = DataSeedSpecSchema.safeParse({
      source: { synthesize },
      target: { ...target, host: 'db', database: 'x', user: 'u' },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['target']);
  });

  it('bounds a subset fraction to (0, 1]: 15 would be all of production, 0 an empty target', () => {
    const withFraction = (fraction: string) =>
      DataSeedSpecSchema.safeParse({
        baselineRef,
        source: { anonymize: { ...anonymize, subset: { roots: [{ table: 'users', fraction }] } } },
        target,
      });
    expect(issues(withFraction('15'))).toEqual([
      'source.anonymize.subset.roots.0.fraction: must be greater than 0 and at most 1',
    ]);
    expect(issues(withFraction('0'))).toEqual([
      'source.anonymize.subset.roots.0.fraction: must be greater than 0 and at most 1',
    ]);
    expect(withFraction('1').success).toBe(true);
    const fraction = JSON.stringify(crdFor(DataSeedKind));
    expect(fraction).toContain('double(self) > 0.0 && double(self) <= 1.0');
  });

  it('enforces fidelity by default and bounds each threshold to [0, 1]', () => {
    expect(DataSeedSpecSchema.parse({ source: { synthesize }, target, fidelity: {} }).fidelity).toEqual({
      enforce: true,
    });
    expect(
      issues(
        DataSeedSpecSchema.safeParse({ source: { synthesize }, target, fidelity: { maxFanOutKolmogorovSmirnov: '2' } }),
      ),
    ).toEqual(['fidelity.maxFanOutKolmogorovSmirnov: must be between 0 and 1, got 2']);
  });

  it('refuses an unknown transformer', () => {
    const r = DataSeedSpecSchema.safeParse({
      source: { synthesize },
      target,
      rules: [{ table: 'users', column: 'email', transform: 'rot13' }],
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['rules', 0, 'transform']);
  });
});

describe('DataSeed CRD', () => {
  const crd = crdFor(DataSeedKind) as {
    spec: {
      names: Record<string, unknown>;
      versions: Array<{ schema: { openAPIV3Schema: { properties: Record<string, Record<string, unknown>> } } }>;
    };
  };
  const text = JSON.stringify(crd);
  it('names the kind and carries the exactly-one-source CEL rule', () => {
    expect(crd.spec.names).toMatchObject({ plural: 'dataseeds', shortNames: ['dseed'], categories: ['understudy'] });
    expect(text).toContain('has(self.synthesize), has(self.anonymize)');
  });
  it('has the API server refuse production connections outside a Baseline, a missing baselineRef and a Job reading production', () => {
    expect(text).toContain('!has(self.urlSecretRef) && !has(self.passwordSecretRef) && !has(self.host)');
    expect(text).toContain('!has(self.fromDatabase)');
    expect(text).toContain('|| has(self.baselineRef)');
    expect(text).toContain("|| !has(self.runner) || self.runner != 'Job'");
  });
  it('documents in target that naming a Secret is like mounting it in a Pod', () => {
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec as {
      properties: Record<string, { description?: string }>;
    };
    expect(spec.properties.target!.description).toContain(
      'Naming a Secret here is like mounting it in a Pod: anyone who can create a DataSeed in this namespace can have its value used as a connection.',
    );
    expect(spec.properties.runner!.description).toMatch(/Job is refused for sources that read production/);
  });
  it('types rule parameters per transformer, structurally, without defaults the API server would spread to every rule', () => {
    const spec = crd.spec.versions[0]!.schema.openAPIV3Schema.properties.spec as {
      properties: {
        rules: {
          items: {
            properties: { params: Record<string, unknown> };
            'x-kubernetes-validations': Array<{ rule: string }>;
          };
        };
      };
    };
    const params = spec.properties.rules.items.properties.params as {
      type: string;
      properties: Record<string, Record<string, unknown>>;
    };
    expect(params.type).toBe('object');
    expect(params).not.toHaveProperty('additionalProperties');
    expect(params).not.toHaveProperty('x-kubernetes-preserve-unknown-fields');
    expect(params.properties.days).toMatchObject({ type: 'integer', minimum: 1 });
    expect(params.properties.value).toMatchObject({ 'x-kubernetes-int-or-string': true });
    expect(Object.values(params.properties).filter((p) => 'default' in p)).toEqual([]);
    expect(spec.properties.rules.items['x-kubernetes-validations'].map((v) => v.rule)).toContain(
      "!has(self.params) || !has(self.params.days) || self.transform in ['dateShift']",
    );
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
