// ESLint flat config: typescript-eslint's recommended type-aware rules over src/ and test/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // syntax-error.mjs is a handler with a syntax error on purpose (test/integration/cli/devloop.test.ts); the TypeScript fixtures are transpiled at run time.
  { ignores: ['dist/', 'node_modules/', '.gatehouse/', 'src/model/service-model.generated.ts', 'test/fixtures/devloop/syntax-error.mjs', 'test/fixtures/functions/typescript/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] }] },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // The server's own code: what makes V8 read ICU's data out of the node binary keeps it resident (src/text-order.ts).
    files: ['src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...['localeCompare', 'toLocaleString', 'toLocaleDateString', 'toLocaleTimeString', 'toLocaleUpperCase', 'toLocaleLowerCase'].map((property) => ({
          property,
          message: `${property} reads ICU data that stays resident (1.6 MB for localeCompare's collator): see src/text-order.ts.`,
        })),
      ],
      'no-restricted-globals': ['error', { name: 'Intl', message: 'Intl reads ICU data that stays resident: see src/text-order.ts.' }],
    },
  },
  {
    // Tests read parsed JSON events deeply; `any` there is the honest type.
    files: ['test/**/*.ts', '**/*.test.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/**/*.mjs', 'bench/**/*.mjs', 'examples/**/*.{js,mjs}', 'test/fixtures/**/*.{js,mjs,cjs}', 'eslint.config.js'],
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', setInterval: 'readonly',
        clearTimeout: 'readonly', clearInterval: 'readonly', fetch: 'readonly', module: 'writable', exports: 'writable', require: 'readonly', __dirname: 'readonly',
      },
    },
  },
);
