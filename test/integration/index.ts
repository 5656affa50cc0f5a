// Entry point the extension host loads (--extensionTestsPath): runs every compiled
// integration test file (out/test/integration/**/*.test.js) in sorted order with
// mocha, reporting through test/reporter.js so that the counts reach HI_TEST_STATS.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

const root = path.resolve(__dirname, '..', '..', '..');

function testFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => path.join(dir, f))
    .sort();
}

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: false,
    reporter: path.join(root, 'test', 'reporter.js'),
    // HI_TEST_BAIL=1: stop at the first failure (scripts/mutation-audit.mjs).
    bail: process.env.HI_TEST_BAIL === '1',
  });
  if (process.env.HI_TEST_GREP) mocha.grep(process.env.HI_TEST_GREP);
  for (const file of testFiles(__dirname)) mocha.addFile(file);
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
