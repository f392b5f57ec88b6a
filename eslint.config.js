// Type-aware lint: no-floating-promises matters most here, because an un-awaited
// Firestore write or effect silently breaks the "act after commit" rule.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.cutover/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
  {
    // vitest's asymmetric matchers (expect.objectContaining, …) are typed `any` by design.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
  {
    files: ['eslint.config.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // The domain core is pure: no clock, no environment, no Google clients.
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['@google-cloud/*', 'node:*', 'pino'] }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is passed in through ctx.now.' },
        { object: 'process', property: 'env', message: 'Config is passed in.' },
        { object: 'DateTime', property: 'now', message: 'Time is passed in through ctx.now.' },
        { object: 'DateTime', property: 'local', message: 'Times are resolved in a named zone, never the machine\'s.' },
      ],
    },
  },
);
