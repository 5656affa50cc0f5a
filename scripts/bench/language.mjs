// Benchmark of the DICOM-aware editor on the 5,200-instance sample image set (`npm run bench`;
// not a test: nothing here is compared with a fixed number). For each layout, after a one-character
// edit (what a keystroke costs: nothing learned about this very text yet, only what carries over from the
// text before the edit), it measures in one process:
//   - JSON.parse of the edited text (the baseline every ratio refers to),
//   - a hover on an attribute of the last instance (core's metadataHover, as the hover provider calls it),
//   - completion of a key being typed in the last instance's DICOM (metadataCompletion, on invalid JSON),
//   - a diagnostics pass (what MetadataDiagnostics computes: parse with duplicate keys, the update plan,
//     the range and readable location of each problem),
// and prints medians and ratios. The hover and completion run in the extension host on the text
// VS Code hands over (a flat string, as here); VS Code's own round trip comes on top.
//
//   npm run bench                                  (after the engine benchmark)
//   node scripts/bench/language.mjs --runs 9
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureEmulatorBuilt } from '../emulator-build.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values: options } = parseArgs({ options: { runs: { type: 'string', default: '9' } } });
const runs = Number(options.runs);

// The core as the extension ships it: bundled from the TypeScript sources by esbuild.
const dir = mkdtempSync(join(tmpdir(), 'hi-bench-language-'));
const outfile = join(dir, 'language.cjs');
await build({
  stdin: {
    contents: [
      "export { metadataHover } from './src/core/metadataHover';",
      "export { metadataCompletion } from './src/core/metadataCompletion';",
      "export { chooseLayout, findJsonPointerRange, formatMetadata, parseMetadataText } from './src/core/metadataText';",
      "export { computeMetadataUpdate } from './src/core/metadataUpdate';",
      "export { readableLocation } from './src/core/metadataLocation';",
      "export { isValueFormatReason } from './src/core/updateRules';",
    ].join('\n'),
    resolveDir: root, loader: 'ts',
  },
  bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile, logLevel: 'error',
});
const require = createRequire(import.meta.url);
const core = require(outfile);
rmSync(dir, { recursive: true, force: true });
const { generateSeed } = require(ensureEmulatorBuilt('seed', { install: false }));

const sets = generateSeed();
const large = sets.reduce((a, b) => (JSON.stringify(b.metadata).length > JSON.stringify(a.metadata).length ? b : a));
const original = large.metadata;
const instances = Object.values(original.Study.Series).reduce((n, s) => n + Object.keys(s.Instances).length, 0);

/** A flat copy of a string (VS Code hands extensions a joined, flat string; a concatenation is a rope). */
const flat = (s) => s.split('\n').join('\n');

/** Median wall time in ms of `body(fresh text)` over `runs` runs, each on a text edited by one more character
 *  (after `prepare(text)`, untimed, when given). */
function measure(texts, body, prepare) {
  const times = [];
  for (const text of texts) {
    prepare?.(text);
    globalThis.gc();
    const t0 = process.hrtime.bigint();
    const result = body(text);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (result === undefined) throw new Error('benchmark body returned nothing');
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmt = (ms) => ms.toFixed(ms < 10 ? 2 : 1).padStart(8);
const ratio = (x, base) => `${(x / base).toFixed(2)} x`;
console.log(`Node ${process.version}; the ${instances}-instance sample image set; medians of ${runs} runs, each after a one-character edit; ratios to JSON.parse of the same text in the same run.`);

for (const layout of ['compact', 'expanded']) {
  const base = core.formatMetadata(original, layout);
  const lines = base.split('\n').length;
  // One-character edits: a digit of StudyDate becomes a letter (a value that no longer fits its VR,
  // so the diagnostics pass finds, locates and words one problem), a different one each run.
  const dateAt = base.indexOf('"StudyDate": "') + '"StudyDate": "'.length + 7;
  const edited = Array.from({ length: runs }, (_, i) => flat(base.slice(0, dateAt) + 'ABCDEFGHIJKLMNOP'[i % 16] + base.slice(dateAt + 1)));
  // A key being typed in the last instance's DICOM: `"Pat` (invalid JSON), a different one each run.
  const rowsAt = base.lastIndexOf('"Rows":');
  const typing = Array.from({ length: runs }, (_, i) => flat(`${base.slice(0, rowsAt)}"Pat${'x'.repeat(i)}, ${base.slice(rowsAt)}`));
  const hoverAt = (text) => text.lastIndexOf('"InstanceNumber"') + 3;

  const parse = measure(edited, (t) => JSON.parse(t));
  const hover = measure(edited, (t) => core.metadataHover(t, hoverAt(t), { isPrimary: true }));
  const warmHover = measure(edited, (t) => core.metadataHover(t, t.lastIndexOf('"Rows"') + 3), (t) => core.metadataHover(t, hoverAt(t)));
  const completion = measure(typing, (t) => {
    const c = core.metadataCompletion(t, t.lastIndexOf('"Pat') + 4);
    if (!c || c.items.length < 100) throw new Error('no completion');
    return c;
  });
  const diagnostics = measure(edited, (t) => {
    const parsed = core.parseMetadataText(t);
    const plan = core.computeMetadataUpdate(original, parsed.value, { isPrimary: false });
    const out = [];
    for (const r of [...plan.refused, ...plan.forceReasons]) {
      out.push([core.findJsonPointerRange(t, r.path), core.readableLocation(r.path, parsed.value, original), core.isValueFormatReason(r.reason)]);
    }
    if (out.length !== 1) throw new Error(`expected one problem, got ${out.length}`);
    return out;
  });
  console.log(`\n${layout} layout (${layout === core.chooseLayout(original) ? 'what auto picks' : 'healthImaging.documentLayout: expanded'}): ${(base.length / 1e6).toFixed(1)} MB, ${lines} lines`);
  console.log(`  JSON.parse(text)                          ${fmt(parse)} ms   1.00 x`);
  console.log(`  hover, first after the edit               ${fmt(hover)} ms   ${ratio(hover, parse)}`);
  console.log(`  hover, next one in the same text          ${fmt(warmHover)} ms   ${ratio(warmHover, parse)}`);
  console.log(`  completion of a key being typed           ${fmt(completion)} ms   ${ratio(completion, parse)}`);
  console.log(`  diagnostics pass (parse, plan, ranges)    ${fmt(diagnostics)} ms   ${ratio(diagnostics, parse)}`);
}
console.log('\ntarget: hover and completion within 50 ms (diagnostics are debounced: 300 ms + 1 ms per 10 kB of text after the last keystroke)');
