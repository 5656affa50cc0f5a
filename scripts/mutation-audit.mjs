// Mutation audit: makes deliberate single bugs, one at a time, and checks that a test tier fails.
// For each mutation: replace one exact piece of text (it must occur exactly once in its file),
// build, run the unit tier (always) and, for extension and save-flow mutations, the integration
// tier restricted to the relevant tests, each with mocha's bail (stop at the first failure); record
// caught / missed and the first failing test; write the file's original bytes back. The build runs
// once more at the end, so out/ and dist/ match the restored sources.
//   node scripts/mutation-audit.mjs                       every mutation (takes a while)
//   node scripts/mutation-audit.mjs --only id1,id2        a subset
//   node scripts/mutation-audit.mjs --list                the mutations, without running anything
// Each run's output goes to .test-results/mutation-audit/<id>.log; the table is printed at the end,
// then "N of M mutations caught". Exit code 0 only when every mutation that ran was caught.
// Needs node_modules and (for the integration tier) the VS Code test host, as `npm test` installs them.
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { root } from './bootstrap.mjs';

/**
 * The mutations. `group`: 'issue' for the bugs the first audit found unnoticed (issue 12 and the
 * probes around them), 'extra' for further realistic bugs across core, adapter, emulator and save flow.
 * `unitFirst`: unit test files run first (the whole unit tier still runs when they catch nothing).
 * `integration`: HI_TEST_GREP for the integration tier (a regular expression over full test titles).
 */
