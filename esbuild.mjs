// Bundles the extension (src/extension.ts) into dist/extension.js, and the frames page
// (src/frames/page/main.ts, a browser script) into media/frames/page.js next to the decoder's
// WebAssembly (media/frames/openjph.wasm, copied from @cornerstonejs/codec-openjph).
// Type checking is a separate step (`npm run typecheck`).
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const options = {
  entryPoints: ['src/extension.ts'],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: 'dist/extension.js',
  external: ['vscode'],
  sourcemap: !production,
  minify: production,
  metafile: true,
  logLevel: 'warning',
  // The AWS SDK ships ESM and CJS builds; prefer the module build for smaller output.
  mainFields: ['module', 'main'],
};

const pageOptions = {
  entryPoints: ['src/frames/page/main.ts'],
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  outfile: 'media/frames/page.js',
  // The decoder's Emscripten glue names Node modules on a path the browser never takes.
  external: ['fs', 'path'],
  // Inline in development only: a separate map file would ship with media/.
  sourcemap: production ? false : 'inline',
  minify: production,
  metafile: true,
  logLevel: 'warning',
};

mkdirSync('media/frames', { recursive: true });
copyFileSync(createRequire(import.meta.url).resolve('@cornerstonejs/codec-openjph/wasm'), 'media/frames/openjph.wasm');

if (watch) {
  for (const o of [options, pageOptions]) await (await esbuild.context(o)).watch();
} else {
  for (const o of [options, pageOptions]) {
    const result = await esbuild.build(o);
    const bytes = Object.values(result.metafile.outputs).reduce((n, x) => n + x.bytes, 0);
    console.log(`[esbuild] ${o.outfile} ${(bytes / 1024).toFixed(0)} KiB`);
  }
}
