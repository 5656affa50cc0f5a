// Lint rules, including the layering of the source tree:
//   core  <-  aws  <-  explorer / documents / language / frames / shared  <-  extension.ts
// (the frames page, src/frames/page, is a browser script: core only, no vscode, no Node)
// src/core is pure (no vscode, no SDK, no I/O); src/aws never imports vscode; the extension (src/)
// never imports the emulator package (emulator/), and the emulator never imports vscode or any part
// of the extension but its pure core (src/core). Tests and tools use the emulator through its package
// name (`healthimaging-emulator`), never its sources. The emulator's own tests share only
// test/support/ (dependency-free test helpers) with the root test tree. Import cycles are found by
// `npm run check:cycles` (madge), which `npm run lint` and `npm test` run after ESLint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeIo = ['fs', 'fs/promises', 'http', 'https', 'net', 'zlib', 'child_process', 'os', 'path', 'dgram', 'tls', 'worker_threads', 'readline', 'stream'];
const banVscode = { name: 'vscode', message: 'Only the VS Code glue (explorer, documents, language, frames, shared, extension.ts) may import vscode.' };
const banEmulator = { name: 'healthimaging-emulator', message: 'The extension never imports the emulator; it talks to any HealthImaging endpoint through the SDK.' };
const emulatorSources = { group: ['**/emulator/src', '**/emulator/src/**'], message: 'Use the emulator through its package name, healthimaging-emulator.' };
const extensionButCore = {
  group: ['**/src/*', '**/src/**', '!**/src/core', '!**/src/core/**', '!../src/**', '!./**'],
  message: 'The emulator shares only the pure core (src/core) with the extension.',
};
const rootTestsButSupport = {
  regex: '^(\\.\\./)+test/(?!support/)',
  message: 'The emulator shares only test/support/ (dependency-free test helpers) with the root test tree.',
};

/** no-restricted-imports for a folder (a later config replaces the rule, so each folder lists all its bans). */
const restrict = ({ paths = [], patterns = [] }) => ['error', { paths, patterns }];

export default tseslint.config(
  { ignores: ['**/out/**', 'dist/**', '**/node_modules/**', '.vscode-test/**', '.test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': restrict({ paths: [banEmulator], patterns: [emulatorSources] }),
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict({
        paths: [banVscode, banEmulator, ...nodeIo.flatMap((m) => [
          { name: m, message: 'src/core is pure: no I/O.' },
          { name: `node:${m}`, message: 'src/core is pure: no I/O.' },
        ])],
        patterns: [emulatorSources, { group: ['@aws-sdk/*', '@smithy/*'], message: 'src/core must not import the AWS SDK.' }],
      }),
      'no-restricted-globals': ['error', { name: 'fetch', message: 'src/core is pure: no I/O.' }],
    },
  },
  {
    // The frames page runs in the webview (a browser): no vscode, no Node modules.
    files: ['src/frames/page/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': restrict({
        paths: [{ name: 'vscode', message: 'The frames page runs in a webview: it talks to the extension by messages.' }, banEmulator,
          ...nodeIo.flatMap((m) => [{ name: m, message: 'The frames page runs in a browser.' }, { name: `node:${m}`, message: 'The frames page runs in a browser.' }])],
        patterns: [emulatorSources],
      }),
    },
  },
  {
    files: ['src/aws/**/*.ts'],
    rules: { 'no-restricted-imports': restrict({ paths: [banVscode, banEmulator], patterns: [emulatorSources] }) },
  },
  {
    files: ['emulator/**/*.ts'],
    rules: { 'no-restricted-imports': restrict({ paths: [banVscode], patterns: [extensionButCore, rootTestsButSupport] }) },
  },
  {
    files: ['emulator/src/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict({
        paths: [banVscode],
        patterns: [extensionButCore, { regex: '(^|/)test/', message: 'The emulator never imports test code.' }],
      }),
    },
  },
  {
    files: ['test/**/*.ts', 'tools/**/*.ts'],
    rules: { 'no-restricted-imports': restrict({ patterns: [emulatorSources] }) },
  },
);
