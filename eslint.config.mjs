import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import js from '@eslint/js';

// Node's HTTP servers: only apps/server may open a port (SPEC §2).
const httpModules = ['http', 'node:http', 'https', 'node:https', 'http2', 'node:http2'].map((name) => ({
  name,
  message: 'Only apps/server may use an HTTP server module (SPEC §2).',
}));
const serverOnlyPackages = ['express', 'express-*', 'helmet', 'supertest'];

export default [
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.nx/**', '**/coverage/**', '**/test/corpus/**', '**/test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          banTransitiveDependencies: true,
          allow: [],
          // SPEC §2, the import table. Tags live in each package.json ("nx": {"tags": [...]}).
          depConstraints: [
            { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: [], allowedExternalImports: ['zod', 'node:*'] },
            { sourceTag: 'scope:logging', onlyDependOnLibsWithTags: [], bannedExternalImports: serverOnlyPackages },
            { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:contracts'], bannedExternalImports: serverOnlyPackages },
            { sourceTag: 'scope:db', onlyDependOnLibsWithTags: ['scope:contracts'], bannedExternalImports: serverOnlyPackages },
            { sourceTag: 'scope:executor-client', onlyDependOnLibsWithTags: ['scope:contracts'], bannedExternalImports: serverOnlyPackages },
            { sourceTag: 'scope:governed-apply', onlyDependOnLibsWithTags: ['scope:contracts'], bannedExternalImports: serverOnlyPackages },
            {
              sourceTag: 'scope:server',
              onlyDependOnLibsWithTags: ['scope:contracts', 'scope:logging', 'scope:auth', 'scope:db', 'scope:governed-apply'],
            },
            {
              sourceTag: 'scope:executor',
              onlyDependOnLibsWithTags: ['scope:contracts', 'scope:logging', 'scope:executor-client', 'scope:governed-apply'],
              bannedExternalImports: serverOnlyPackages,
            },
            { sourceTag: 'scope:tool', onlyDependOnLibsWithTags: ['*'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    // Tests may run fake servers (e.g. an LLM provider's wire format), as drift-check allows.
    ignores: ['apps/server/**', 'tools/**', '**/test/**'],
    rules: { 'no-restricted-imports': ['error', { paths: httpModules }] },
  },
  {
    // Run events are appended in one module, the kernel's events.ts (its recordEvent): the one
    // place that will also notify after commit.
    files: ['apps/server/src/**/*.ts'],
    ignores: ['apps/server/src/kernel/events.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "Identifier[name='appendEvent']",
          message: 'Append run events through recordEvent of apps/server/src/kernel (kernel/events.ts is the only module that calls appendEvent).',
        },
      ],
    },
  },
];
