// Frames benchmark (not a test: it prints numbers and ratios against baselines measured in the same run).
//   node scripts/bench/frames.mjs [--runs 60] [--starts 3] [--base main] [--no-panel]
// 1. The emulator's --seed: start time (to its "listening" line) and memory at rest (after a GC), this tree's
//    (HTJ2K phantoms) against the base's (default: the merge base with main, before HTJ2K storage), the base
//    built in a temporary folder; starts alternate between the two so that load from other work hits both.
// 2. Decoding a 512 × 512 16-bit HTJ2K frame (the emulator's CT phantom, lossless) in Node with the WebAssembly
//    the extension ships (media/frames/openjph.wasm), against the JavaScript CRC-32 of the decoded pixels that the
//    page computes for every frame; also the page's whole work per frame (decode, checksum, grey levels).
// 3. The .vsix: its size now, and that of the base packaged the same way; the growth against the issue's budget
//    (+600 KB).
// 4. The time from opening the panel to its first thumbnail on the 5,200-instance seeded CT image set: the
//    integration test that logs it runs in the real extension host (about a minute; --no-panel skips it).
import { build } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../bootstrap.mjs';
import { emulatorModule, ensureEmulatorBuilt } from '../emulator-build.mjs';
import { packageExtension, zipEntries } from '../package.mjs';
import { launchEmulator, memoryAtRest, stopEmulator } from './emulatorProcess.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const RUNS = Number(opt('--runs', 60));
const STARTS = Number(opt('--starts', 3));
const BASE = opt('--base', 'main');
const require = createRequire(import.meta.url);
const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const ratio = (a, b) => `${(a / b).toFixed(2)} x baseline`;

console.log(`Frames benchmark (node ${process.version})\n`);


