// Shared jest settings. swc transforms TypeScript (type errors are caught by the typecheck target).
// PGlite's own files are transformed too: its dynamic import() must become require() under jest,
// otherwise Node asks for --experimental-vm-modules.
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.(t|j|cj|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs', ignoreDynamic: false },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  testEnvironmentOptions: {
    customExportConditions: ['@autopack/source', 'node', 'require', 'default'],
  },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  testMatch: ['<rootDir>/{src,test}/**/*.spec.ts'],
  // PGlite and child processes are slow to start on a busy 2-core machine; no test relies on time.
  testTimeout: 30_000,
};
