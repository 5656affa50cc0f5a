// Benchmark of the core update engine (`npm run bench`; not a test, nothing here is timed against
// a fixed number). On generated image-set documents of 1,000 and 10,000 instances it measures, in
// the same process and on the same documents:
//   - JSON.parse of the edited text (the baseline every ratio refers to),
//   - computeMetadataUpdate(original, edited) for a typical edit,
//   - a full round trip: computeMetadataUpdate, then applyMetadataUpdate of every request in order,
//   - two peer approaches to finding the changes: fast-json-patch `compare` (as the AWS Toolkit's
//     resource editor does) and `flat` flatten-and-compare (as the aws-samples metadata editor does),
// and prints medians, ratios and the peak memory of the process.
//
//   npm run bench                       both sizes
//   node scripts/bench.mjs --sizes 1000 --runs 5
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateDocument, typicalEdit } from './bench/documents.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

// Re-run with --expose-gc so that each measurement starts from a collected heap.
if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values: options } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000' }, runs: { type: 'string' } } });
const sizes = options.sizes.split(',').map(Number);
const runsFor = (n) => Number(options.runs ?? (n >= 10000 ? 5 : 15));

// The engine as the extension ships it: bundled from the TypeScript sources by esbuild.
const dir = mkdtempSync(join(tmpdir(), 'hi-bench-'));
const outfile = join(dir, 'core.cjs');
const textOutfile = join(dir, 'text.cjs');
await build({ entryPoints: [join(root, 'src/core/metadataUpdate.ts')], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'error' });
await build({ entryPoints: [join(root, 'src/core/metadataText.ts')], bundle: true, platform: 'node', format: 'cjs', mainFields: ['module', 'main'], outfile: textOutfile, logLevel: 'error' });
const require = createRequire(import.meta.url);
const core = require(outfile);
const textCore = require(textOutfile);
rmSync(dir, { recursive: true, force: true });
const { compare } = require('fast-json-patch');
const { flatten } = await import('flat');

let peakRss = 0;
let peakHeap = 0;
function sample() {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}

/** Median wall time in ms of `fn` over `runs` runs (after one warm-up), with a GC before each. */
function measure(runs, fn) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    globalThis.gc();
    const t0 = process.hrtime.bigint();
    const result = fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    sample();
    if (result === undefined) throw new Error('benchmark body returned nothing');
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** aws-samples' approach: flatten both documents to "a.b.c" keys, then compare key by key. */
function flatCompare(a, b) {
  const fa = flatten(a);
  const fb = flatten(b);
  const changes = [];
  for (const k of Object.keys(fb)) if (!(k in fa) || fa[k] !== fb[k]) changes.push(k);
  for (const k of Object.keys(fa)) if (!(k in fb)) changes.push(k);
  return changes;
}

const mb = (n) => (n / 1024 / 1024).toFixed(1);
const fmt = (ms) => ms.toFixed(ms < 10 ? 2 : 1).padStart(8);
const ratio = (x, base) => `${(x / base).toFixed(2)} x`;

