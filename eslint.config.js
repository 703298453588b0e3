// `npm run lint`: ESLint 9 flat config with the @eslint/js and typescript-eslint recommended
// rules over the server (src/), the benchmark (bench/), the scripts and the console
// (admin-ui/src, admin-ui/e2e). Type-aware rules are left out: `npm run typecheck` already runs
// the compiler, and they would multiply the lint time.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** The Node globals the plain-JavaScript scripts use (TypeScript files get theirs from the compiler). */
const nodeGlobals = Object.fromEntries(
  ['process', 'console', 'URL', 'Buffer', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'fetch'].map(
    (name) => [name, 'readonly'],
  ),
);

export default defineConfig(
  {
    ignores: ['**/node_modules/', 'dist/', 'admin-ui/dist/', 'coverage/', 'data/', 'test-results/', 'bench/.work/', 'bench/results/'],
  },
  {
    files: ['src/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs,js}', 'admin-ui/src/**/*.{ts,tsx}', 'admin-ui/e2e/**/*.ts', '*.{js,ts}', 'admin-ui/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: nodeGlobals },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a value dropped on purpose: a field destructured out of an
      // object (`{ secret: _secret, ...rest }`), a stream drained with `for (const _chunk of …)`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Control characters are matched on purpose: client-chosen strings are cleaned of them
      // before they reach logs, headers and the database (src/core/bounded-text.ts).
      'no-control-regex': 'off',
    },
  },
  {
    // Tests and their helpers read arbitrary JSON bodies from the system under test.
    files: ['**/*.test.ts', 'src/test-support/**', 'src/routes/admin/admin-test-client.ts', 'admin-ui/e2e/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Kysely's documented migration type: a migration must not depend on today's schema types.
    files: ['src/storage/migrations/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
