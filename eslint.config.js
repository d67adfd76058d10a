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
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../application/*', '../adapters/*', '../../*', '../config*', '../main*'], message: 'src/domain imports nothing outside src/domain.' },
          { group: ['fastify', 'fastify/*', '@fastify/*', '@aws-sdk/*', '@sinclair/*', 'pino', 'get-jwks', 'fast-jwt'], message: 'src/domain is plain TypeScript: no frameworks, no SDKs.' },
        ],
      }],
    },
  },
  {
    files: ['src/application/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['../adapters/*', '../../adapters/*', '../config*', '../main*'], message: 'use cases depend on ports, never on adapters.' },
          { group: ['fastify', 'fastify/*', '@fastify/*', '@aws-sdk/*', '@sinclair/*'], message: 'use cases are framework-free.' },
        ],
      }],
    },
  },
);