const MUTATIONS = [
  // --- The bugs of the first audit.
  {
    id: 'plan-size-limit-ge', group: 'issue', file: 'src/core/metadataPlan.ts',
    find: 'if (bytes > limit && bundle.entries.some', replace: 'if (bytes >= limit && bundle.entries.some',
    description: 'planner: a change of exactly the size limit is refused as too large (> became >=)',
    unitFirst: ['out/test/unit/core/sizeLimits.test.js'],
  },
  {
    id: 'plan-packing-lt', group: 'issue', file: 'src/core/metadataPlan.ts',
    find: 'const fits = upd.size + upd.cost(bundle.entries) <= limit &&', replace: 'const fits = upd.size + upd.cost(bundle.entries) < limit &&',
    description: 'planner: split packing fills updatableAttributes only up to one byte under the limit (<= became <)',
    unitFirst: ['out/test/unit/core/sizeLimits.test.js'],
  },
  {
    id: 'plan-packing-lt-removals', group: 'issue', file: 'src/core/metadataPlan.ts',
    find: '&& rem.size + rem.cost(bundle.entries) <= limit;', replace: '&& rem.size + rem.cost(bundle.entries) < limit;',
    description: 'planner: split packing fills removableAttributes only up to one byte under the limit (<= became <)',
    unitFirst: ['out/test/unit/core/sizeLimits.test.js'],
  },
  {
    id: 'emulator-size-limit-ge', group: 'issue', file: 'emulator/src/service.ts',
    find: 'bytes.length > this.settings.maxAttributeBytes', replace: 'bytes.length >= this.settings.maxAttributeBytes',
    description: 'emulator: an attribute blob of exactly 30,000 bytes is refused (> became >=)',
    unitFirst: ['emulator/out/emulator/test/imageSets.test.js'],
  },
  {
    id: 'check-series-uid-collision', group: 'issue', file: 'src/core/metadataUpdate.ts',
    find: "if (uids.series.has(to)) refuse(c, `${skp}/SeriesInstanceUID`, duplicateUidReason('SeriesInstanceUID'));", replace: '',
    description: "checkMetadataUpdate: a SeriesInstanceUID changed to another series' UID is no longer refused",
    unitFirst: ['out/test/unit/core/checkMetadataUpdate.test.js', 'out/test/unit/core/goldenFixtures.test.js'],
  },
  {
    id: 'plan-series-uid-collision', group: 'issue', file: 'src/core/metadataPlan.ts',
    find: 'if (taken.has(c.to)) planner.refuse(', replace: 'if (!c.series && taken.has(c.to)) planner.refuse(',
    description: "planner: a SeriesInstanceUID changed to another series' UID is no longer refused (instances still are)",
    unitFirst: ['out/test/unit/core/goldenFixtures.test.js'],
  },
  {
    id: 'check-sop-uid-collision', group: 'issue', file: 'src/core/metadataUpdate.ts',
    find: "if (uids.sop.has(to)) refuse(c, `${kp}/SOPInstanceUID`, duplicateUidReason('SOPInstanceUID'));", replace: '',
    description: "checkMetadataUpdate: a SOPInstanceUID changed to another instance's UID is no longer refused",
    unitFirst: ['out/test/unit/core/checkMetadataUpdate.test.js'],
  },
  {
    id: 'rule-sop-instance-uid-force', group: 'issue', file: 'src/core/updateRules.ts',
    find: "  SOPInstanceUID: 'SOPInstanceUID identifies the instance;", replace: "  SOPInstanceUid: 'SOPInstanceUID identifies the instance;",
    description: 'rules: changing SOPInstanceUID no longer needs force (the force-only entry misspelt)',
    unitFirst: ['out/test/unit/core/rulesOracle.test.js'],
  },
  {
    id: 'welcome-no-region', group: 'issue', file: 'src/shared/connection.ts',
    find: "? 'unknown' : 'noRegion'", replace: "? 'unknown' : 'noCredentials'",
    description: 'connection: without a region the welcome view says "no credentials" (noRegion became noCredentials)',
    integration: 'welcome view',
  },
  {
    id: 'endpoint-machine-scope', group: 'issue', file: 'package.json',
    find: '"scope": "machine",', replace: '"scope": "window",',
    description: 'manifest: healthImaging.endpoint is a window setting, so a workspace can redirect requests',
    unitFirst: ['out/test/unit/manifest.test.js'],
    integration: 'machine setting',
  },
  {
    id: 'adapter-gzip', group: 'issue', file: 'src/aws/sdkHealthImagingClient.ts',
    find: 'const bytes = await gunzipIfNeeded(raw);', replace: 'const bytes = raw;',
    description: "adapter: GetImageSetMetadata's gzip body is returned without gunzipping it",
    unitFirst: ['out/test/unit/aws/sdkHealthImagingClient.test.js'],
  },
  {
    id: 'emulator-frame-content-type', group: 'issue', file: 'emulator/src/service.ts',
    find: "if (ts === '1.2.840.10008.1.2.4.203') return 'image/jphc';", replace: "if (ts === '1.2.840.10008.1.2.4.203') return 'image/jph';",
    description: 'emulator: frames stored as HTJ2K with RPCL (…4.203) are served as image/jph instead of image/jphc',
    unitFirst: ['emulator/out/emulator/test/imageSets.test.js'],
  },

  // --- Further realistic bugs.
  {
    id: 'plan-comma-off-by-one', group: 'extra', file: 'src/core/metadataPlan.ts',
    find: 'bytes += (pc > 0 ? 1 : 0) + jsonKeyBytes(entry.key) + 1 + valueBytes(entry);',
    replace: 'bytes += (pc > 1 ? 1 : 0) + jsonKeyBytes(entry.key) + 1 + valueBytes(entry);',
    description: "planner: a request's size misses the comma after an object's first attribute (off by one), so splits can exceed the limit",
    unitFirst: ['out/test/unit/core/sizeLimits.test.js'],
  },
  {
    id: 'primary-series-level', group: 'extra', file: 'src/core/updateRules.ts',
    find: "if (level === 'patient' || level === 'series') refuse.push(primaryLevelReason(level));",
    replace: "if (level === 'patient') refuse.push(primaryLevelReason(level));",
    description: 'rules: Series-level changes on a primary image set are no longer refused (only Patient-level ones)',
    unitFirst: ['out/test/unit/core/rulesOracle.test.js'],
  },
  {
    id: 'removal-value-check', group: 'extra', file: 'src/core/metadataUpdate.ts',
    find: 'else if (!sameJson(before, payload[key])) refuse(c, kp, removalMismatchReason(key));', replace: '',
    description: 'checkMetadataUpdate: removing an attribute with a value other than its current one is no longer refused',
    unitFirst: ['out/test/unit/core/checkMetadataUpdate.test.js', 'out/test/unit/core/rulesOracle.test.js'],
  },
  {
    id: 'multi-value-force', group: 'extra', file: 'src/core/updateRules.ts',
    find: '} else if (isMultiValue(c.before) || (c.present && isMultiValue(c.after))) {', replace: '} else if (isMultiValue(c.before)) {',
    description: 'rules: turning a single value into a multi-value (or adding one) no longer needs force',
    unitFirst: ['out/test/unit/core/rulesOracle.test.js'],
  },
  {
    id: 'adapter-retry-count', group: 'extra', file: 'src/aws/sdkHealthImagingClient.ts',
    find: 'export const MAX_ATTEMPTS_PER_REQUEST = 5;', replace: 'export const MAX_ATTEMPTS_PER_REQUEST = 1;',
    description: 'adapter: throttled requests are no longer retried (5 attempts became 1)',
    unitFirst: ['out/test/unit/aws/sdkHealthImagingClient.test.js'],
    integration: 'throttling',
  },
  {
    id: 'adapter-force-dropped', group: 'extra', file: 'src/aws/sdkHealthImagingClient.ts',
    find: 'datastoreId, imageSetId, latestVersionId, force: force || undefined,', replace: 'datastoreId, imageSetId, latestVersionId,',
    description: 'adapter: UpdateImageSetMetadata is sent without force even when the user confirmed it',
    unitFirst: ['out/test/unit/aws/sdkHealthImagingClient.test.js'],
    integration: 'force accepted|confirmForceUpdate off',
  },
  {
    id: 'emulator-failed-update-status', group: 'extra', file: 'emulator/src/service.ts',
    find: "const v = this.beginVersion(s, 'UPDATING', 'UPDATED', 'UPDATE_FAILED', outcome, force);",
    replace: "const v = this.beginVersion(s, 'UPDATING', 'UPDATED', 'UPDATED', outcome, force);",
    description: 'emulator: an update that fails ends UPDATED (with the old content) instead of UPDATE_FAILED',
    unitFirst: ['emulator/out/emulator/test/imageSets.test.js'],
  },
  {
    id: 'emulator-force-one-reason', group: 'extra', file: 'emulator/src/service.ts',
    find: 'if (check.forceReasons.length > 0 && !force)', replace: 'if (check.forceReasons.length > 1 && !force)',
    description: 'emulator: an update with exactly one change that needs force is accepted without force (off by one)',
    unitFirst: ['emulator/out/emulator/test/imageSets.test.js'],
  },
  {
    id: 'save-against-base-version', group: 'extra', file: 'src/documents/saveFlow.ts',
    find: 'updateImageSetMetadata({ datastoreId, imageSetId, latestVersionId: current, force, update });',
    replace: 'updateImageSetMetadata({ datastoreId, imageSetId, latestVersionId: against, force, update });',
    description: "save flow: every request of a split save is sent against the first base version, not the previous request's version",
    integration: 'split save',
  },
  {
    id: 'follower-update-failed', group: 'extra', file: 'src/documents/updateFollower.ts',
    find: "if (status === 'UPDATE_FAILED' || status === 'COPY_FAILED' ||", replace: "if (status === 'COPY_FAILED' ||",
    description: 'save flow: an update that ended UPDATE_FAILED is followed as if it had succeeded',
    unitFirst: ['out/test/unit/documents/updateFollower.test.js'],
    integration: 'UPDATE_FAILED',
  },
];

