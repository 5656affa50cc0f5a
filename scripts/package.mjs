// `npm run package`: the production bundle, then the .vsix (vsce, --no-dependencies:
// everything the extension needs is in dist/extension.js). Fails when the bundle is
// over 1.5 MB or when anything outside the allowlist (.vscodeignore) would ship.
//   npm run package [-- --out <file.vsix>]   prints the path of the .vsix last
import { readFileSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureNodeModules, mustRun, root } from './bootstrap.mjs';

export const MAX_BUNDLE_BYTES = 1_500_000;
const allowed = [/^dist\/extension\.js$/, /^package\.json$/, /^README\.md$/, /^CHANGELOG\.md$/, /^LICENSE(\.md|\.txt)?$/, /^media\//];
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const vsceFlags = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];

export function vsixPath() {
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return join(root, `${name}-${version}.vsix`);
}

export function packageExtension({ out = vsixPath(), skipBuild = false } = {}) {
  if (!skipBuild) {
    ensureNodeModules();
    mustRun('node', ['esbuild.mjs', '--production']);
  }
  const bundle = join(root, 'dist', 'extension.js');
  const bytes = statSync(bundle).size;
  if (bytes > MAX_BUNDLE_BYTES) {
    throw new Error(`dist/extension.js is ${bytes} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit: ` +
      'look for a dependency that should not be in the bundle (esbuild.mjs writes a metafile)');
  }
  const ls = spawnSync('node', [vsce, 'ls', '--no-dependencies'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (ls.status !== 0) throw new Error(`vsce ls exited with ${ls.status}`);
  const files = ls.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const extra = files.filter((f) => !allowed.some((re) => re.test(f)));
  if (extra.length) throw new Error(`files outside the .vscodeignore allowlist would ship: ${extra.join(', ')}`);
  if (!files.includes('dist/extension.js')) throw new Error('dist/extension.js would not ship: check .vscodeignore');
  // vsce lists every file it packs; the summary below says the same in two lines, so its
  // output is shown only when it fails.
  const pack = spawnSync('node', [vsce, 'package', ...vsceFlags, '--out', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (pack.status !== 0) {
    process.stderr.write(`${pack.stdout}${pack.stderr}`);
    throw new Error(`vsce package exited with ${pack.status ?? pack.signal}`);
  }
  console.log(`[package] bundle ${(bytes / 1024).toFixed(0)} KiB; ${files.length} files: ${files.join(', ')}`);
  console.log(`[package] ${relative(root, out)} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const out = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1]) : undefined;
  try {
    packageExtension({ out });
  } catch (e) {
    console.error(`[package] ${e.message}`);
    process.exit(1);
  }
}
