// Makes a fresh clone runnable: installs the npm packages when package-lock.json
// changed since the last install (a stamp inside node_modules remembers it).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

export function mustRun(cmd, args, opts = {}) {
  const code = run(cmd, args, opts);
  if (code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} exited with ${code}`);
  }
}

// Only what npm installs from: the lock file and the dependency fields of the two manifests, so that a
// change to the extension's contributions does not reinstall everything.
function hashOf(lockFile, manifests) {
  const h = createHash('sha256');
  h.update(existsSync(lockFile) ? readFileSync(lockFile) : '');
  for (const f of manifests) {
    const m = existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : {};
    const fields = ['name', 'workspaces', 'dependencies', 'devDependencies', 'optionalDependencies', 'overrides'];
    h.update(JSON.stringify(fields.map((k) => m[k] ?? null)));
  }
  return h.digest('hex');
}

export function ensureNodeModules() {
  const stamp = join(root, 'node_modules', '.install-stamp');
  const want = hashOf(join(root, 'package-lock.json'), [join(root, 'package.json'), join(root, 'emulator', 'package.json')]);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  console.log('[bootstrap] installing npm packages (npm ci)');
  mustRun('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, want);
}

export function build() {
  // The emulator package first: the tests import it (by its package name) from its compiled output.
  mustRun('npx', ['tsc', '-b', 'emulator']);
  mustRun('npx', ['tsc', '-p', 'tsconfig.json']);
  mustRun('node', ['esbuild.mjs']);
}