console.log(`Node ${process.version}, ${process.platform}/${process.arch}; medians of several runs; ratios to JSON.parse of the edited text in the same run.`);
const rows = [];
for (const n of sizes) {
  const original = generateDocument(n);
  const originalText = JSON.stringify(original, null, 2);
  const editedText = JSON.stringify(typicalEdit(JSON.parse(originalText)), null, 2);
  const a = JSON.parse(originalText);
  const b = JSON.parse(editedText);
  const runs = runsFor(n);
  sample();

  // Sanity: the plan applies back to the edit, and the peers see the same edit.
  const plan = core.computeMetadataUpdate(a, b);
  if (plan.refused.length > 0 || plan.updates.length === 0) throw new Error('unexpected plan for the typical edit');
  let check = a;
  for (const u of plan.updates) check = core.applyMetadataUpdate(check, u);
  if (JSON.stringify(core.rekeyChangedUids(a, b)) !== JSON.stringify(check)) throw new Error('round trip failed');

  const parse = measure(runs, () => JSON.parse(editedText));
  const computeMs = measure(runs, () => core.computeMetadataUpdate(a, b));
  const roundTrip = measure(runs, () => {
    const p = core.computeMetadataUpdate(a, b);
    let d = a;
    for (const u of p.updates) d = core.applyMetadataUpdate(d, u);
    return d;
  });
  const fjp = measure(runs, () => compare(a, b));
  const flat = measure(runs, () => flatCompare(a, b));
  // Editor diagnostics: parse with duplicate-key check; locate plan paths in the text (first lookup
  // in a fresh text, then 1,000 lookups of instance attributes in the same text).
  const parseText = measure(runs, () => textCore.parseMetadataText(editedText));
  const lastSeries = Object.keys(b.Study.Series).pop();
  const instanceKeys = Object.keys(b.Study.Series[lastSeries].Instances);
  const pointer = `/Study/Series/${lastSeries}/Instances/${instanceKeys[instanceKeys.length - 1]}/DICOM/InstanceNumber`;
  let variant = 0;
  const firstLookup = measure(runs, () => textCore.findJsonPointerRange(editedText + ' '.repeat(1 + (variant++ % 2)), pointer));
  const pointers = [];
  for (const s of Object.keys(b.Study.Series)) {
    const ks = Object.keys(b.Study.Series[s].Instances);
    for (let j = 0; j < ks.length && pointers.length < 1000; j += Math.max(1, Math.floor(n / 1000))) pointers.push(`/Study/Series/${s}/Instances/${ks[j]}/DICOM/KVP`);
  }
  const manyLookups = measure(runs, () => {
    const text = editedText + ' '.repeat(1 + (variant++ % 2));
    let found = 0;
    for (const p of pointers) if (textCore.findJsonPointerRange(text, p)) found++;
    return found;
  });
  const row = { n, mb: mb(Buffer.byteLength(editedText)), requests: plan.updates.length, parse, computeMs, roundTrip, fjp, flat };
  rows.push(row);
  console.log(`\n${n} instances, edited text ${row.mb} MB, typical edit -> ${row.requests} request(s), ${plan.forceReasons.length} force reason(s); ${runs} runs`);
  console.log(`  JSON.parse(edited text)                 ${fmt(parse)} ms   1.00 x`);
  console.log(`  computeMetadataUpdate                   ${fmt(computeMs)} ms   ${ratio(computeMs, parse)}`);
  console.log(`  round trip (compute + apply in order)   ${fmt(roundTrip)} ms   ${ratio(roundTrip, parse)}`);
  console.log(`  fast-json-patch compare                 ${fmt(fjp)} ms   ${ratio(fjp, parse)}   (computeMetadataUpdate is ${(fjp / computeMs).toFixed(1)} x faster)`);
  console.log(`  flat flatten-and-compare                ${fmt(flat)} ms   ${ratio(flat, parse)}   (computeMetadataUpdate is ${(flat / computeMs).toFixed(1)} x faster)`);
  console.log(`  parseMetadataText (+ duplicate keys)    ${fmt(parseText)} ms   ${ratio(parseText, parse)}`);
  console.log(`  findJsonPointerRange, first lookup      ${fmt(firstLookup)} ms   ${ratio(firstLookup, parse)}`);
  console.log(`  findJsonPointerRange, ${String(pointers.length).padStart(5)} lookups     ${fmt(manyLookups)} ms   ${ratio(manyLookups, parse)}`);
}
sample();
console.log(`\npeak memory: rss ${mb(peakRss)} MB, heap used ${mb(peakHeap)} MB`);
const ok = rows.every((r) => r.computeMs <= 1.5 * r.parse && r.computeMs < r.fjp && r.computeMs < r.flat);
console.log(ok ? 'goal met: computeMetadataUpdate <= 1.5 x JSON.parse and faster than both peers at every size'
  : 'goal NOT met at some size (see the ratios above)');
