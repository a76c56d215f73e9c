import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.cache/**', '.tmp/**', '**/.scratch/**', 'test-results/**', 'playwright-report/**', '.reports/**', 'e2e/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Browser-facing packages must never pull Node-only modules into a page bundle.
    files: ['packages/bytes/src/**', 'packages/amf/src/**', 'packages/player/src/**', 'apps/demo/src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'ws', 'net', 'tls', 'fs'] }],
    },
  },
  {
    files: ['packages/rtmp/src/**'],
    ignores: ['packages/rtmp/src/node/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', 'ws', 'net', 'tls', 'fs'] }],
    },
  },
);
