// One linter for the whole project. The domain must stay free of frameworks and adapters:
// the no-restricted-imports block below is the dependency rule of the hexagon, checked in CI.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'packages/*/dist/**', 'node_modules/**', 'infra/node_modules/**', 'infra/cdk.out/**', '.tap/**', 'coverage/**', 'src/adapters/http/public/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  // A promise nobody awaits hides its rejection and its timing (local mode's shutdown once removed the data
  // directory while a step was still writing into it): these two rules need the type checker, so they run
  // only on the TypeScript that has a tsconfig.
  {
    files: ['src/**/*.ts', 'packages/client/src/**/*.ts', 'test/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // tap queues a subtest and waits for it before the parent ends, so `t.test(…)` is written without await
  // (https://node-tap.org/subtests/); its PromiseWithSubtest is the one promise a test may leave floating.
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafePromises: [{ from: 'package', name: 'PromiseWithSubtest', package: '@tapjs/core' }],
      }],
    },
  },
  // The dependency rule of the hexagon as allow-lists: a specifier not listed is refused, so a new
  // package or built-in cannot slip into an inner layer unnoticed (block-lists missed `replicate`, `node:fs`).
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\./)', message: 'src/domain imports only src/domain (./…): no other layer, no package, no Node built-in.' }],
      }],
    },
  },
  {
    files: ['src/application/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\./|\\.\\./domain/|node:)', message: 'use cases import only src/application (./…, their ports), src/domain and Node built-ins: never adapters, composition, config or a package.' }],
      }],
    },
  },
  {
    files: ['src/application/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '^(?!\\./|\\.\\./[^./][^/]*$|\\.\\./\\.\\./domain/|node:)', message: 'ports import only src/application and src/domain (and Node built-ins): never adapters, composition, config or a package.' }],
      }],
    },
  },
);
