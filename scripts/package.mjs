// `npm run package`: the production bundle, then the .vsix (vsce, --no-dependencies:
// everything the extension needs is in dist/extension.js). Fails when the bundle is
// over 1.5 MB or when the archive holds anything outside the allowlist (.vscodeignore).
//   npm run package [-- --out <file.vsix>]   prints the path of the .vsix last
import { readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureNodeModules, mustRun, root } from './bootstrap.mjs';

export const MAX_BUNDLE_BYTES = 1_500_000;
// Paths inside the .vsix (vsce stores README, CHANGELOG and LICENSE under these names).
const allowed = [/^extension\/dist\/extension\.js$/, /^extension\/package\.json$/, /^extension\/readme\.md$/,
  /^extension\/changelog\.md$/, /^extension\/LICENSE\.txt$/, /^extension\/media\//];
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const vsceFlags = ['--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links'];

/** Names of the entries of a zip archive, from its central directory. */
export function zipEntries(zip) {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error('not a zip archive (no end of central directory record)');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`corrupt zip central directory at byte ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    names.push(zip.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

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
  // vsce lists every file it packs; the summary below says the same in two lines, so its
  // output is shown only when it fails.
  const pack = spawnSync('node', [vsce, 'package', ...vsceFlags, '--out', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (pack.status !== 0) {
    process.stderr.write(`${pack.stdout}${pack.stderr}`);
    throw new Error(`vsce package exited with ${pack.status ?? pack.signal}`);
  }
  // What actually shipped, read back from the archive.
  const files = zipEntries(readFileSync(out)).filter((f) => !/^\[Content_Types\]\.xml$|^extension\.vsixmanifest$/.test(f) && !f.endsWith('/'));
  const extra = files.filter((f) => !allowed.some((re) => re.test(f)));
  if (extra.length || !files.includes('extension/dist/extension.js')) {
    rmSync(out, { force: true });
    throw new Error(extra.length ? `files outside the .vscodeignore allowlist were packed: ${extra.join(', ')}`
      : 'dist/extension.js was not packed: check .vscodeignore');
  }
  console.log(`[package] bundle ${(bytes / 1024).toFixed(0)} KiB; ${files.length} files: ${files.map((f) => f.slice('extension/'.length)).join(', ')}`);
  console.log(`[package] ${relative(root, out)} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { values } = parseArgs({ options: { out: { type: 'string' } } });
    packageExtension({ out: values.out === undefined ? undefined : resolve(values.out) });
  } catch (e) {
    console.error(`[package] ${e.message}`);
    process.exit(1);
  }
}
