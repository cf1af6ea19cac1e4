import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'playground/**', 'coverage/**', 'test-artifacts/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', __dirname: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // The email logic that needs no database (and the inbound/outbound roads that drive it through interfaces) must
    // stay free of Strapi so it can be reused and unit-tested alone.
    files: [
      'src/mail/**/*.ts',
      'src/regex/**/*.ts',
      'src/policy/**/*.ts',
      'src/crypto/**/*.ts',
      'src/ingest/**/*.ts',
      'src/outbound/**/*.ts',
      'src/schemas/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: ['@strapi/*', '**/services/**', '**/content-types/**'] },
      ],
    },
  },
  {
    // The vocabulary both sides share imports nothing, so the admin bundle stays small and no side drags the other in.
    files: ['contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!\\./[^/]+$)', message: 'contracts/ imports only its own siblings (./x)' }],
        },
      ],
    },
  }
);
