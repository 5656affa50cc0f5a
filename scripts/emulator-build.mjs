// Compiles the emulator (src/emulator + what it imports from src/core) to out/ when the compiled
// files are missing or older than the sources. Used by `npm run emulator` and the emulator benchmark.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNodeModules, mustRun, root } from './bootstrap.mjs';

function newest(dir, exts) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function oldest(dir) {
  if (!existsSync(dir)) return 0;
  let t = Infinity;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.min(t, oldest(p));
    else if (e.name.endsWith('.js')) t = Math.min(t, statSync(p).mtimeMs);
  }
  return t;
}

/** Returns the path of a compiled emulator module (e.g. 'cli'), compiling first if needed. */
export function ensureEmulatorBuilt(module = 'cli') {
  const entry = join(root, 'out/src/emulator', `${module}.js`);
  const sources = Math.max(newest(join(root, 'src/emulator'), ['.ts']), newest(join(root, 'src/core'), ['.ts', '.json']));
  const compiled = existsSync(entry) ? Math.min(oldest(join(root, 'out/src/emulator')), oldest(join(root, 'out/src/core'))) : 0;
  if (!existsSync(entry) || compiled < sources) {
    ensureNodeModules();
    console.error('[emulator] compiling src/emulator and src/core');
    // Only the emulator and what it imports, with the project's compiler options.
    mustRun('npx', ['tsc', '--outDir', 'out', '--rootDir', '.', '--target', 'ES2022', '--module', 'commonjs', '--moduleResolution', 'node',
      '--lib', 'ES2022', '--strict', '--esModuleInterop', '--resolveJsonModule', '--skipLibCheck', '--sourceMap', '--types', 'node',
      'src/emulator/cli.ts']);
  }
  return entry;
}