// The base tree (git archive of the merge base), with this tree's packages linked read only: it is built and
// packaged directly (its package script would install packages, and through the link that would replace this
// tree's node_modules).
const ref = execFileSync('git', ['merge-base', 'HEAD', BASE], { cwd: root, encoding: 'utf8' }).trim();
const baseDir = mkdtempSync(join(tmpdir(), 'hi-frames-base-'));
process.on('exit', () => rmSync(baseDir, { recursive: true, force: true }));
execFileSync('sh', ['-c', `git archive ${ref} | tar -x -C ${JSON.stringify(baseDir)}`], { cwd: root });
symlinkSync(join(root, 'node_modules'), join(baseDir, 'node_modules'));
function runIn(dir, command) {
  const r = spawnSync(process.execPath, command, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command.join(' ')} in ${ref.slice(0, 8)} failed: ${r.stderr || r.stdout}`);
}

// --- 1. the emulator's --seed ---------------------------------------------------------------------------------
const cli = ensureEmulatorBuilt('cli');
runIn(baseDir, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'emulator']);
const baseCli = join(baseDir, 'emulator', 'out', 'emulator', 'src', 'cli.js');

async function startAndMeasure(program) {
  const e = await launchEmulator(program, ['--seed']);
  try {
    return { ms: e.ms, memory: await memoryAtRest(e) };
  } finally {
    await stopEmulator(e);
  }
}
const seedRuns = { base: [], now: [] };
for (let i = 0; i < STARTS; i++) {
  seedRuns.base.push(await startAndMeasure(baseCli));
  seedRuns.now.push(await startAndMeasure(cli));
}
const seedFigures = (runs) => ({
  ms: median(runs.map((r) => r.ms)),
  heap: median(runs.map((r) => r.memory.heapUsed)),
  buffers: median(runs.map((r) => r.memory.arrayBuffers)),
  rss: median(runs.map((r) => r.memory.rss)),
});
const seedBase = seedFigures(seedRuns.base);
const seedNow = seedFigures(seedRuns.now);
console.log(`The emulator with --seed, in its own process (median of ${STARTS} starts each, alternating):`);
console.log(`  base ${ref.slice(0, 8)} (raw 16 × 16 frames): start ${seedBase.ms.toFixed(0)} ms, at rest heap ${mib(seedBase.heap)} + buffers ${mib(seedBase.buffers)}, RSS ${mib(seedBase.rss)}  (baseline)`);
console.log(`  this tree (HTJ2K phantoms):       start ${seedNow.ms.toFixed(0)} ms (${ratio(seedNow.ms, seedBase.ms)}), at rest heap ${mib(seedNow.heap)} + buffers ${mib(seedNow.buffers)}, RSS ${mib(seedNow.rss)} (${ratio(seedNow.rss, seedBase.rss)})`);
console.log('');
// --- 2. decoding ------------------------------------------------------------------------------------------------
packageExtension(); // the production bundle, the page and media/frames/openjph.wasm, as they ship
const dir = mkdtempSync(join(tmpdir(), 'hi-frames-bench-'));
const entry = join(dir, 'entry.ts');
const bundle = join(dir, 'bench.cjs');
await build({
  stdin: {
    contents: `export { encodeHtj2k } from ${JSON.stringify(join(root, 'src/core/htj2k.ts'))};
export { crc32 } from ${JSON.stringify(join(root, 'src/core/crc32.ts'))};
export { decodeHtj2kFrame } from ${JSON.stringify(join(root, 'src/frames/page/decode.ts'))};
export { renderGrey, samplesOf } from ${JSON.stringify(join(root, 'src/frames/page/render.ts'))};`,
    resolveDir: root, sourcefile: entry, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'error',
});
const page = require(bundle);
const { ctChest } = require(emulatorModule('phantoms'));
const factory = require('@cornerstonejs/codec-openjph');
const codec = await factory({ wasmBinary: readFileSync(join(root, 'media', 'frames', 'openjph.wasm')), print: () => {}, printErr: () => {} });

const image = ctChest(512, { plane: 'axial', position: 0.1, index: 3 });
const pixels = new Uint8Array(Int16Array.from(image.values).buffer);
const encoded = page.encodeHtj2k(codec, pixels, { width: 512, height: 512, bitsPerSample: 16, componentCount: 1, isSigned: true, isUsingColorTransform: false });
const instance = {
  sopInstanceUID: '1', checksumType: 'DECOMPRESSED', frames: [], preview: { decoder: 'htj2k' },
  pixels: { rows: 512, columns: 512, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 16, signed: true, photometric: 'MONOCHROME2', rescaleSlope: 1, rescaleIntercept: -1024, window: { center: 40, width: 400 } },
};
const info = { id: 'f', checksum: page.crc32(pixels) };
const rgba = new Uint8ClampedArray(512 * 512 * 4);
const now = () => Number(process.hrtime.bigint()) / 1e6;
const times = { crc: [], decode: [], page: [] };
for (let i = 0; i < RUNS + 10; i++) {
  let t = now();
  page.crc32(pixels);
  const crc = now() - t;
  t = now();
  const frame = page.decodeHtj2kFrame(codec, encoded, instance, { id: 'f' }); // decode only: no checksum to compare
  const decode = now() - t;
  t = now();
  const checked = page.decodeHtj2kFrame(codec, encoded, instance, info); // decode and the checksum
  page.renderGrey(page.samplesOf(checked), { slope: 1, intercept: -1024, window: { center: 40, width: 400 }, invert: false }, rgba);
  const whole = now() - t;
  if (frame.width !== 512 || !Buffer.from(checked.pixels).equals(Buffer.from(pixels))) throw new Error('the frame did not decode exactly');
  if (i >= 10) { times.crc.push(crc); times.decode.push(decode); times.page.push(whole); }
}
rmSync(dir, { recursive: true, force: true });
const base = median(times.crc);
console.log(`Decoding a 512 × 512 16-bit HTJ2K frame (CT phantom, ${encoded.length} bytes for ${pixels.length} of pixels), median of ${RUNS}:`);
console.log(`  CRC-32 of the decoded pixels (JavaScript)    ${base.toFixed(2)} ms  (baseline)`);
console.log(`  decode (media/frames/openjph.wasm)           ${median(times.decode).toFixed(2)} ms  (${(median(times.decode) / base).toFixed(1)} x baseline)`);
console.log(`  decode + checksum + grey levels (per frame)  ${median(times.page).toFixed(2)} ms  (${(median(times.page) / base).toFixed(1)} x baseline)`);

// --- 3. the .vsix -------------------------------------------------------------------------------------------------
function vsixReport(file) {
  const zip = readFileSync(file);
  return { size: statSync(file).size, entries: zipEntries(zip) };
}
const now_ = vsixReport(join(root, 'healthimaging-metadata-editor-0.1.0.vsix'));
let baseSize;
try {
  const out = join(baseDir, 'base.vsix');
  runIn(baseDir, ['esbuild.mjs', '--production']);
  runIn(baseDir, [join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out]);
  if (!existsSync(out)) throw new Error(`packaging ${ref.slice(0, 8)} wrote no .vsix`);
  baseSize = statSync(out).size;
  console.log(`\n.vsix (vsce package, production bundle):`);
  console.log(`  base ${ref.slice(0, 8)} (merge base with ${BASE})  ${kib(baseSize)}  (baseline)`);
} catch (e) {
  console.log(`\n.vsix: no baseline (${e.message.split('\n')[0]})`);
}
const growth = baseSize === undefined ? undefined : now_.size - baseSize;
console.log(`  this tree                            ${kib(now_.size)}${baseSize ? `  (${(now_.size / baseSize).toFixed(2)} x baseline; +${kib(growth)}, budget +600 KB: ${growth <= 600 * 1000 ? 'within' : 'OVER'})` : ''}`);
console.log(`  frames files: ${now_.entries.filter((e) => e.includes('media/frames/')).map((e) => e.replace('extension/', '')).join(', ')}`);

// --- 4. panel to first thumbnail --------------------------------------------------------------------------------
if (!args.includes('--no-panel')) {
  console.log('\nOpening the panel to its first thumbnail (integration test in the extension host, about a minute):');
  const r = spawnSync(process.execPath, ['out/test/integration/runTests.js'], {
    cwd: root, encoding: 'utf8', env: { ...process.env, HI_TEST_GREP: 'logs the time from opening the panel' }, maxBuffer: 64 * 1024 * 1024,
  });
  const line = /frames: first thumbnail of the .*/.exec(`${r.stdout}\n${r.stderr}`)?.[0];
  console.log(line ? `  ${line}` : `  not measured: the integration test exited with ${r.status} (build first: npx tsc -p tsconfig.json)`);
}
