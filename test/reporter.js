// Mocha reporter used by every test tier: the usual "spec" output, plus one JSON
// line of counts appended to the file named by HI_TEST_STATS, which scripts/test.mjs
// adds up into the final "N passed, N failed" line. With HI_TEST_FAILURES set, the
// full title of each failing test (or hook) is appended there too, one JSON line
// each (scripts/mutation-audit.mjs names the test that caught a mutation with it).
'use strict';
const fs = require('fs');
const Mocha = require('mocha');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const tier = process.env.HI_TEST_TIER || 'tests';
    const failures = process.env.HI_TEST_FAILURES;
    if (failures) {
      runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test) => {
        fs.appendFileSync(failures, JSON.stringify({ tier, title: test.fullTitle() }) + '\n');
      });
    }
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats || {};
      const file = process.env.HI_TEST_STATS;
      if (file) {
        fs.appendFileSync(file, JSON.stringify({ tier, passed: s.passes || 0, failed: s.failures || 0, skipped: s.pending || 0 }) + '\n');
      }
    });
  }
}
module.exports = CountingReporter;
