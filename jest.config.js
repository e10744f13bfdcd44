// Two projects: fast unit tests beside the source, and integration tests that
// share one real control plane (and PostgreSQL, Prometheus) started once per run.
const swc = (syntax) => ['@swc/jest', { jsc: { parser: { syntax }, target: 'es2022' }, module: { type: 'commonjs' } }];
const transform = {
  '^.+\\.ts$': swc('typescript'),
  '^.+\\.m?js$': swc('ecmascript'),
};
// @kubernetes/client-node 1.x and a few of its dependencies are published as
// ES modules. Node 20 can require() them at run time, but Jest's own module
// loader cannot (before Node 24.9), so Jest compiles them to CommonJS.
const esmPackages = ['@kubernetes/client-node', 'openid-client', 'oauth4webapi', 'jose', 'jsonpath-plus', 'rfc4648'];
const transformIgnorePatterns = [`/node_modules/(?!(${esmPackages.join('|')})/)`];

const common = { testEnvironment: 'node', transform, transformIgnorePatterns };

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/operator', '<rootDir>/test/unit'],
      testMatch: ['**/*.test.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      roots: ['<rootDir>/test/integration'],
      testMatch: ['**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      slowTestThreshold: 60,
    },
  ],
};
