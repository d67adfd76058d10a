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
