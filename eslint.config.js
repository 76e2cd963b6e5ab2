// `npm run lint` (part of `npm test`): typescript-eslint with type information over src/,
// test/ and bench/ — the rules that need the type checker (floating promises, awaiting
// non-promises, unsafe `any`) are the ones that find real bugs in async code like ours.
// Formatting is not linted: there is no formatter, and no rule here rewrites layout.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'bench/.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // node:test's test()/describe()/it() return promises the runner itself awaits;
      // every other promise must be awaited, returned, or handed to `void` on purpose.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      // `_`-prefixed parameters and bindings are unused on purpose (an interface's shape).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Event handlers and callbacks that start async work on purpose (`on('close', async …)`)
      // are fine; a promise passed where a boolean is tested is not.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      // Numbers and booleans in template strings are what messages are made of.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
      // We keep the first error a `catch` caught (typed `unknown`) and rethrow it later
      // (`if (this.#failure !== undefined) throw this.#failure`); TypeScript narrows that to
      // `{} | null`, which these two rules reject although nothing new is thrown. Our own
      // errors are classes (src/errors.ts); nothing throws a string.
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // An interface's async method may have nothing to await in one implementation.
      '@typescript-eslint/require-await': 'off',
      // A record's field values are `unknown` to TypeScript, but by the time one is turned into
      // text (`String(value.ts)`) the API's rules have made it a JSON scalar, a bigint or a
      // JsonNumberText, whose toString is exactly the text to send (docs/API.md, Records).
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests assert on parsed JSON (`any` by nature), pass methods to assert as values and put
    // any value in a failure message: the unsafe-any and method rules guard production code.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/restrict-template-expressions': 'off',
      // Tests match terminal escapes and aligned columns in the output.
      'no-control-regex': 'off',
      'no-regex-spaces': 'off',
    },
  },
  {
    // The bin/ shim, the sample signer and this file are plain JavaScript outside tsconfig:
    // lint them without type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' },
    },
  },
);
