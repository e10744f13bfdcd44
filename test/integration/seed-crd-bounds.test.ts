import { createNamespace, deleteNamespace, kubectlAsync } from '../support/kube';

// The API server itself refuses out-of-range ratios of a DataSeed (CEL), so a
// `fraction: 15` never reaches the operator, let alone production.
describe('DataSeed bounds on a real API server', () => {
  let ns: string;
  beforeAll(() => {
    ns = createNamespace('seed-bounds');
  });
  afterAll(() => deleteNamespace(ns));

  const dataSeed = (name: string, extra: string) => `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: ${name}}
spec:
  baselineRef: {name: shop}
  source:
    anonymize:
      from: {database: shop}
      key: {secretKeyRef: {name: k, key: key}}
      subset:
        roots: [{table: users, fraction: "${extra}"}]
  target: {urlSecretRef: {name: t, key: url}}
`;

  it('refuses a subset fraction of 15 or 0 and accepts 1, naming the field', async () => {
    for (const fraction of ['15', '0']) {
      const out = await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], dataSeed('bad', fraction));
      expect(out.code).not.toBe(0);
      expect(out.stderr).toContain('spec.source.anonymize.subset.roots[0].fraction');
      expect(out.stderr).toContain('must be greater than 0 and at most 1');
    }
    expect((await kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], dataSeed('good', '1'))).code).toBe(
      0,
    );
  });

  it('refuses a fidelity threshold above 1', async () => {
    const out = await kubectlAsync(
      ['apply', '--dry-run=server', '-n', ns, '-f', '-'],
      `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: loose}
spec:
  source: {synthesize: {profile: {configMapRef: {name: p, key: profile.json}}}}
  target: {urlSecretRef: {name: t, key: url}}
  fidelity: {maxKolmogorovSmirnov: "15"}
`,
    );
    expect(out.code).not.toBe(0);
    expect(out.stderr).toContain('fidelity thresholds are between 0 and 1');
  });
  const withRule = (name: string, rule: string) => `apiVersion: understudy.dev/v1alpha1
kind: DataSeed
metadata: {name: ${name}}
spec:
  source: {synthesize: {profile: {configMapRef: {name: p, key: profile.json}}}}
  target: {urlSecretRef: {name: t, key: url}}
  rules:
    - ${rule}
`;
  const apply = (yaml: string) => kubectlAsync(['apply', '--dry-run=server', '-n', ns, '-f', '-'], yaml);

  it('refuses a transformer parameter of the wrong type, out of range, of another transformer or missing, naming it', async () => {
    const refused: Array<[string, string]> = [
      ['{table: users, column: born, transform: dateShift, params: {days: ten}}', 'spec.rules[0].params.days'],
      ['{table: users, column: born, transform: dateShift, params: {days: 0}}', 'spec.rules[0].params.days'],
      ['{table: users, column: ssn, transform: mask, params: {char: "**"}}', 'spec.rules[0].params.char'],
      [
        '{table: users, column: email, transform: hash, params: {days: 3}}',
        'params.days is a parameter of dateShift only',
      ],
      ['{table: users, column: note, transform: constant}', 'transform constant needs params.value'],
      ['{table: users, column: note, transform: constant, params: {value: 1.5}}', 'spec.rules[0].params.value'],
      ['{table: users, column: doc, transform: json, params: {paths: []}}', 'spec.rules[0].params.paths'],
      [
        '{table: users, column: doc, transform: json, params: {paths: [{path: $.a, transform: emial}]}}',
        'spec.rules[0].params.paths[0].transform',
      ],
    ];
    for (const [rule, message] of refused) {
      const out = await apply(withRule('bad', rule));
      expect({ rule, accepted: out.code === 0 }).toEqual({ rule, accepted: false });
      expect(out.stderr).toContain(message);
    }
    // A parameter no transformer has is refused too: kubectl validates fields strictly.
    const unknown = await apply(
      withRule('bad', '{table: users, column: born, transform: dateShift, params: {dayz: 3}}'),
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('dayz');
  });

  it('accepts well-typed parameters, nested ones as written', async () => {
    for (const rule of [
      '{table: users, column: born, transform: dateShift, params: {days: 180, entityColumn: id}}',
      '{table: users, column: note, transform: constant, params: {value: 7}}',
      '{table: users, column: note, transform: constant, params: {value: "x"}}',
      '{table: users, column: doc, transform: json, params: {paths: [{path: $.a, transform: hash, params: {length: 16}}]}}',
      '{table: users, column: email, transform: email}',
    ]) {
      const out = await apply(withRule('good', rule));
      expect({ rule, stderr: out.stderr, code: out.code }).toEqual({ rule, stderr: '', code: 0 });
    }
  });
});
