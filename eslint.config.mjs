// Lint rules, including the layering of the source tree:
//   core  <-  aws  <-  explorer / documents / shared  <-  extension.ts
// src/core is pure (no vscode, no SDK, no I/O); src/aws and src/emulator never import vscode.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeIo = ['fs', 'fs/promises', 'http', 'https', 'net', 'zlib', 'child_process', 'os', 'path', 'dgram', 'tls', 'worker_threads', 'readline', 'stream'];
const banVscode = { name: 'vscode', message: 'Only the VS Code glue (explorer, documents, shared, extension.ts) may import vscode.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'tools/vscode-host/node_modules/**', '.vscode-test/**', '.test-results/**'] },
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
    rules: { 'no-console': 'error' },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [banVscode, ...nodeIo.flatMap((m) => [
          { name: m, message: 'src/core is pure: no I/O.' },
          { name: `node:${m}`, message: 'src/core is pure: no I/O.' },
        ])],
        patterns: [{ group: ['@aws-sdk/*', '@smithy/*'], message: 'src/core must not import the AWS SDK.' }],
      }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'src/core is pure: no I/O.' }],
    },
  },
  {
    files: ['src/aws/**/*.ts', 'src/emulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [banVscode] }] },
  },
  {
    files: ['src/emulator/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