const BUILD = [['npx', ['tsc', '-b', 'emulator']], ['npx', ['tsc', '-p', 'tsconfig.json']], ['node', ['esbuild.mjs']]];
const UNIT_GLOBS = [['out/test/unit', '.test.js'], ['emulator/out/emulator/test', '.test.js']];

let only;
let list;
try {
  ({ values: { only, list } } = parseArgs({ options: { only: { type: 'string' }, list: { type: 'boolean' } } }));
} catch (e) {
  console.error(`[mutation-audit] ${e.message}\nUsage: node scripts/mutation-audit.mjs [--only id1,id2] [--list]`);
  process.exit(2);
}

// Every mutation is checked before anything runs: known ids, unique ids, text found exactly once.
const ids = new Set();
for (const m of MUTATIONS) {
  if (ids.has(m.id)) fail(`mutation id "${m.id}" is used twice`);
  ids.add(m.id);
}
let selected = MUTATIONS;
if (only !== undefined) {
  const wanted = only.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((id) => !ids.has(id));
  if (unknown.length > 0 || wanted.length === 0) fail(`--only: unknown mutation id(s) ${unknown.join(', ') || '(none given)'}; known: ${[...ids].join(', ')}`);
  selected = MUTATIONS.filter((m) => wanted.includes(m.id));
}
for (const m of MUTATIONS) {
  const text = readFileSync(join(root, m.file), 'utf8');
  const count = text.split(m.find).length - 1;
  if (count !== 1) {
    fail(`mutation "${m.id}": the text to replace occurs ${count} times in ${m.file} (must be exactly once; ` +
      `${count === 0 ? 'the code changed, or a mutation from an interrupted run is still applied: check git diff' : 'make it longer'}):\n  ${m.find}`);
  }
}
if (list) {
  for (const m of MUTATIONS) console.log(`${m.id.padEnd(32)} ${m.group.padEnd(6)} ${m.file}: ${m.description}`);
  process.exit(0);
}

const logDir = join(root, '.test-results', 'mutation-audit');
rmSync(logDir, { recursive: true, force: true });
mkdirSync(logDir, { recursive: true });

// The file currently mutated and its original bytes, written back whatever happens.
let applied;
function restore() {
  if (!applied) return;
  const { path, original } = applied;
  writeFileSync(path, original);
  if (!readFileSync(path).equals(original)) {
    console.error(`[mutation-audit] could not restore ${path}: check git diff`);
    process.exitCode = 1;
  }
  applied = undefined;
}
process.on('exit', restore);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    restore();
    console.error(`\n[mutation-audit] stopped by ${signal}; the mutated file is restored (out/ and dist/ may still hold a mutated build: run the build)`);
    process.exit(130);
  });
}

