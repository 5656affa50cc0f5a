// Builds the emulator package (emulator/, with the pure core it shares from src/core) when it is
// out of date: `tsc -b emulator` compares sources and outputs itself and returns at once when
// nothing changed. Used by `npm run emulator`, the emulator benchmark and the test build.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ensureNodeModules, mustRun, root } from './bootstrap.mjs';

/** Compiled entry points of the emulator package, by module name (e.g. 'cli', 'server'). */
export function emulatorModule(module) {
  return join(root, 'emulator', 'out', 'emulator', 'src', `${module}.js`);
}

/** Returns the path of a compiled emulator module (e.g. 'cli'), building the package first if needed. */
export function ensureEmulatorBuilt(module = 'cli', { install = true } = {}) {
  if (install) ensureNodeModules();
  mustRun('npx', ['tsc', '-b', 'emulator']);
  const entry = emulatorModule(module);
  if (!existsSync(entry)) throw new Error(`${relative(root, entry)} is missing after building the emulator; see the compiler output above`);
  return entry;
}
