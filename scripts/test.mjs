// The one command that runs every test: `npm test`.
// Installs what is missing (npm packages, the VS Code test host), type-checks,
// lints (with a check for import cycles), bundles, then runs the unit, integration (real extension host) and
// end-to-end (Playwright) tiers and prints "N passed, N failed" last.
//   npm test -- --only unit         one tier (unit | integration | e2e)
//   npm test -- --skip-install      trust what is installed
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNodeModules, build, run, root } from './bootstrap.mjs';
import { packageExtension } from './package.mjs';

const TIERS = ['unit', 'integration', 'e2e'];
let only;
let skipInstall;
try {
  ({ values: { only, 'skip-install': skipInstall } } = parseArgs({
    options: { only: { type: 'string' }, 'skip-install': { type: 'boolean' } },
  }));
  if (only !== undefined && !TIERS.includes(only)) throw new Error(`--only takes one of ${TIERS.join(', ')} (got "${only}")`);
} catch (e) {
  console.error(`[test] ${e.message}\nUsage: npm test -- [--only ${TIERS.join('|')}] [--skip-install]`);
  process.exit(2);
}
const wants = (tier) => !only || only === tier;

const resultsDir = join(root, '.test-results');
mkdirSync(resultsDir, { recursive: true });
const statsFile = join(resultsDir, 'stats.jsonl');
rmSync(statsFile, { force: true });

const tiers = [];
function tierRun(tier, cmd, cmdArgs, env = {}) {
  console.log(`\n=== ${tier} tests ===`);
  const before = readStats().length;
  const code = run(cmd, cmdArgs, { env: { ...process.env, HI_TEST_STATS: statsFile, HI_TEST_TIER: tier, ...env } });
  const mine = readStats().slice(before);
  if (mine.length === 0) {
    // The tier died before its reporter could count: that is one failure.
    tiers.push({ tier, passed: 0, failed: 1, skipped: 0, note: `exited with ${code} before reporting` });
  } else {
    const sum = mine.reduce((a, s) => ({ passed: a.passed + s.passed, failed: a.failed + s.failed, skipped: a.skipped + s.skipped }), { passed: 0, failed: 0, skipped: 0 });
    if (code !== 0 && sum.failed === 0) sum.failed = 1;
    tiers.push({ tier, ...sum });
  }
}
function readStats() {
  if (!existsSync(statsFile)) return [];
  return readFileSync(statsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

let setupFailed = false;
try {
  if (!skipInstall) ensureNodeModules();
  console.log('\n=== build: type-check, lint, bundle ===');
  build();
  if (run('npx', ['eslint', 'src', 'test', 'scripts', 'tools/vscode-host', 'emulator']) !== 0) {
    tiers.push({ tier: 'lint', passed: 0, failed: 1, skipped: 0 });
  }
  // No import cycles in the extension, the emulator, their tests and the test host's driver.
  if (run('npm', ['run', '--silent', 'check:cycles']) !== 0) {
    tiers.push({ tier: 'import cycles', passed: 0, failed: 1, skipped: 0 });
  }
  if ((wants('integration') || wants('e2e')) && !skipInstall && existsSync(join(root, 'tools/vscode-host/install.mjs'))) {
    const code = run('node', ['tools/vscode-host/install.mjs']);
    if (code !== 0) throw new Error('installing the VS Code test host failed');
  }
} catch (e) {
  console.error(`[test] set-up failed: ${e.message}`);
  setupFailed = true;
}

if (!setupFailed) {
  const mocha = join(root, 'node_modules/mocha/bin/mocha.js');
  const reporter = join(root, 'test/reporter.js');
  if (wants('unit')) {
    tierRun('unit', 'node', [mocha, '--reporter', reporter, '--timeout', '60000', 'out/test/unit/**/*.test.js', 'emulator/out/emulator/test/**/*.test.js']);
  }
  if (wants('integration') && existsSync(join(root, 'out/test/integration/runTests.js'))) {
    tierRun('integration', 'node', ['out/test/integration/runTests.js']);
  }
  if (wants('e2e') && existsSync(join(root, 'out/test/e2e'))) {
    // End-to-end tests install the extension the way users get it: the packaged .vsix.
    let vsix;
    try {
      console.log('\n=== package the .vsix for the e2e tests ===');
      vsix = packageExtension({ skipBuild: false });
    } catch (e) {
      console.error(`[test] packaging failed: ${e.message}`);
      tiers.push({ tier: 'package', passed: 0, failed: 1, skipped: 0, note: e.message });
    }
    if (vsix) tierRun('e2e', 'node', [mocha, '--reporter', reporter, '--timeout', '180000', 'out/test/e2e/**/*.test.js'], { HI_E2E_VSIX: vsix });
  }
}

const total = tiers.reduce((a, t) => ({ passed: a.passed + t.passed, failed: a.failed + t.failed, skipped: a.skipped + t.skipped }), { passed: 0, failed: setupFailed ? 1 : 0, skipped: 0 });
console.log('\n=== summary ===');
for (const t of tiers) console.log(`${t.tier}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped${t.note ? ` (${t.note})` : ''}`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
