// ESLint, configured once for the whole tree: JavaScript's and typescript-eslint's recommended
// rules. Formatting is Prettier's (.prettierrc.json), not ESLint's.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'out/',
      'library/dist/',
      '.code-server/',
      '.vscode-test/',
      '.tsbuild/',
      'test-results/',
      'node_modules/',
      '.scratch/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // A leading underscore says "deliberately unused" (destructuring a field away, a hook's unused argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Control characters in patterns are deliberate here: students' text is stripped of them.
      'no-control-regex': 'off',
    },
  },
  // The browser side of the e2e tests (page.evaluate callbacks) and the webview run in a page.
  { files: ['webview/**', 'test/e2e/**'], languageOptions: { globals: { ...globals.browser } } },
  // CommonJS entry points (a worker started from source under tsx).
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Declarations of globals need `var` (declare var X: ...).
  { files: ['**/*.d.ts'], rules: { 'no-var': 'off' } },
  // Callbacks evaluated in the workbench page.
  { files: ['scripts/test-integration.mjs'], languageOptions: { globals: { ...globals.browser } } },
  // TypeScript checks names itself (tsc -b), with each layer's own globals.
  { files: ['**/*.ts'], rules: { 'no-undef': 'off' } },
);
