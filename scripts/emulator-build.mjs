// Compiles the emulator (src/emulator and src/core, which it imports) to out/ when a compiled file is
// missing or older than its source. Used by `npm run emulator` and the emulator benchmark.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureNodeModules, run, root } from './bootstrap.mjs';

function sourcesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Returns the path of a compiled emulator module (e.g. 'cli'), compiling first if needed. */
export function ensureEmulatorBuilt(module = 'cli') {
  const sources = [...sourcesUnder(join(root, 'src/emulator')), ...sourcesUnder(join(root, 'src/core'))];
  const stale = sources.some((src) => {
    const out = join(root, 'out', relative(root, src)).replace(/\.ts$/, '.js');
    return !existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs;
  });
  if (stale) {
    ensureNodeModules();
    console.error('[emulator] compiling src/emulator and src/core');
    // Only these folders, with the project's compiler options.
    const code = run('npx', ['tsc', '--outDir', 'out', '--rootDir', '.', '--target', 'ES2022', '--module', 'commonjs', '--moduleResolution', 'node',
      '--lib', 'ES2022', '--strict', '--esModuleInterop', '--resolveJsonModule', '--skipLibCheck', '--sourceMap', '--types', 'node',
      ...sources.map((s) => relative(root, s))]);
    // tsc still writes its output when it reports type errors; run that, but say so.
    if (code !== 0) console.error(`[emulator] the compiler reported errors (exit code ${code}); running what it produced`);
  }
  const entry = join(root, 'out/src/emulator', `${module}.js`);
  if (!existsSync(entry)) throw new Error(`${relative(root, entry)} is missing after compiling; see the compiler output above`);
  return entry;
}
