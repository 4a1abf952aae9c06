// Three layers, told apart by file name (*.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts), and the short
// soak (*.soak.spec.ts); `npm test` runs all, the soak last.
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};

const project = (displayName, testMatch, extra = {}) => ({
  displayName,
  rootDir: __dirname,
  testEnvironment: 'node',
  testMatch,
  transform,
  moduleNameMapper,
  ...extra,
});

module.exports = {
  projects: [
    project('unit', ['<rootDir>/{apps,libs,test}/**/*.unit.spec.ts']),
    project('int', ['<rootDir>/{apps,libs,test}/**/*.int.spec.ts'], {
      globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
    }),
    project('e2e', ['<rootDir>/{apps,libs,test}/**/*.e2e.spec.ts'], {
      globalSetup: '<rootDir>/libs/testing/src/global-setup.js',
    }),
    // The short soak (its own Postgres cluster, Redis and four app processes): `npm test` runs it after
    // the other projects, so its load does not stretch their timeouts.
    project('soak', ['<rootDir>/test/soak/**/*.soak.spec.ts']),
  ],
  testTimeout: 60000,
};