function fail(message) {
  console.error(`[mutation-audit] ${message}`);
  process.exit(2);
}

/** Runs a command with its output appended to `log`; returns its exit code. */
function runLogged(cmd, args, log, env = {}) {
  appendFileSync(log, `\n$ ${cmd} ${args.join(' ')}\n`);
  const fd = openSync(log, 'a');
  try {
    const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
    if (r.error) throw r.error;
    return r.status ?? 1;
  } finally {
    closeSync(fd);
  }
}

function build(log) {
  for (const [cmd, args] of BUILD) if (runLogged(cmd, args, log) !== 0) return false;
  return true;
}

function unitFiles(first = []) {
  const all = [];
  for (const [dir, suffix] of UNIT_GLOBS) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs, { recursive: true, encoding: 'utf8' }).filter((x) => x.endsWith(suffix)).sort()) all.push(join(dir, f));
  }
  for (const f of first) if (!all.includes(f)) fail(`unitFirst: ${f} is not a unit test file (is the build complete?)`);
  return [...first, ...all.filter((f) => !first.includes(f))];
}

/** Runs a tier with bail; { caught, title } from the failures the reporter wrote, or an error when it died without one. */
function runTier(tier, m, log) {
  const failures = join(logDir, `${m.id}.${tier}.failures.jsonl`);
  rmSync(failures, { force: true });
  const env = { HI_TEST_FAILURES: failures, HI_TEST_TIER: tier };
  const code = tier === 'unit'
    ? runLogged('node', [join(root, 'node_modules/mocha/bin/mocha.js'), '--bail', '--reporter', join(root, 'test/reporter.js'),
      '--timeout', '60000', ...unitFiles(m.unitFirst)], log, env)
    : runLogged('node', ['out/test/integration/runTests.js'], log, { ...env, HI_TEST_GREP: m.integration, HI_TEST_BAIL: '1' });
  const first = existsSync(failures) ? readFileSync(failures, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))[0] : undefined;
  if (first) return { caught: true, title: first.title };
  if (code !== 0) return { error: `${tier} tier exited with ${code} before any test failed (see the log)` };
  return { caught: false };
}

const results = [];
const started = Date.now();
console.log(`[mutation-audit] ${selected.length} mutation(s); logs in ${logDir}`);
try {
  for (const [index, m] of selected.entries()) {
    const path = join(root, m.file);
    const log = join(logDir, `${m.id}.log`);
    const t0 = Date.now();
    process.stdout.write(`[mutation-audit] ${index + 1}/${selected.length} ${m.id} ... `);
    const original = readFileSync(path);
    const text = original.toString('utf8');
    if (text.split(m.find).length !== 2) fail(`mutation "${m.id}": the text to replace no longer occurs exactly once in ${m.file}`);
    applied = { path, original };
    writeFileSync(path, text.replace(m.find, () => m.replace));
    let result;
    try {
      if (!build(log)) {
        result = { status: 'compile error', detail: 'the mutated code does not build (see the log)' };
      } else {
        const tiers = ['unit', ...(m.integration ? ['integration'] : [])];
        result = { status: 'missed', detail: `no failure in ${tiers.join(' + ')}` };
        for (const tier of tiers) {
          const r = runTier(tier, m, log);
          if (r.error) { result = { status: 'error', detail: r.error }; break; }
          if (r.caught) { result = { status: 'caught', tier, detail: r.title }; break; }
        }
      }
    } finally {
      restore();
    }
    results.push({ ...m, ...result, seconds: Math.round((Date.now() - t0) / 1000) });
    console.log(`${result.status}${result.tier ? ` (${result.tier})` : ''} in ${Math.round((Date.now() - t0) / 1000)} s`);
  }
} finally {
  restore();
  process.stdout.write('[mutation-audit] rebuilding the restored sources ... ');
  const log = join(logDir, 'final-build.log');
  console.log(build(log) ? 'ok' : `FAILED (see ${log})`);
}

const cell = (s) => String(s).replace(/\|/g, '\\|');
console.log('\n| id | group | file | bug | result | first failing test |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.id} | ${r.group} | ${r.file} | ${cell(r.description)} | ${r.status}${r.tier ? ` (${r.tier})` : ''} | ${cell(r.status === 'caught' ? r.detail : r.detail ?? '')} |`);
}
console.log('');
for (const group of ['issue', 'extra']) {
  const g = results.filter((r) => r.group === group);
  if (g.length > 0) console.log(`${group}: ${g.filter((r) => r.status === 'caught').length} of ${g.length} caught`);
}
console.log(`total time ${Math.round((Date.now() - started) / 60000)} min`);
const caught = results.filter((r) => r.status === 'caught').length;
console.log(`${caught} of ${results.length} mutations caught`);
process.exitCode = caught === results.length && process.exitCode === undefined ? 0 : 1;
