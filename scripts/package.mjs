// `npm run package`: the .vsix, written by vsce (--no-dependencies: everything the extension
// needs is in dist/extension.js), which first runs the `vscode:prepublish` script (the
// production bundle). vsce rewrites the README's relative links and images to absolute URLs
// under the manifest's `repository`, as the Marketplace shows them. Fails when the bundle is
// over 1.5 MB, when the archive holds anything outside the allowlist (.vscodeignore), or when
// the packaged README names an image that is not at that path in this repository.
//   npm run package [-- --out <file.vsix>]   prints the path of the .vsix last
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { inflateRawSync } from 'node:zlib';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureNodeModules, root } from './bootstrap.mjs';

export const MAX_BUNDLE_BYTES = 1_500_000;
// Paths inside the .vsix (vsce stores README, CHANGELOG and LICENSE under these names).
const allowed = [/^extension\/dist\/extension\.js$/, /^extension\/package\.json$/, /^extension\/readme\.md$/,
  /^extension\/changelog\.md$/, /^extension\/LICENSE\.txt$/, /^extension\/media\//];
const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
const vsceFlags = ['--no-dependencies'];

/** The entries of a zip archive, from its central directory: name, and where and how its data is stored. */
function zipDirectory(zip) {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) { end = i; break; }
  }
  if (end < 0) throw new Error('not a zip archive (no end of central directory record)');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`corrupt zip central directory at byte ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      localHeader: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Names of the entries of a zip archive. */
export function zipEntries(zip) {
  return zipDirectory(zip).map((e) => e.name);
}

/** The bytes of one entry of a zip archive (stored or deflated). */
export function zipEntry(zip, name) {
  const entry = zipDirectory(zip).find((e) => e.name === name);
  if (!entry) throw new Error(`${name} is not in the archive`);
  const at = entry.localHeader;
  if (zip.readUInt32LE(at) !== 0x04034b50) throw new Error(`corrupt zip local header at byte ${at}`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method === 8) return inflateRawSync(data);
  throw new Error(`${name} uses zip compression method ${entry.method}`);
}

/** `https://github.com/<owner>/<repo>` from the manifest's `repository`. */
export function repositoryUrl(manifest) {
  const url = typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
  const m = /^(?:git\+)?(https:\/\/github\.com\/[^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(url ?? '');
  if (!m) throw new Error(`package.json "repository" must be a https://github.com/<owner>/<repo> URL, not ${JSON.stringify(url)}`);
  return m[1];
}

/**
 * Problems with the images of the packaged README: each must be an absolute URL of a file of this
 * repository (`<repository>/raw/HEAD/<path>`, as vsce rewrites a relative image) that exists here, and
 * not an SVG (the Marketplace refuses those). Returns one sentence per problem.
 */
export function readmeImageProblems(readme, repository, exists = (path) => existsSync(join(root, path))) {
  const images = [...readme.matchAll(/!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g), ...readme.matchAll(/<img\s[^>]*src=["']([^"']+)["']/gi)]
    .map((m) => m[1]);
  const prefix = `${repository}/raw/HEAD/`;
  const problems = [];
  for (const url of images) {
    if (!url.startsWith(prefix)) {
      problems.push(`${url} is not under ${prefix}`);
      continue;
    }
    const path = decodeURIComponent(url.slice(prefix.length));
    if (/\.svg$/i.test(path)) problems.push(`${path} is an SVG, which the Marketplace does not show in a README`);
    else if (!exists(path)) problems.push(`${path} does not exist in the repository`);
  }
  return problems;
}

export function vsixPath() {
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return join(root, `${name}-${version}.vsix`);
}

export function packageExtension({ out = vsixPath() } = {}) {
  ensureNodeModules();
  // vsce runs `vscode:prepublish` (the production bundle) before it packs; its listing of every
  // file is shown only when it fails (the summary below says the same in two lines).
  const pack = spawnSync('node', [vsce, 'package', ...vsceFlags, '--out', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (pack.status !== 0) {
    process.stderr.write(`${pack.stdout}${pack.stderr}`);
    throw new Error(`vsce package exited with ${pack.status ?? pack.signal}`);
  }
  const bundle = join(root, 'dist', 'extension.js');
  const bytes = statSync(bundle).size;
  if (bytes > MAX_BUNDLE_BYTES) {
    rmSync(out, { force: true });
    throw new Error(`dist/extension.js is ${bytes} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit: ` +
      'look for a dependency that should not be in the bundle (esbuild.mjs writes a metafile)');
  }
  // What actually shipped, read back from the archive.
  const zip = readFileSync(out);
  const files = zipEntries(zip).filter((f) => !/^\[Content_Types\]\.xml$|^extension\.vsixmanifest$/.test(f) && !f.endsWith('/'));
  const extra = files.filter((f) => !allowed.some((re) => re.test(f)));
  if (extra.length || !files.includes('extension/dist/extension.js')) {
    rmSync(out, { force: true });
    throw new Error(extra.length ? `files outside the .vscodeignore allowlist were packed: ${extra.join(', ')}`
      : 'dist/extension.js was not packed: check .vscodeignore');
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const problems = readmeImageProblems(zipEntry(zip, 'extension/readme.md').toString('utf8'), repositoryUrl(manifest));
  if (problems.length) {
    rmSync(out, { force: true });
    throw new Error(`the packaged README's images would not show on the Marketplace: ${problems.join('; ')}`);
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
