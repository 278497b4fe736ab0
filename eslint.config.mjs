// Lint rules: strict TypeScript, no floating promises, and Nx module boundaries so that the
// layout stays the architecture: apps never import apps; libs only import libs of a lower layer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/** Apps whose SQL is all in stores and whose files (but main.ts) never see the ServiceRuntime. */
const STORE_APPS = ['gateway-sync', 'gateway-simulator', 'signer', 'intake'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'dist/**', '.tools/**', '.state/**', 'coverage/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:domain', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'] },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
            { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:contracts', 'type:util', 'type:test'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'tools/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // SQL lives in stores (issue 21): these apps run no `.query(` outside *.store.ts and
    // migrations, and only main.ts holds the ServiceRuntime (everything else takes narrow
    // injectables). An app joins the list once it complies; the aim is every app.
    files: STORE_APPS.map((app) => `apps/${app}/src/**/*.ts`),
    ignores: ['**/*.store.ts', '**/migrations/**', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: { 'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='query']", message: 'SQL belongs in a *.store.ts (one store per group of tables)' }] },
  },
  {
    files: STORE_APPS.map((app) => `apps/${app}/src/**/*.ts`),
    ignores: ['**/main.ts', '**/*.spec.ts', '**/*.int-spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: '@bhyt/service-kit', importNames: ['ServiceRuntime'], message: 'Only main.ts holds the runtime; take DATA_SOURCE, REPEATABLE_TRANSACTION, LOGGER, … from @bhyt/service-kit through Nest' }] }],
    },
  },
);
