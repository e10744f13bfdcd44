import {
  BaselineInfrastructureSchema,
  baselineInfrastructureProblem,
  environmentInfrastructureProblem,
} from './infrastructure';

const baseline = (over: Record<string, unknown> = {}) =>
  BaselineInfrastructureSchema.parse({
    pulumi: {
      program: { builtIn: 'postgres-database' },
      backend: { url: 'file:///var/lib/state' },
      passphraseSecretRef: { name: 'pulumi', key: 'passphrase' },
      config: { server: 'shop' },
      exposedConfig: [{ key: 'template', pattern: 'golden_[a-z]+' }, { key: 'size' }],
      ...over,
    },
  });

describe('infrastructure in the Baseline and the environment', () => {
  it('accepts a built-in program and defaults the runner to Inline', () => {
    expect(baseline().pulumi?.runner).toBe('Inline');
    expect(baselineInfrastructureProblem(baseline(), ['shop'])).toBeUndefined();
    expect(baselineInfrastructureProblem(baseline(), ['other'])).toEqual({
      field: 'spec.infrastructure.pulumi.config.server',
      message: 'no database named shop in spec.data.databases',
    });
    expect(
      baselineInfrastructureProblem(baseline({ exposedConfig: [{ key: 'size' }, { key: 'template' }] }), ['shop']),
    ).toEqual({
      field: 'spec.infrastructure.pulumi.exposedConfig[1].pattern',
      message: expect.stringContaining('production included') as string,
    });
    expect(baselineInfrastructureProblem(baseline({ exposedConfig: [{ key: 'server' }] }), ['shop'])?.field).toBe(
      'spec.infrastructure.pulumi.exposedConfig',
    );
  });

  it('wants exactly one program, and an image program only in a Job', () => {
    expect(baselineInfrastructureProblem(baseline({ program: {} }))).toEqual({
      field: 'spec.infrastructure.pulumi.program',
      message: 'set exactly one of builtIn or image',
    });
    expect(
      baselineInfrastructureProblem(
        baseline({ program: { image: 'registry.example.com/infra:1' }, runner: 'Inline' }),
        ['shop'],
      )?.field,
    ).toBe('spec.infrastructure.pulumi.runner');
    expect(
      baselineInfrastructureProblem(baseline({ exposedConfig: [{ key: 'x', pattern: '(' }] }), ['shop'])?.field,
    ).toBe('spec.infrastructure.pulumi.exposedConfig[0].pattern');
  });

  it('wants a backend a Job pod reaches with runner Job', () => {
    expect(baselineInfrastructureProblem(baseline({ runner: 'Job' }), ['shop'])).toEqual({
      field: 'spec.infrastructure.pulumi.backend.url',
      message: expect.stringContaining('runner Job needs a backend its pod reaches') as string,
    });
    expect(
      baselineInfrastructureProblem(baseline({ runner: 'Job', backend: { url: 'postgres://state@db/pulumi' } }), [
        'shop',
      ]),
    ).toBeUndefined();
  });

  it('refuses backends it does not know', () => {
    expect(
      BaselineInfrastructureSchema.safeParse({
        pulumi: {
          program: { builtIn: 'postgres-database' },
          backend: { url: 'https://api.pulumi.com' },
          passphraseSecretRef: { name: 'p', key: 'k' },
        },
      }).success,
    ).toBe(false);
  });

  it('lets an environment set only exposed keys, within their patterns', () => {
    expect(
      environmentInfrastructureProblem({ config: { template: 'golden_shop', size: 'anything' } }, baseline()),
    ).toBeUndefined();
    expect(environmentInfrastructureProblem({ config: { server: 'production' } }, baseline())).toEqual({
      field: 'spec.infrastructure.config.server',
      message: 'the Baseline does not expose this key (it exposes template, size)',
    });
    // Anchored: a value that only contains a match is refused.
    expect(environmentInfrastructureProblem({ config: { template: 'x; golden_shop' } }, baseline())?.field).toBe(
      'spec.infrastructure.config.template',
    );
    expect(environmentInfrastructureProblem({ config: { template: 'golden_shop' } }, {})).toEqual({
      field: 'spec.infrastructure',
      message: 'the Baseline defines no infrastructure (spec.infrastructure.pulumi)',
    });
    expect(environmentInfrastructureProblem(undefined, {})).toBeUndefined();
  });
});
